"""Building the analysis graph from each store: 1M transfers and the 100x sample set.

    .venv/bin/python benchmarks/bench_graph_build.py [--neo4j bolt://127.0.0.1:7687] [--skip-neo4j]

What is timed, each in a fresh process (so peak memory is the build's own): ``read_tables(store)``
(every relationship type and the analysed node tables as DataFrames; the TRANSFERRED table is the
transfers table trails and patterns work on; provenance columns left out, as the app and the CLI
analyses read), ``build_account_graph`` over them (the account projection on integer ids) and
``TransferIndex.from_frame`` (the integer money graph traces and patterns run on). Peak memory is the
process's ru_maxrss after all three.

Stores: an embedded store (Parquet) holding 1M transfers (a transfers-only CSV, 1,000,000 rows
between 100,000 channels over two years, a tenth of them into 100 hubs, made once and loaded through the loaders into
benchmarks/out/cache/), the same 1M transfers in Neo4j (loaded when the server does not hold exactly
them, e.g. after bench_soak), and the embedded store of the 100x sample set that bench_ingest leaves
in benchmarks/out/cache/big-embedded. Prints one Markdown table, writes benchmarks/out/bench_graph_build.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"
CACHE = OUT / "cache"
MILLION = 1_000_000
CHANNELS = 100_000
HUBS = 100  # channels 0..99 collect HUB_SHARE of all transfers (~1,000 each)
HUB_SHARE = 0.1
MILLION_DATA = CACHE / "transfers-1m"
MILLION_STORE = CACHE / "transfers-1m-embedded"
BIG_STORE = CACHE / "big-embedded"  # written by bench_ingest
GOAL_SECONDS = 3.0
GOAL_MB = 1_500


def write_million_transfers(folder: Path = MILLION_DATA, rows: int = MILLION) -> Path:
    """A transfers-only CSV: random senders and receivers among CHANNELS PayPal addresses, a tenth of the
    money going to 100 hubs, in time order."""
    import numpy as np

    target = folder / "transactions.csv"
    if target.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    senders = rng.integers(0, CHANNELS, rows)
    receivers = (senders + rng.integers(1, CHANNELS, rows)) % CHANNELS  # never to itself
    # one transfer in ten goes to one of HUBS collecting channels (escrows, cash-out wallets): busy nodes
    to_hub = (rng.random(rows) < HUB_SHARE) & (senders >= HUBS)
    receivers[to_hub] = rng.integers(0, HUBS, int(to_hub.sum()))
    seconds = np.sort(rng.integers(0, 2 * 365 * 86_400, rows)) + 1_672_531_200  # 2023-01-01
    stamps = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    amounts = np.round(rng.lognormal(4.0, 1.2, rows), 2)
    temp = target.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8") as handle:
        handle.write("tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency,reference\n")
        for i in range(rows):
            handle.write(f"T{i:07d},{stamps[i]}Z,paypal,ch{senders[i]}@pay.example,paypal,"
                         f"ch{receivers[i]}@pay.example,{amounts[i]:.2f},USD,order {i}\n")
    temp.replace(target)
    return folder


def million_embedded_store() -> str:
    """The URL of an embedded store holding the 1M transfers (loaded once, through the loaders)."""
    from graphbench.store.embedded import EmbeddedStore
    from loaders.load import load_dir

    done = MILLION_STORE / "loaded.json"
    if not done.exists():
        data = write_million_transfers()
        started = time.perf_counter()
        store = EmbeddedStore(str(MILLION_STORE))
        with tempfile.TemporaryDirectory() as rejects:
            report = load_dir(store, data, rejects_dir=rejects, resolve=False)
        done.write_text(json.dumps({"rows": report.rows, "seconds": time.perf_counter() - started}))
    return f"file:{MILLION_STORE}"


def neo4j_store(url: str) -> Any:
    from graphbench.store.neo4j_store import Neo4jStore

    return Neo4jStore(url, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "graphbench-dev"),
                      os.environ.get("NEO4J_DATABASE") or None)


def transfer_count(store: Any) -> int:
    return store.read("MATCH ()-[r:TRANSFERRED]->() RETURN count(r) AS n")[0]["n"]


def million_neo4j_store(url: str) -> str:
    """Make sure Neo4j holds exactly the 1M transfers (loading them through the loaders if not)."""
    from loaders.load import load_dir

    store = neo4j_store(url)
    try:
        if transfer_count(store) != MILLION or store.read("MATCH (n:Listing) RETURN count(n) AS n")[0]["n"]:
            with store._session() as session:
                session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
            with tempfile.TemporaryDirectory() as rejects:
                load_dir(store, write_million_transfers(), rejects_dir=rejects, resolve=False)
    finally:
        store.close()
    return url


def measure(url: str) -> dict[str, Any]:
    """Read the tables and project the account graph (in this process: run it in a fresh one)."""
    from graphbench.analytics.projection import build_account_graph
    from graphbench.analytics.trace import TransferIndex
    from graphbench.store import open_store
    from graphbench.store.tables import read_tables

    store = open_store(url)
    started = time.perf_counter()
    tables = read_tables(store, provenance=False)  # as the app and the CLI analyses read
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_account_graph(tables, tables["Account"])
    project_s = time.perf_counter() - started
    started = time.perf_counter()
    TransferIndex.from_frame(tables["TRANSFERRED"])
    money_s = time.perf_counter() - started
    store.close()
    return {"read_s": read_s, "project_s": project_s, "money_s": money_s, "total_s": read_s + project_s + money_s,
            "transfers": len(tables["TRANSFERRED"]), "accounts": len(tables["Account"]),
            "records": sum(len(t) for t in tables.values()), "account_edges": graph.n_edges,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_in_child(url: str) -> dict[str, Any]:
    env = {**os.environ, "GRAPHBENCH_AUDIT_LOG": os.devnull}
    done = subprocess.run([sys.executable, __file__, "--one", url], capture_output=True, text=True, env=env,
                          cwd=ROOT)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| store | data | transfers | records read | read tables s | account graph s | money graph s | total s | "
             f"vs goal {GOAL_SECONDS:.0f} s | peak MB | vs goal {GOAL_MB:,} MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['store']} | {r['data']} | | | | | | | failed: {r['error']} | | |")
            continue
        time_ok = "met" if r["total_s"] <= GOAL_SECONDS else f"{r['total_s'] / GOAL_SECONDS:.1f}× over"
        mb_ok = "met" if r["peak_mb"] <= GOAL_MB else f"{r['peak_mb'] / GOAL_MB:.1f}× over"
        lines.append(f"| {r['store']} | {r['data']} | {r['transfers']:,} | {r['records']:,} | {r['read_s']:.2f} | "
                     f"{r['project_s']:.2f} | {r['money_s']:.2f} | {r['total_s']:.2f} | {time_ok} | {r['peak_mb']:,.0f} | {mb_ok} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--skip-neo4j", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    cases = [("embedded", "1M transfers", million_embedded_store())]
    if not args.skip_neo4j:
        cases.append(("Neo4j", "1M transfers", million_neo4j_store(args.neo4j)))
    if (BIG_STORE / "loaded.json").exists():
        cases.append(("embedded", "100x sample set", f"file:{BIG_STORE}"))
    rows = [{"store": kind, "data": data, **measure_in_child(url)} for kind, data, url in cases]
    print("### Analysis graph build (read_tables + account projection)\n")
    print(markdown(rows))
    print()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_graph_build.json").write_text(json.dumps({"cases": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
