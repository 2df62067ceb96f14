"""The Neo4j half of bench_ingest: each write method on an emptied database, and the graph it leaves."""

from __future__ import annotations

import csv
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ingest_capture import BATCH_SIZES, LOAD_CSV_FILE, ONE_ROW_ROWS, TRANSFER_COLUMNS, capture

from graphbench.batch import GraphBatch, coalesce

# -- neo4j ------------------------------------------------------------------------------------------


def transfer_slice(data: Path, rows: int, folder: Path) -> Path:
    """The first ``rows`` transactions of the set, as their own folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with (data / "transactions.csv").open(encoding="utf-8") as source, \
            (folder / "transactions.csv").open("w", encoding="utf-8") as target:
        for number, line in enumerate(source):
            if number > rows:
                break
            target.write(line)
    return folder


def regroup(batches: list[GraphBatch], size: int) -> list[GraphBatch]:
    """Consecutive loader batches joined until each holds ``size`` records (whole rows stay together)."""
    grouped: list[GraphBatch] = []
    current = GraphBatch()
    for batch in batches:
        current.extend(batch)
        if len(current) >= size:
            grouped.append(current)
            current = GraphBatch()
    if len(current):
        grouped.append(current)
    return grouped


def wipe(store: Any) -> None:
    with store._session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def checksum(store: Any) -> dict[str, Any]:
    """Counts and property sums that differ when any method leaves a different graph."""
    nodes = store.read("MATCH (n:PaymentChannel) RETURN count(n) AS nodes, sum(n.source_row) AS node_rows, "
                       "sum(size(n.sources)) AS node_sources, min(n.first_seen) AS first, "
                       "max(n.last_seen) AS last, sum(CASE WHEN n:Entity THEN 1 ELSE 0 END) AS entity")[0]
    rels = store.read("MATCH ()-[r:TRANSFERRED]->() RETURN count(r) AS rels, round(sum(r.amount), 2) AS amount, "
                      "sum(r.source_row) AS rel_rows, sum(size(r.sources)) AS rel_sources")[0]
    return {**nodes, **rels}


def batched(store: Any, batches: list[GraphBatch], size: int) -> float:
    import graphbench.store.neo4j_writes as neo4j_store

    saved = neo4j_store.WRITE_CHUNK
    neo4j_store.WRITE_CHUNK = size
    try:
        started = time.perf_counter()
        for batch in regroup(batches, size):
            store.upsert(batch)
        return time.perf_counter() - started
    finally:
        neo4j_store.WRITE_CHUNK = saved


def end_to_end(store: Any, folder: Path) -> float:
    """``load_dir`` of the slice (read, validate, write; resolution off), the way `graphbench load` runs."""
    from loaders.load import load_dir

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as rejects:
        load_dir(store, folder, rejects_dir=rejects, resolve=False)
    return time.perf_counter() - started


def one_row_per_transaction(store: Any, row_batches: list[GraphBatch]) -> float:
    """Each source row in its own transaction, written by the store's own statements."""
    from graphbench.schema import label_of
    from graphbench.store.neo4j_writes import _write_nodes, _write_rels

    def write_row(tx: Any, batch: GraphBatch) -> None:
        for node in batch.nodes:
            _write_nodes(tx, node.label, [{"id": node.id, "props": node.props}])
        for rel in batch.rels:
            _write_rels(tx, rel.type, label_of(rel.start), label_of(rel.end),
                        [{"start": rel.start, "end": rel.end, "props": rel.props}])

    started = time.perf_counter()
    with store._session() as session:
        for batch in row_batches:
            session.execute_write(write_row, coalesce(batch))
    return time.perf_counter() - started


