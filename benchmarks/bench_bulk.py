"""First load into Neo4j: `graphbench load --bulk` (neo4j-admin import) against batched Bolt, in one run.

    .venv/bin/python benchmarks/bench_bulk.py [--rows 200000] [--channels 20000]

Generates a transfers-only canonical folder (``--rows`` transactions among ``--channels`` PayPal
channels: each row is one TRANSFERRED relationship and, the first time they appear, two
PaymentChannel nodes), starts a throw-away Neo4j of its own (its own home under /tmp and a free port;
the team's server is left alone) and measures, on that one server:

- ``--bulk`` from a never-started home: parse and validate into ``memory:``, CSVs, neo4j-admin import,
  server start, constraints and indexes online — end to end, and the part after parsing;
- ``graphbench load`` over Bolt (batched UNWIND, two writers) into the emptied database: end to end.

Both leave the same counts (checked). Rows are source rows; records are nodes + relationships.
Prints a Markdown table and writes benchmarks/out/bench_bulk.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"


def transfers_folder(rows: int, channels: int, folder: Path, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-01T00:00:00Z")
    frame = pd.DataFrame({
        "tx_id": [f"T{i:09d}" for i in range(rows)],
        "timestamp": (start + pd.to_timedelta(np.sort(rng.integers(0, 365 * 86400, rows)), unit="s")
                      ).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "from_type": "paypal", "from_id": [f"payer{c}@mail.example" for c in rng.integers(0, channels, rows)],
        "to_type": "paypal", "to_id": [f"seller{c}@mail.example" for c in rng.integers(0, channels, rows)],
        "amount": np.round(rng.lognormal(4, 1, rows), 2), "currency": "USD",
    })
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "transactions.csv", index=False)
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--channels", type=int, default=20_000)
    args = parser.parse_args()
    from graphbench.store.neo4j_store import Neo4jStore
    from loaders.load import load_dir

    work = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    data = transfers_folder(args.rows, args.channels, work / "data")
    port = free_port()
    url = f"bolt://127.0.0.1:{port}"
    env = os.environ | {"GRAPHBENCH_NEO4J_HOME": str(work / "home"), "GRAPHBENCH_NEO4J_PORT": str(port)}
    (work / "home").mkdir()
    rows = []
    try:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "graphbench", "--store", url, "load", str(data), "--bulk",
                               "--no-resolve", "--json", "--rejects", str(work / "rejects")],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            return 1
        bulk = json.loads(done.stdout)["bulk"]
        records = bulk["nodes"] + bulk["relationships"]
        after_parse = bulk["seconds_csv"] + bulk["seconds_import"] + bulk["seconds_restart"] + bulk["seconds_schema"]
        rows.append({"method": "--bulk (neo4j-admin import), fresh server", "seconds": wall, "records": records,
                     "rows_per_s": args.rows / wall, "records_per_s": records / wall, "detail": bulk,
                     "rows_per_s_after_parse": args.rows / after_parse})
        store = Neo4jStore(url, "neo4j", os.environ.get("NEO4J_PASSWORD", "graphbench-dev"))
        bulk_stats = store.stats()
        with store._session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        started = time.perf_counter()
        load_dir(store, data, rejects_dir=work / "rejects-bolt", resolve=False)
        seconds = time.perf_counter() - started
        assert store.stats() == bulk_stats, (store.stats(), bulk_stats)
        rows.append({"method": "graphbench load over Bolt (batched)", "seconds": seconds, "records": records,
                     "rows_per_s": args.rows / seconds, "records_per_s": records / seconds})
        store.close()
    finally:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "neo4j_local.py"), "stop"], env=env,
                       capture_output=True)
    lines = [f"{args.rows:,} transfer rows among {args.channels:,} channels per side, {rows[0]['records']:,} records",
             "", "| method | seconds | rows/s | records/s | rows/s after parsing |", "|---|---|---|---|---|"]
    for r in rows:
        after = f"{r['rows_per_s_after_parse']:,.0f}" if "rows_per_s_after_parse" in r else "—"
        lines.append(f"| {r['method']} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} | {r['records_per_s']:,.0f} | "
                     f"{after} |")
    if rows[0].get("detail"):
        d = rows[0]["detail"]
        lines.append(f"\nbulk phases: parse {d['seconds_parse']} s, CSVs {d['seconds_csv']} s, neo4j-admin import "
                     f"{d['seconds_import']} s ({d['records_per_second_import']:,} records/s), server stop/start "
                     f"{d['seconds_restart']} s, constraints/indexes {d['seconds_schema']} s")
    table = "\n".join(lines)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_bulk.json").write_text(json.dumps({"rows": rows, "markdown": table}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
