"""First load into Neo4j: `graphbench load --bulk` (neo4j-admin import) at several sizes against batched
Bolt, in one run.

    .venv/bin/python benchmarks/bench_bulk.py [--sizes 200000,1000000] [--bolt-rows 200000] [--channels 100000]

Each size is a transfers-only canonical file (``bench_ingest_scale.write_transfers``: one TRANSFERRED
relationship per row among ``--channels`` PayPal channels, each channel a PaymentChannel node). Every
``--bulk`` run gets a throw-away Neo4j of its own (a never-started home under /tmp and a free port; the
team's server is left alone), so it measures the whole first load: staging into an embedded workspace
(parse, validate, merge), DuckDB's COPY of the CSVs, neo4j-admin import, the server's first start,
constraints and indexes online. At ``--bolt-rows`` the same folder is then loaded over Bolt (batched
UNWIND, ``graphbench load``'s writer) into that server, emptied, and both must leave the same counts.

Rows are source rows; records are nodes + relationships. The 1-minute load average is printed beside each
row (the machine is shared). Prints Markdown tables and writes benchmarks/out/bench_bulk.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
OUT = ROOT / "benchmarks" / "out"
PHASES = ("seconds_parse", "seconds_csv", "seconds_stop", "seconds_import", "seconds_start", "seconds_schema")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def bulk_run(data: Path, rows: int, work: Path, server: tuple[dict[str, str], str] | None = None
             ) -> tuple[dict[str, Any], dict[str, str], str]:
    """One ``--bulk`` first load into a never-started home of its own, or into ``server`` (env, url): a
    running one whose database is empty; (row, env, url) (server left running)."""
    if server is None:
        port = free_port()
        url = f"bolt://127.0.0.1:{port}"
        home = work / f"home-{rows}"
        home.mkdir()
        env = os.environ | {"GRAPHBENCH_NEO4J_HOME": str(home), "GRAPHBENCH_NEO4J_PORT": str(port)}
    else:
        env, url = server
    before = load_average()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "graphbench", "--store", url, "load", str(data), "--bulk",
                           "--no-resolve", "--json", "--quiet", "--rejects", str(work / "rejects")],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"--bulk at {rows:,} rows failed: {done.stderr[-2000:]}")
    bulk = json.loads(done.stdout)["bulk"]
    records = bulk["nodes"] + bulk["relationships"]
    fixed = bulk["seconds_stop"] + bulk["seconds_start"] + bulk["seconds_schema"]
    method = "--bulk, fresh server" if server is None else "--bulk, running server, emptied"
    return ({"method": method, "rows": rows, "seconds": wall,
             "records": records, "rows_per_s": rows / wall, "records_per_s": records / wall,
             "rows_per_s_after_staging": rows / max(wall - bulk["seconds_parse"], 1e-9),
             "seconds_fixed": fixed, "load_before": before, "load_after": load_average(), "detail": bulk},
            env, url)


def empty(url: str) -> None:
    from graphbench.store.neo4j_store import Neo4jStore

    store = Neo4jStore(url, "neo4j", os.environ.get("NEO4J_PASSWORD", "graphbench-dev"))
    try:
        with store._session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    finally:
        store.close()


def bolt_run(data: Path, rows: int, url: str, work: Path, expected: dict[str, Any]) -> dict[str, Any]:
    from graphbench.store.neo4j_store import Neo4jStore
    from loaders.load import load_dir

    empty(url)
    store = Neo4jStore(url, "neo4j", os.environ.get("NEO4J_PASSWORD", "graphbench-dev"))
    try:
        before = load_average()
        started = time.perf_counter()
        load_dir(store, data, rejects_dir=work / "rejects-bolt", resolve=False)
        seconds = time.perf_counter() - started
        assert store.stats() == expected, (store.stats(), expected)
    finally:
        store.close()
    records = sum(expected["nodes"].values()) + sum(expected["relationships"].values())
    return {"method": "graphbench load over Bolt (batched)", "rows": rows, "seconds": seconds, "records": records,
            "rows_per_s": rows / seconds, "records_per_s": records / seconds, "load_before": before,
            "load_after": load_average()}


def stop(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "neo4j_local.py"), "stop"], env=env, capture_output=True)


def markdown(results: list[dict[str, Any]], channels: int) -> str:
    lines = [f"transfers among {channels:,} PayPal channels; load average = 1-minute, before → after", "",
             "| method | rows | records | seconds | rows/s | records/s | rows/s after staging | load avg |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        after = f"{r['rows_per_s_after_staging']:,.0f}" if "rows_per_s_after_staging" in r else "—"
        lines.append(f"| {r['method']} | {r['rows']:,} | {r['records']:,} | {r['seconds']:.1f} | "
                     f"{r['rows_per_s']:,.0f} | {r['records_per_s']:,.0f} | {after} | "
                     f"{r['load_before']} → {r['load_after']} |")
    lines += ["", "bulk phases, seconds (rows/s of the phase):", "",
              "| rows | staging | CSVs | stop | neo4j-admin import | start | schema | fixed (stop+start+schema) |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "detail" not in r:
            continue
        d = r["detail"]
        cells = [f"{d[p]:.1f}" + (f" ({r['rows'] / d[p]:,.0f})" if p in ("seconds_parse", "seconds_csv",
                                                                          "seconds_import") and d[p] else "")
                 for p in PHASES]
        lines.append(f"| {r['rows']:,} | " + " | ".join(cells) + f" | {r['seconds_fixed']:.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200000,1000000", help="bulk sizes, comma-separated")
    parser.add_argument("--bolt-rows", type=int, default=200_000, help="the size also loaded over Bolt (0: none)")
    parser.add_argument("--channels", type=int, default=100_000)
    args = parser.parse_args()
    from bench_ingest_scale import write_transfers

    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | ({args.bolt_rows} if args.bolt_rows else set()))
    work = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    results: list[dict[str, Any]] = []
    try:
        for rows in sizes:
            data = work / f"data-{rows}"
            write_transfers(data / "transactions.csv", rows, args.channels)
            row, env, url = bulk_run(data, rows, work)
            try:
                results.append(row)
                print(markdown(results, args.channels).splitlines()[-1], flush=True)
                if rows == args.bolt_rows:
                    from graphbench.store.neo4j_store import Neo4jStore

                    store = Neo4jStore(url, "neo4j", os.environ.get("NEO4J_PASSWORD", "graphbench-dev"))
                    expected = store.stats()
                    store.close()
                    results.append(bolt_run(data, rows, url, work, expected))
                    empty(url)  # the usual case: a running server whose database is empty (stop, import, start)
                    again, _, _ = bulk_run(data, rows, work, (env, url))
                    results.append(again)
            finally:
                stop(env)
                shutil.rmtree(work / f"home-{rows}", ignore_errors=True)
                shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = markdown(results, args.channels)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_bulk.json").write_text(json.dumps({"rows": results, "markdown": table}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
