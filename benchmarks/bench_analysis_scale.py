"""The money analyses on stores of growing size: memory and time of each, beside the way it was read before.

    .venv/bin/python benchmarks/bench_analysis_scale.py --store file:/tmp/ws1m --store file:/tmp/ws20m

Each step runs in a fresh process (so its peak RSS is its own), on an embedded store that already holds
the transfers (``graphbench load DIR --no-resolve``; ``bench_ingest_scale.py --keep`` leaves such stores):

- ``index from the table`` (the reference, how the money graph was read before): the TRANSFERRED table
  as a pandas frame (``transfer_table``), then ``TransferIndex.from_frame``;
- ``index from batches`` (how it is read now): ``transfer_index`` — Arrow record batches, reduced as
  they come (``graphbench.analytics.transfer_columns``);
- ``patterns and typologies``: the index, then ``find_patterns`` with every kind (what
  ``graphbench patterns`` runs);
- ``traces``: the index, then 20 traces 3 hops out and 20 in from the busiest senders and receivers;
- ``account graph``: ``Analysis(store).account_graph`` (the projection communities, centrality and risk
  start from; of the transfers it reads only their ends), then its communities.

Prints one Markdown table (seconds, CPU seconds, peak MB; per million transfers, and each store's row
against the smallest store's as "growth per row"); writes benchmarks/out/bench_analysis_scale.json.
A step whose child fails (e.g. killed for memory) is reported with its error, not left out.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"
STEPS = ("index from the table", "index from batches", "patterns and typologies", "traces", "account graph")
GOAL_MB = 4096


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_step(url: str, step: str) -> dict[str, Any]:
    """One step in this process: seconds, CPU seconds, peak MB and what it found."""
    import numpy as np

    from graphbench.analytics.trace import TransferIndex, trace
    from graphbench.analytics.typologies.ranking import find_patterns
    from graphbench.store import open_store
    from graphbench.store_reads.money_overview import transfer_index, transfer_table

    store = open_store(url)
    started, cpu = time.perf_counter(), _cpu()
    found: dict[str, Any] = {}
    if step == "account graph":
        from graphbench.analysis import Analysis

        analysis = Analysis(store)
        graph = analysis.account_graph
        communities = analysis.communities()
        transfers = store.stats()["relationships"].get("TRANSFERRED", 0)
        store.close()
        return {"seconds": time.perf_counter() - started, "cpu_s": _cpu() - cpu, "transfers": transfers,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "accounts": graph.n_nodes, "communities": len(set(communities.membership.values()))}
    if step == "index from the table":
        index = TransferIndex.from_frame(transfer_table(store))
    else:
        index = transfer_index(store)
    if step == "patterns and typologies":
        patterns = find_patterns(index)
        found = {"patterns": len(patterns), "complete": patterns.complete}
    elif step == "traces":
        followed = 0
        for direction, codes in (("out", index.src), ("in", index.dst)):
            busiest = np.argsort(-np.bincount(codes, minlength=len(index.nodes)), kind="stable")[:20]
            for code in busiest:
                followed += len(trace(index, [str(index.nodes[code])], direction=direction, hops=3).transfers)
        found = {"transfers followed": followed}
    store.close()
    return {"seconds": time.perf_counter() - started, "cpu_s": _cpu() - cpu, "transfers": len(index),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **found}


def in_child(url: str, step: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--one", url, step], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()
        return {"error": tail[-1] if tail else f"exit {done.returncode} (killed?)"}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| store | step | transfers | seconds | CPU s | CPU s per 1M | growth per row (CPU) | peak MB | "
             f"vs {GOAL_MB:,} MB | found |", "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    smallest: dict[str, dict[str, Any]] = {}
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['store']} | {r['step']} | | | | | | | failed: {r['error']} | |")
            continue
        per = r["cpu_s"] / max(r["transfers"], 1) * 1e6
        first = smallest.setdefault(r["step"], {**r, "per": per})
        growth = per / first["per"] if first["per"] else float("nan")
        found = ", ".join(f"{k} {v}" for k, v in r.items() if k in ("patterns", "complete", "transfers followed", "accounts",
                                                                       "communities"))
        lines.append(f"| {r['store']} | {r['step']} | {r['transfers']:,} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | "
                     f"{per:.2f} | {growth:.2f}× | {r['peak_mb']:,.0f} | "
                     f"{'met' if r['peak_mb'] <= GOAL_MB else 'over'} | {found} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", action="append", required=False, default=[],
                        help="an embedded store URL (file:PATH) holding transfers; smallest first")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps to run")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_step(*args.one)))
        return 0
    if not args.store:
        parser.error("give at least one --store file:PATH")
    rows = []
    for url in args.store:
        for step in args.steps.split(","):
            row = {"store": url, "step": step, **in_child(url, step)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    print(markdown(rows))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_analysis_scale.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
