"""Embedded ingest at scale: `graphbench load --no-resolve` of a transfers-only CSV, beside pyarrow's read of
the same file in the same run, and the previous implementation (pandas tables + Parquet, row by row).

    .venv/bin/python benchmarks/bench_ingest_scale.py [--rows 1000000,5000000] [--channels 100000]
        [--old-rows 250000] [--old-commit 16dd7e6] [--work /tmp/gb-ingest-scale]

Each size gets one file (``tx_id, timestamp, from_type, from_id, to_type, to_id, amount, currency,
reference``; PayPal e-mails of ``--channels`` channels, canonical UTC timestamps, two-decimal amounts, a
reference per row; seed 0) and, each in its own process so peak RSS is that process's alone:

- ``pyarrow.csv.read_csv`` of the file, every column as text (the parser's speed, the reference);
- ``graphbench load DIR --no-resolve --quiet`` into a fresh ``file:`` workspace (read, validate,
  normalise, hash, merge, commit: end to end, the console script as a user runs it);
- for ``--old-rows`` (smaller: it is ~15x slower), the previous implementation: the tree of
  ``--old-commit`` unpacked with ``git archive`` and run the same way (PYTHONPATH first).

Peak RSS is ``ru_maxrss`` of the measured process (GNU ``time``'s "Maximum resident set size"). Prints a
Markdown table and writes benchmarks/out/bench_ingest_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PY = sys.executable


def write_transfers(path: Path, rows: int, channels: int, seed: int = 0) -> None:
    """The transfers-only file, written in chunks (20M rows never sit in memory at once)."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = np.datetime64("2024-01-01T00:00:00")
    chunk = 1_000_000
    with path.open("wb") as handle:
        for first in range(0, rows, chunk):
            n = min(chunk, rows - first)
            ids = np.arange(first, first + n)
            src = rng.integers(0, channels, n)
            dst = (src + rng.integers(1, channels, n)) % channels
            seconds = rng.integers(0, 365 * 86400, n)
            stamps = (start + seconds.astype("timedelta64[s]")).astype(str)
            table = pa.table({
                "tx_id": pa.array(np.char.add("T", ids.astype(str))),
                "timestamp": pa.array(np.char.add(stamps, "Z")),
                "from_type": pa.array(np.full(n, "paypal")),
                "from_id": pa.array(np.char.add(np.char.add("ch", src.astype(str)), "@pay.example")),
                "to_type": pa.array(np.full(n, "paypal")),
                "to_id": pa.array(np.char.add(np.char.add("ch", dst.astype(str)), "@pay.example")),
                "amount": pa.array(np.char.mod("%.2f", rng.integers(100, 500_000, n) / 100)),
                "currency": pa.array(np.full(n, "USD")),
                "reference": pa.array(np.char.add("order ", ids.astype(str))),
            })
            pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=first == 0, quoting_style="none"))