def server_floor(store: Any, batches: list[GraphBatch]) -> float:
    """The final graph (every key once, its properties already merged) written with plain CREATE in
    10k-record transactions, two at once as ``upsert`` writes: no existence reads, no MERGE, no merge
    rule. No write method over Bolt can beat this on the same server; merging beforehand is not timed."""
    from graphbench.schema import BASE_LABEL, label_of

    whole = GraphBatch()
    for batch in batches:
        whole.extend(batch)
    whole = coalesce(whole)

    def create_nodes(tx: Any, label: str, rows: list[dict[str, Any]]) -> None:
        tx.run(f"UNWIND $rows AS p CREATE (n:{label}:{BASE_LABEL}) SET n = p", rows=rows).consume()

    def create_rels(tx: Any, rel_type: str, start: str, end: str, rows: list[dict[str, Any]]) -> None:
        tx.run(f"UNWIND $rows AS row MATCH (a:{start} {{id: row.start}}) MATCH (b:{end} {{id: row.end}}) "
               f"CREATE (a)-[r:{rel_type}]->(b) SET r = row.props", rows=rows).consume()

    nodes: dict[str, list[dict[str, Any]]] = {}
    for node in whole.nodes:
        nodes.setdefault(node.label, []).append({**node.props, "id": node.id})
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for rel in whole.rels:
        rels.setdefault((rel.type, label_of(rel.start), label_of(rel.end)), []).append(
            {"start": rel.start, "end": rel.end, "props": rel.props})
    chunk = BATCH_SIZES[1]
    started = time.perf_counter()
    store._write_in_parallel([(create_nodes, label, rows[i:i + chunk])
                              for label, rows in nodes.items() for i in range(0, len(rows), chunk)])
    store._write_in_parallel([(create_rels, *shape, rows[i:i + chunk])
                              for shape, rows in rels.items() for i in range(0, len(rows), chunk)])
    return time.perf_counter() - started


def write_canonical_csv(batches: list[GraphBatch], target: Path) -> int:
    """One line per TRANSFERRED record, with both channels' keys and the row's provenance."""
    channels = {node.id: node.props for batch in batches for node in batch.nodes}
    count = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(TRANSFER_COLUMNS)
        for batch in batches:
            for rel in batch.rels:
                p = rel.props
                start, end = channels[rel.start], channels[rel.end]
                out.writerow([p["tx_id"], rel.start, rel.end, start["channel_type"], start["channel_id"],
                              end["channel_type"], end["channel_id"], p["amount"],
                              p.get("currency", ""), p.get("ts", ""), p.get("reference", ""), p["source_file"],
                              p["source_row"], p["sha256"], p.get("last_seen") or ""])
                count += 1
    return count


# The merge rule of graphbench.batch in Cypher: the newest capture's provenance wins, first/last seen are
# min/max, sources gain the row's record once, up to 50 (MAX_SOURCES).
_MERGE_CHANNEL = """
  MERGE ({var}:PaymentChannel {{id: row.{end}}})
    ON CREATE SET {var}.channel_type = row.{end}_type, {var}.channel_id = row.{end}_cid,
      {var}.source_file = row.source_file, {var}.source_row = toInteger(row.source_row),
      {var}.sha256 = row.sha256, {var}.first_seen = row.seen, {var}.last_seen = row.seen,
      {var}.sources = [src], {var}:Entity
    ON MATCH SET
      {var}.source_file = CASE WHEN row.seen >= coalesce({var}.last_seen, '') THEN row.source_file
                          ELSE {var}.source_file END,
      {var}.source_row = CASE WHEN row.seen >= coalesce({var}.last_seen, '') THEN toInteger(row.source_row)
                         ELSE {var}.source_row END,
      {var}.sha256 = CASE WHEN row.seen >= coalesce({var}.last_seen, '') THEN row.sha256 ELSE {var}.sha256 END,
      {var}.first_seen = CASE WHEN {var}.first_seen IS NULL OR row.seen < {var}.first_seen THEN row.seen
                         ELSE {var}.first_seen END,
      {var}.last_seen = CASE WHEN {var}.last_seen IS NULL OR row.seen > {var}.last_seen THEN row.seen
                        ELSE {var}.last_seen END,
      {var}.sources = CASE WHEN size({var}.sources) < 50 AND NOT src IN {var}.sources
                      THEN {var}.sources + src ELSE {var}.sources END
"""

LOAD_CSV = ("LOAD CSV WITH HEADERS FROM $url AS row CALL { WITH row "
            "WITH row, row.source_file + '#' + row.source_row + '#' + row.sha256 AS src"
            + _MERGE_CHANNEL.format(var="a", end="start") + " WITH row, src, a"
            + _MERGE_CHANNEL.format(var="b", end="end") + " WITH row, src, a, b "
            "MERGE (a)-[r:TRANSFERRED {tx_id: row.tx_id}]->(b) "
            "ON CREATE SET r.amount = toFloat(row.amount), r.currency = nullIf(row.currency, ''), "
            "r.ts = nullIf(row.ts, ''), r.reference = nullIf(row.reference, ''), "
            "r.source_file = row.source_file, r.source_row = toInteger(row.source_row), r.sha256 = row.sha256, "
            "r.first_seen = row.seen, r.last_seen = row.seen, r.sources = [src] "
            "} IN TRANSACTIONS OF 10000 ROWS")


