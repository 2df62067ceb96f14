"""Ingest speed side by side: the embedded store and Neo4j write paths on the 100x sample set.

    .venv/bin/python benchmarks/bench_ingest.py [--data sample_data/big] [--neo4j bolt://127.0.0.1:7687]
        [--neo4j-rows 100000] [--neo4j-import .neo4j/import] [--skip-embedded] [--skip-neo4j]

Embedded store, on the whole 100x set (``sample_data/generate.py --seed 7 --scale 100``, made when
missing): ``load_dir`` end to end (read, validate, match species, write, commit; resolution off), the
parse alone (batches captured, nothing written) and the store write alone (``upsert`` + ``commit`` on the
captured batches).

Neo4j, on the first ``--neo4j-rows`` rows of the set's transactions (each row: two PaymentChannel nodes
and one TRANSFERRED relationship), each method on an emptied database, all in this run, after one
untimed warm-up load (a fresh server's JIT would otherwise slow whichever method runs first):
- ``load_dir`` end to end (read, validate, write), as `graphbench load` runs;
- batched ``UNWIND … MERGE`` through ``Neo4jStore.upsert`` at 1k / 10k / 50k records per batch and
  transaction (``WRITE_CHUNK`` set to the batch size), then the same rows again (every key exists);
- one source row per transaction (the same Cypher, on the first 2,000 rows): the baseline;
- ``LOAD CSV`` of the same rows, written as a canonical CSV into the server's import folder, with the
  same merge rule in Cypher, ``CALL { … } IN TRANSACTIONS OF 10000 ROWS`` in an auto-commit session;
- the server floor: the graph those rows make (merged beforehand, untimed) written with plain CREATE,
  no reads, in the same parallel 10k-record transactions: what this server can take at best over Bolt.
Every method must leave the same graph: counts and property checksums are compared.

Rows are source rows (lines of the input files); records are graph records (nodes + relationships
before de-duplication). Prints Markdown tables and writes benchmarks/out/bench_ingest.json.
"""


from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ingest_capture import BIG_STORE, DEFAULT_DATA, OUT, ROOT, capture, ensure_big_set, peak_mb
from ingest_neo4j import neo4j_figures


def embedded_figures(data: Path) -> list[dict[str, Any]]:
    from graphbench.store.embedded import EmbeddedStore
    from loaders.load import load_dir

    rows_out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as work:
        # the load_dir store is kept for bench_graph_build (the 100x set in the embedded store)
        shutil.rmtree(BIG_STORE, ignore_errors=True)
        started = time.perf_counter()
        store = EmbeddedStore(str(BIG_STORE))
        report = load_dir(store, data, rejects_dir=Path(work) / "rejects", resolve=False)
        whole = time.perf_counter() - started
        (BIG_STORE / "loaded.json").write_text(json.dumps({"rows": report.rows, "seconds": whole}))
        rows_out.append({"method": "embedded: load_dir (parse + write + commit)", "rows": report.rows,
                         "records": None, "seconds": whole})
        del store
        batches, rows, parse_s = capture(data)
        records = sum(len(b) for b in batches)
        rows_out.append({"method": "parse alone (loaders, batches captured)", "rows": rows, "records": records,
                         "seconds": parse_s})
        store = EmbeddedStore(str(Path(work) / "ws-write"))
        started = time.perf_counter()
        for batch in batches:
            store.upsert(batch)
        store.commit()
        rows_out.append({"method": "embedded: store write alone (upsert + commit)", "rows": rows,
                         "records": records, "seconds": time.perf_counter() - started})
        started = time.perf_counter()
        for batch in batches[: len(batches) // 10]:
            store.upsert(batch)
        store.commit()
        reloaded = sum(len(b) for b in batches[: len(batches) // 10])
        rows_out.append({"method": "embedded: first 10% written again (every key exists)",
                         "rows": round(rows * reloaded / records), "records": reloaded,
                         "seconds": time.perf_counter() - started})
    return rows_out


def with_rates(figures: list[dict[str, Any]], baseline: str) -> list[dict[str, Any]]:
    base = next((f for f in figures if f["method"].startswith(baseline)), None)
    base_rate = base["rows"] / base["seconds"] if base else None
    for figure in figures:
        figure["rows_per_s"] = figure["rows"] / figure["seconds"] if figure["seconds"] else None
        figure["records_per_s"] = (figure["records"] / figure["seconds"]
                                   if figure["records"] and figure["seconds"] else None)
        figure["vs_baseline"] = figure["rows_per_s"] / base_rate if base_rate and figure["rows_per_s"] else None
    return figures


def markdown(figures: list[dict[str, Any]], baseline_name: str) -> str:
    lines = [f"| method | source rows | graph records | seconds | rows/s | records/s | × {baseline_name} |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for f in figures:
        records = f"{f['records']:,}" if f["records"] else ""
        per_record = f"{f['records_per_s']:,.0f}" if f["records_per_s"] else ""
        ratio = f"{f['vs_baseline']:.1f}" if f["vs_baseline"] else ""
        lines.append(f"| {f['method']} | {f['rows']:,} | {records} | {f['seconds']:.1f} | {f['rows_per_s']:,.0f} | "
                     f"{per_record} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--neo4j-rows", type=int, default=100_000)
    parser.add_argument("--neo4j-import", type=Path,
                        default=Path(os.environ.get("GRAPHBENCH_NEO4J_IMPORT", ROOT / ".neo4j" / "import")),
                        help="the server's server.directories.import, where LOAD CSV reads "
                             "(env GRAPHBENCH_NEO4J_IMPORT)")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--skip-neo4j", action="store_true")
    args = parser.parse_args()
    ensure_big_set(args.data)
    result: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                              "data": str(args.data)}
    if not args.skip_embedded:
        embedded = with_rates(embedded_figures(args.data), "embedded: load_dir")
        result["embedded"] = embedded
        print("### Ingest: embedded store, whole 100x set\n")
        print(markdown(embedded, "load_dir"))
        print(f"\npeak memory of this process: {peak_mb():,.0f} MB\n")
    if not args.skip_neo4j:
        figures, checks = neo4j_figures(args.data, args.neo4j, args.neo4j_rows, args.neo4j_import)
        figures = with_rates(figures, "Neo4j one row per transaction")
        result["neo4j"] = figures
        result["neo4j_checksums"] = checks
        print(f"### Ingest: Neo4j, first {args.neo4j_rows:,} transactions of the 100x set\n")
        print(markdown(figures, "one row per tx"))
        same = len({json.dumps(v, sort_keys=True) for k, v in checks.items() if "2k" not in k}) == 1
        small_same = len({json.dumps(v, sort_keys=True) for k, v in checks.items() if "2k" in k}) == 1
        print(f"\nsame graph from every method: {'yes' if same and small_same else 'NO'}"
              f"{'' if same and small_same else ' ' + json.dumps(checks)}\n")
        result["same_graph"] = same and small_same
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_ingest.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0 if result.get("same_graph", True) else 1


if __name__ == "__main__":
    sys.exit(main())
