"""Soak: five readers at once while 1M transfers load into Neo4j; no errors, exact counts at the end.

    .venv/bin/python benchmarks/bench_soak.py [--neo4j bolt://127.0.0.1:7687] [--rows 1000000]
        [--max-minutes 30]

The database is emptied, then ``graphbench load`` (a separate process, the real CLI) loads the
transfers-only CSV of bench_graph_build (1M rows between 100,000 channels). Meanwhile five readers run
until the load ends (each bounded to --max-minutes and 5,000 reads; loopback only):
- two run ``graphbench --json stats`` processes back to back and check the transfer count never drops;
- one runs ``graphbench --json query transfers_out --param channel=…`` processes;
- two read through one shared ``Neo4jStore`` in this process: ``stats()``, ``node()`` and
  ``neighbourhood()`` of channels, and ``run_named('transfers_in', …)``.
At the end: every read succeeded, the load exited 0, and the store holds exactly the channels and
transfers of the file (counted independently from the CSV). Prints one Markdown table, writes
benchmarks/out/bench_soak.json; exits 1 on any error or count mismatch. Leaves the 1M transfers in
Neo4j (bench_graph_build reuses them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_graph_build import MILLION, neo4j_store, write_million_transfers  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
MAX_READS = 5_000
CLI = [sys.executable, "-m", "graphbench.cli"]


@dataclass
class ReaderLog:
    name: str
    reads: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    last_count: int = 0

    def record(self, seconds: float) -> None:
        self.reads += 1
        self.seconds.append(seconds)


def expected_counts(data: Path) -> tuple[int, int]:
    """(channels, transfers) of the CSV, counted without graphbench."""
    channels: set[str] = set()
    transfers = 0
    with (data / "transactions.csv").open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            parts = line.split(",", 6)
            channels.add(parts[3])
            channels.add(parts[5])
            transfers += 1
    return len(channels), transfers


def cli_json(args: list[str], url: str) -> dict[str, Any]:
    env = {**os.environ, "GRAPHBENCH_AUDIT_LOG": os.devnull}
    done = subprocess.run([*CLI, "--store", url, "--json", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}")
    return json.loads(done.stdout)


def run_reader(log: ReaderLog, read_once: Any, loading: threading.Event, deadline: float) -> None:
    while loading.is_set() and time.monotonic() < deadline and log.reads < MAX_READS:
        started = time.perf_counter()
        try:
            read_once(log)
        except Exception as exc:  # every failure is the finding: keep it and go on
            log.errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        log.record(time.perf_counter() - started)


def stats_reader(url: str) -> Any:
    def read_once(log: ReaderLog) -> None:
        count = cli_json(["stats"], url)["relationships"]["TRANSFERRED"]
        if count < log.last_count:
            raise AssertionError(f"TRANSFERRED went down from {log.last_count} to {count}")
        log.last_count = count
    return read_once


def query_reader(url: str) -> Any:
    def read_once(log: ReaderLog) -> None:
        channel = f"PaymentChannel:paypal:ch{(log.reads * 7919) % 100_000}@pay.example"
        cli_json(["query", "transfers_out", "--param", f"channel={channel}", "--param", "limit=50"], url)
    return read_once


def store_reader(store: Any, offset: int) -> Any:
    def read_once(log: ReaderLog) -> None:
        channel = f"PaymentChannel:paypal:ch{(offset + log.reads * 104_729) % 100_000}@pay.example"
        count = store.stats()["relationships"]["TRANSFERRED"]
        if count < log.last_count:
            raise AssertionError(f"TRANSFERRED went down from {log.last_count} to {count}")
        log.last_count = count
        store.node(channel)
        store.neighbourhood(channel, hops=1, limit=50, rel_types=["TRANSFERRED"])
        store.run_named("transfers_in", {"channel": channel, "limit": 50})
    return read_once


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--rows", type=int, default=MILLION)
    parser.add_argument("--max-minutes", type=float, default=30.0)
    args = parser.parse_args()
    if not args.neo4j.startswith(("bolt://127.0.0.1", "bolt://localhost", "neo4j://127.0.0.1", "neo4j://localhost")):
        print("the soak runs on a loopback server only", file=sys.stderr)
        return 2
    data = write_million_transfers()
    if args.rows != MILLION:
        from ingest_neo4j import transfer_slice

        data = transfer_slice(data, args.rows, OUT / "cache" / f"transfers-{args.rows}")
    channels, transfers = expected_counts(data)
    store = neo4j_store(args.neo4j)
    with store._session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    readers = [ReaderLog("CLI stats process #1"), ReaderLog("CLI stats process #2"),
               ReaderLog("CLI query transfers_out process"), ReaderLog("store reads #1 (shared driver)"),
               ReaderLog("store reads #2 (shared driver)")]
    work = [stats_reader(args.neo4j), stats_reader(args.neo4j), query_reader(args.neo4j),
            store_reader(store, 0), store_reader(store, 50_000)]
    loading = threading.Event()
    loading.set()
    deadline = time.monotonic() + args.max_minutes * 60
    rejects = OUT / "cache" / "soak-rejects"
    started = time.perf_counter()
    loader = subprocess.Popen([*CLI, "--store", args.neo4j, "load", str(data), "--rejects", str(rejects), "--quiet",
                               "--no-resolve"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "GRAPHBENCH_AUDIT_LOG": os.devnull})
    threads = [threading.Thread(target=run_reader, args=(log, job, loading, deadline), daemon=True)
               for log, job in zip(readers, work, strict=True)]
    for thread in threads:
        thread.start()
    try:
        _, loader_err = loader.communicate(timeout=max(deadline - time.monotonic(), 1))
    except subprocess.TimeoutExpired:
        loader.kill()
        _, loader_err = loader.communicate()
    load_s = time.perf_counter() - started
    loading.clear()
    for thread in threads:
        thread.join()
    final = store.stats()
    store.close()
    got_channels = final["nodes"]["PaymentChannel"]
    got_transfers = final["relationships"]["TRANSFERRED"]
    errors = sum(len(r.errors) for r in readers)
    exact = got_channels == channels and got_transfers == transfers
    ok = loader.returncode == 0 and errors == 0 and exact
    print(f"### Soak: 5 readers during a {transfers:,}-row load into Neo4j\n")
    print(f"load: exit {loader.returncode} in {load_s:.0f} s ({transfers / load_s:,.0f} rows/s with readers); "
          f"channels {got_channels:,} / expected {channels:,}; transfers {got_transfers:,} / expected {transfers:,} "
          f"({'exact' if exact else 'MISMATCH'})\n")
    print("| reader | reads | errors | median s | worst s |\n|---|---:|---:|---:|---:|")
    for r in readers:
        times = sorted(r.seconds) or [0.0]
        print(f"| {r.name} | {r.reads:,} | {len(r.errors)} | {times[len(times) // 2]:.3f} | {times[-1]:.3f} |")
    print(f"\nsoak {'passed' if ok else 'FAILED'}\n")
    for r in readers:
        for error in r.errors[:3]:
            print(f"- {r.name}: {error}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_soak.json").write_text(json.dumps({
        "rows": transfers, "load_s": load_s, "loader_exit": loader.returncode,
        "loader_stderr": (loader_err or "")[-2000:], "expected": {"channels": channels, "transfers": transfers},
        "final": {"channels": got_channels, "transfers": got_transfers}, "passed": ok,
        "readers": [{"name": r.name, "reads": r.reads, "errors": r.errors[:20],
                     "median_s": sorted(r.seconds)[len(r.seconds) // 2] if r.seconds else None,
                     "worst_s": max(r.seconds, default=None)} for r in readers],
    }, indent=2), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
