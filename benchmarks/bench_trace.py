"""Money trails on the 1M-transfer store: a 3-hop trace and the pattern search.

    .venv/bin/python benchmarks/bench_trace.py [--starts 20] [--neo4j bolt://127.0.0.1:7687]

On the embedded store of bench_graph_build (1,000,000 transfers between 100,000 channels, made when
missing): reading the TRANSFERRED table, building the integer ``TransferIndex`` once, then
``trace(index, start, hops=3)`` forwards and backwards from ``--starts`` channels (the busiest ones and
randomly drawn ones; median and worst time reported; each trace capped at the default 10,000
transfers), and ``find_patterns(index)`` over every kind. With ``--neo4j URL``: the same traces read
hop by hop from that server (``trace_store``, as `graphbench trace` runs there; the 1M transfers are
loaded when the server does not hold them). Goal: a trace in ≤ 1 s. Prints one Markdown
table and writes benchmarks/out/bench_trace.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_graph_build import million_embedded_store  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
GOAL_TRACE_S = 1.0


def timed(work: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def traces(run: Any, starts: list[str], direction: str) -> tuple[list[float], list[Any]]:
    """Seconds and result of ``run(start, direction)`` for each start."""
    timings = [timed(lambda s=start: run(s, direction)) for start in starts]
    return [seconds for _, seconds in timings], [result for result, _ in timings]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=20, help="start channels per direction")
    parser.add_argument("--neo4j", help="also trace hop by hop on this server (loads the 1M transfers if missing)")
    parser.add_argument("--skip-neo4j", action="store_true", help="(for run_all) the default: embedded only")
    args = parser.parse_args()

    import numpy as np
    import pandas as pd

    from graphbench.analytics.patterns import find_patterns
    from graphbench.analytics.trace import TransferIndex, trace
    from graphbench.schema import PROVENANCE_PROPS
    from graphbench.store import open_store

    store = open_store(million_embedded_store())
    # as `graphbench trace` and the Money page read it: provenance stays on disk
    transfers, read_s = timed(lambda: store.relationships("TRANSFERRED", exclude=PROVENANCE_PROPS))
    index, index_s = timed(lambda: TransferIndex.from_frame(transfers))
    counts = pd.concat([transfers["start"], transfers["end"]]).value_counts()  # in + out: hubs collect
    rng = np.random.default_rng(7)
    busiest = counts.index[: args.starts // 2].tolist()
    drawn = rng.choice(counts.index.to_numpy(), size=args.starts - len(busiest), replace=False).tolist()
    rows: list[dict[str, Any]] = [
        {"step": "read the TRANSFERRED table (embedded store)", "seconds": read_s, "detail": f"{len(transfers):,} rows"},
        {"step": "build the TransferIndex (integer codes, time-sorted adjacency)", "seconds": index_s, "detail": ""},
    ]
    for direction in ("out", "in"):
        times, results = traces(lambda s, d: trace(index, s, direction=d, hops=3), busiest + drawn, direction)
        followed = [len(r.transfers) for r in results]
        truncated = sum(r.truncated for r in results)
        rows.append({"step": f"trace 3 hops {direction}, median of {len(times)} starts",
                     "seconds": statistics.median(times),
                     "detail": f"median {int(statistics.median(followed)):,} transfers followed"})
        rows.append({"step": f"trace 3 hops {direction}, worst start", "seconds": max(times),
                     "detail": f"up to {max(followed):,} transfers, {truncated} capped at 10,000"})
    if args.neo4j:  # the same starts, read hop by hop from the server (graphbench trace on Neo4j)
        from bench_graph_build import million_neo4j_store, neo4j_store

        from graphbench.store_reads.trace_walk import trace_store

        server = neo4j_store(million_neo4j_store(args.neo4j))
        for direction in ("out", "in"):
            starts = busiest + drawn
            times, results = traces(lambda s, d: trace_store(server, s, direction=d, hops=3), starts, direction)
            agree = sum(len(r.transfers) == len(trace(index, s, direction=direction, hops=3).transfers)
                        for r, s in zip(results, starts, strict=True))
            rows.append({"step": f"Neo4j trace_store 3 hops {direction}, median of {len(times)} starts",
                         "seconds": statistics.median(times), "worst": max(times),
                         "detail": f"worst {max(times):.3f} s; {agree} of {len(times)} trails as long as the "
                                   "whole-table trace"})
        server.close()
    patterns, patterns_s = timed(lambda: find_patterns(index))
    kinds: dict[str, int] = {}
    for pattern in patterns:
        kinds[pattern.kind] = kinds.get(pattern.kind, 0) + 1
    rows.append({"step": "find_patterns, every kind", "seconds": patterns_s,
                 "detail": ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())) or "none"})
    worst_trace = max(r["seconds"] for r in rows if r["step"].startswith("trace"))
    server_worst = [r["worst"] for r in rows if "worst" in r]
    print("### Money trails on 1M transfers\n")
    print("| step | seconds | detail |\n|---|---:|---|")
    for r in rows:
        print(f"| {r['step']} | {r['seconds']:.3f} | {r['detail']} |")
    print(f"\ntrace goal ≤ {GOAL_TRACE_S:.0f} s (embedded store, index built): "
          f"{'met' if worst_trace <= GOAL_TRACE_S else 'not met'} (worst {worst_trace:.3f} s)"
          + (f"; Neo4j, read hop by hop: {'met' if max(server_worst) <= GOAL_TRACE_S else 'not met'} "
             f"(worst {max(server_worst):.3f} s)" if server_worst else "") + "\n")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_trace.json").write_text(json.dumps({"steps": rows, "worst_trace_s": worst_trace}, indent=2),
                                          encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