def load_csv(store: Any, import_dir: Path, batches: list[GraphBatch]) -> tuple[float, float]:
    """(seconds writing the CSV, seconds of LOAD CSV) for the same rows."""
    import_dir.mkdir(parents=True, exist_ok=True)
    target = import_dir / LOAD_CSV_FILE
    started = time.perf_counter()
    write_canonical_csv(batches, target)
    written = time.perf_counter() - started
    try:
        started = time.perf_counter()
        with store._session() as session:
            session.run(LOAD_CSV, url=f"file:///{LOAD_CSV_FILE}").consume()
        return written, time.perf_counter() - started
    finally:
        target.unlink(missing_ok=True)


def neo4j_figures(data: Path, url: str, rows: int, import_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from graphbench.store.neo4j_store import Neo4jStore

    store = Neo4jStore(url, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "graphbench-dev"),
                       os.environ.get("NEO4J_DATABASE") or None)
    figures: list[dict[str, Any]] = []
    checks: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = transfer_slice(data, rows, Path(work) / "slice")
        batches, source_rows, _ = capture(folder, write_batch=1_000)
        records = sum(len(b) for b in batches)
        # a fresh server compiles its write paths on first use (JIT): one untimed load first, so the
        # first method measured is not the one that pays for it
        wipe(store)
        batched(store, batches[: max(1, len(batches) // 5)], BATCH_SIZES[1])
        wipe(store)
        seconds = end_to_end(store, folder)
        figures.append({"method": "Neo4j load_dir end to end (parse + write)", "rows": source_rows,
                        "records": records, "seconds": seconds})
        checks["load_dir"] = checksum(store)
        for size in BATCH_SIZES:
            wipe(store)
            seconds = batched(store, batches, size)
            figures.append({"method": f"Neo4j batched UNWIND … MERGE, {size:,} records/tx", "rows": source_rows,
                            "records": records, "seconds": seconds})
            checks[f"batched {size}"] = checksum(store)
        seconds = batched(store, batches, BATCH_SIZES[1])
        figures.append({"method": f"Neo4j batched {BATCH_SIZES[1]:,}, same rows again (every key exists)",
                        "rows": source_rows, "records": records, "seconds": seconds})
        checks["batched again"] = checksum(store)
        wipe(store)
        csv_s, load_s = load_csv(store, import_dir, batches)
        figures.append({"method": "Neo4j LOAD CSV … IN TRANSACTIONS OF 10000 ROWS (same merge rule)",
                        "rows": source_rows, "records": records, "seconds": load_s})
        figures.append({"method": "(writing that canonical CSV from the parsed rows)", "rows": source_rows,
                        "records": records, "seconds": csv_s})
        checks["load csv"] = checksum(store)
        wipe(store)
        seconds = server_floor(store, batches)
        figures.append({"method": "(server floor: the merged graph, plain CREATE, no reads)", "rows": source_rows,
                        "records": records, "seconds": seconds})
        checks["server floor"] = checksum(store)
        wipe(store)
        small_folder = transfer_slice(data, ONE_ROW_ROWS, Path(work) / "small")
        row_batches, small_rows, _ = capture(small_folder, write_batch=1)
        seconds = one_row_per_transaction(store, row_batches)
        figures.append({"method": "Neo4j one row per transaction (baseline)", "rows": small_rows,
                        "records": sum(len(b) for b in row_batches), "seconds": seconds})
        wipe(store)
        small_batches, _, _ = capture(small_folder, write_batch=1_000)
        batched(store, small_batches, BATCH_SIZES[1])
        checks["batched, first 2k"] = checksum(store)
        wipe(store)
        one_row_per_transaction(store, row_batches)
        checks["one row per tx, first 2k"] = checksum(store)
        wipe(store)
    store.close()
    return figures, checks


# -- report -----------------------------------------------------------------------------------------