def measured(command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> dict[str, Any]:
    """Wall seconds and peak RSS (MB) of one process."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    # CPU seconds (user + system): on a shared 2-core machine they move less with other work than wall time
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", done.stderr))
    return {"seconds": seconds, "peak_mb": int(peak.group(1)) / 1024 if peak else None, "stdout": done.stdout,
            "load_avg": (load_before, os.getloadavg()[0]), "cpu_s": cpu}


def pyarrow_read(path: Path) -> dict[str, Any]:
    code = ("import sys, time, pyarrow as pa, pyarrow.csv as c; t = time.perf_counter(); "
            "names = open(sys.argv[1]).readline().strip().split(','); "
            "tab = c.read_csv(sys.argv[1], convert_options=c.ConvertOptions(column_types={n: pa.string() for n in names})); "
            "print(tab.num_rows, time.perf_counter() - t)")
    run = measured([PY, "-c", code, str(path)])
    rows, inner = run["stdout"].split()
    return {"method": "pyarrow.csv.read_csv (all text)", "rows": int(rows), "seconds": float(inner),
            "peak_mb": run["peak_mb"], "load_avg": run["load_avg"], "cpu_s": run["cpu_s"]}


def graphbench_load(folder: Path, workspace: Path, label: str, pythonpath: str | None = None) -> dict[str, Any]:
    shutil.rmtree(workspace, ignore_errors=True)
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    run = measured([PY, "-m", "graphbench.cli", "--store", f"file:{workspace}", "load", str(folder), "--no-resolve",
                    "--quiet", "--json", "--rejects", str(workspace.parent / f"{workspace.name}-rejects")], env,
                   # `python -m` puts the working folder first on sys.path: an old tree must be the working folder
                   Path(pythonpath) if pythonpath else ROOT)
    report = json.loads(run["stdout"][run["stdout"].index("{"):])
    return {"method": label, "rows": report["rows"], "loaded": report["loaded"], "rejected": report["rejected"],
            "seconds": run["seconds"], "peak_mb": run["peak_mb"], "load_avg": run["load_avg"], "cpu_s": run["cpu_s"],
            "store_mb": sum(f.stat().st_size for f in workspace.rglob("*") if f.is_file()) / 2**20}


def old_tree(commit: str, work: Path) -> Path:
    tree = work / f"tree-{commit}"
    if not (tree / "graphbench").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,5000000")
    parser.add_argument("--channels", type=int, default=100_000)
    parser.add_argument("--old-rows", type=int, default=250_000, help="0: skip the previous implementation")
    parser.add_argument("--old-commit", default="16dd7e6", help="the last commit of the Parquet store")
    parser.add_argument("--old-label", default="pandas + Parquet", help="what the old tree is, for the table")
    parser.add_argument("--work", type=Path, default=Path("/tmp/gb-ingest-scale"))
    parser.add_argument("--keep", action="store_true", help="keep the generated files and workspaces")
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",") if s]
    figures: list[dict[str, Any]] = []
    for rows in sorted(set(sizes + ([args.old_rows] if args.old_rows else []))):
        folder = args.work / f"data-{rows}"
        if not (folder / "transactions.csv").exists():
            write_transfers(folder / "transactions.csv", rows, args.channels)
        read = pyarrow_read(folder / "transactions.csv")
        figures.append({**read, "size": rows})
        if rows in sizes or rows == args.old_rows:  # the previous implementation's size too: side by side
            figures.append({**graphbench_load(folder, args.work / f"ws-{rows}", "graphbench load (DuckDB, columnar)"),
                            "size": rows})
        if rows == args.old_rows:
            tree = old_tree(args.old_commit, args.work)
            figures.append({**graphbench_load(folder, args.work / f"ws-old-{rows}",
                                              f"graphbench load (previous: {args.old_commit}, {args.old_label})",
                                              str(tree)), "size": rows})
        if not args.keep:
            shutil.rmtree(args.work / f"ws-{rows}", ignore_errors=True)
            shutil.rmtree(args.work / f"ws-old-{rows}", ignore_errors=True)
        print(json.dumps(figures[-1]), file=sys.stderr, flush=True)
    for f in figures:
        f["rows_per_s"] = f["rows"] / f["seconds"] if f["seconds"] else None
    lines = ["| transfers | method | seconds | rows/s | CPU s (user + sys) | rows per CPU-s | peak RSS (MB) | store (MB) "
             "| × pyarrow read | load avg (1 min, before / after) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    reads = {f["size"]: f for f in figures if f["method"].startswith("pyarrow")}
    for f in figures:
        ratio = reads[f["size"]]["rows_per_s"] / f["rows_per_s"] if f["rows_per_s"] else None
        store = f"{f['store_mb']:,.0f}" if "store_mb" in f else ""
        lines.append(f"| {f['size']:,} | {f['method']} | {f['seconds']:.1f} | {f['rows_per_s']:,.0f} | {f['cpu_s']:.1f} | "
                     f"{f['rows'] / f['cpu_s'] if f['cpu_s'] else 0:,.0f} | {f['peak_mb']:,.0f} | {store} | "
                     f"{'' if f['method'].startswith('pyarrow') else f'{ratio:.0f}x slower'} | "
                     f"{f['load_avg'][0]:.1f} / {f['load_avg'][1]:.1f} |")
    print("\n".join(lines))
    loads = [f for f in figures if f["method"].startswith("graphbench load (DuckDB")]
    if len(loads) > 1:
        first, last = loads[0], loads[-1]
        growth = (last["seconds"] / first["seconds"]) / (last["rows"] / first["rows"])
        print(f"\ntime per row at {last['rows']:,} / at {first['rows']:,}: {growth:.2f} (1.00 = linear)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_ingest_scale.json").write_text(json.dumps({"cpus": os.cpu_count(), "figures": figures}, indent=2),
                                                 encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
