"""The Neo4j store's writes: batched ``UNWIND $rows … MERGE`` in managed transactions (the driver
retries transient errors), several chunks at once.

Each batch first reads the existing properties of its keys and merges them in Python with
:func:`graphbench.batch.merge_props`, so both stores apply exactly one merge rule. A batch that meets
another writer's nodes (a ``ConstraintError``: both created the same key, each having seen none) is
written again, its existence reads redone: the merge is idempotent, so the retry converges.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from graphbench.batch import GraphBatch, coalesce, merge_props
from graphbench.errors import GraphbenchError, QueryRefused, StoreUnavailable
from graphbench.schema import BASE_LABEL, REL_TYPES, check_label, check_rel_type, label_of
from graphbench.store.neo4j_lease import WriterLease

WRITE_CHUNK = 10_000  # records per write transaction, at most
WRITERS = 2  # write transactions at once (the machine's cores; more only queue on the server)
MIN_CHUNK = 1_000  # below this a batch is not split for parallel writing
CONFLICT_RETRIES = 3  # a batch rewritten after another writer's conflicting key, at most


class Neo4jWrites:
    """Write methods of :class:`graphbench.store.neo4j_store.Neo4jStore` (which provides the sessions)."""

    url: str
    _lease: WriterLease | None = None

    def _session(self, read: bool = False) -> Any:
        raise NotImplementedError

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _run_once(self, cypher: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """One auto-commit query, never retried: renewing or giving back a lease on a server that went away
        must fail at once, not after the driver's 30 s of retries (the lease lapses by itself)."""
        with self._session() as session:
            return [record.data() for record in session.run(cypher, params)]

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the server's one writer (:mod:`graphbench.store.neo4j_lease`) for a whole load."""
        if self._lease is None:
            self._lease = WriterLease(self.run, self.url, once=self._run_once)
        lease = self._lease
        lease.acquire()
        try:
            yield
        finally:
            lease.release()

    # -- writing ------------------------------------------------------------------------------

    def upsert(self, batch: GraphBatch) -> None:
        from neo4j.exceptions import ConstraintError, DatabaseUnavailable, ServiceUnavailable, SessionExpired

        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                self._upsert(batch)
                return
            except ConstraintError as exc:
                # another writer created one of these keys after this batch looked: look again, merge
                if attempt == CONFLICT_RETRIES:
                    raise GraphbenchError(
                        f"another process kept writing the same keys into Neo4j at {self.url} "
                        f"({first_line(exc)}); run one load at a time, or rerun this one") from None
            except (ServiceUnavailable, SessionExpired, DatabaseUnavailable, OSError) as exc:
                # DatabaseUnavailable: a server shutting down, once the driver's retries are spent
                raise StoreUnavailable(
                    f"lost the connection to Neo4j at {self.url} while writing ({first_line(exc)}); "
                    "batches written so far are kept, rerun the same load to complete it") from None

    def _upsert(self, batch: GraphBatch) -> None:
        batch = coalesce(batch)
        by_label: dict[str, list[dict[str, Any]]] = {}
        for node in batch.nodes:
            by_label.setdefault(node.label, []).append({"id": node.id, "props": node.props})
        by_shape: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for rel in batch.rels:
            shape = (rel.type, label_of(rel.start), label_of(rel.end))
            by_shape.setdefault(shape, []).append({"start": rel.start, "end": rel.end, "props": rel.props})
        with self._session(read=True) as session:
            # a label or type with nothing stored yet has nothing to merge with: its existence reads are
            # skipped (a batch's keys are unique, so its own earlier chunks cannot be hit either)
            empty = session.execute_read(_empty_kinds, sorted(by_label), sorted({s[0] for s in by_shape}))
        # nodes first, then relationships (they MATCH their end nodes), each in parallel chunks. Node chunks
        # hold different keys. Relationships go one shape at a time: chunks of two shapes meet at their
        # nodes (a listing's POSTED and MENTIONS) and deadlocked there, each retry costing the driver's
        # one-second back-off (the sample: 1-3 deadlocks per load before, 0-2 after)
        self._write_in_parallel([(_write_nodes, check_label(label), chunk, label in empty)
                                 for label, rows in by_label.items() for chunk in _chunks(rows)])
        for (rel_type, start_label, end_label), rows in by_shape.items():
            self._write_in_parallel([(_write_rels, check_rel_type(rel_type), check_label(start_label),
                                      check_label(end_label), chunk, rel_type in empty)
                                     for chunk in _chunks(rows)])

    def _write_in_parallel(self, jobs: list[tuple[Any, ...]]) -> None:
        """Each job (function, arguments) in its own write transaction, WRITERS at a time. A coalesced
        batch's chunks hold different keys, so they never wait on each other's locks; the server then
        works on all cores (1.4x on this 2-core machine). The first error is raised once all are done."""
        def write(job: tuple[Any, ...]) -> None:
            with self._session() as session:
                session.execute_write(*job)

        if len(jobs) <= 1 or WRITERS == 1:
            for job in jobs:
                write(job)
            return
        with ThreadPoolExecutor(min(WRITERS, len(jobs)), thread_name_prefix="graphbench-neo4j") as pool:
            for future in [pool.submit(write, job) for job in jobs]:
                future.result()

    def set_rel_property(self, rel_type: str, start: str, end: str, key: str, value: Any) -> None:
        if not re.fullmatch(r"[a-z_]+", key):
            raise QueryRefused(f"property name {key!r} is not allowed")
        rows = self.run(
            f"MATCH (a:{check_label(label_of(start))} {{id: $start}})-[r:{check_rel_type(rel_type)}]->"
            f"(b:{check_label(label_of(end))} {{id: $end}}) SET r += $change RETURN count(r) AS n",
            {"start": start, "end": end, "change": {key: value}})
        if not rows or rows[0]["n"] == 0:
            raise KeyError(f"no {rel_type} relationship from {start} to {end}")

    def delete_derived(self, rel_type: str) -> None:
        if not REL_TYPES[check_rel_type(rel_type)].derived:
            raise ValueError(f"{rel_type} is loaded from sources, not derived")
        # batched in auto-commit transactions, so a million derived links never sit in one transaction
        with self._session() as session:
            session.run(f"MATCH ()-[r:{rel_type}]->() CALL {{ WITH r DELETE r }} IN TRANSACTIONS OF 10000 ROWS"
                        ).consume()

def _empty_kinds(tx: Any, labels: list[str], rel_types: list[str]) -> set[str]:
    """The labels and relationship types that hold nothing yet (counts come from the count store)."""
    empty = set()
    for label in labels:
        if tx.run(f"MATCH (n:{check_label(label)}) RETURN count(n) AS n").single()["n"] == 0:
            empty.add(label)
    for rel_type in rel_types:
        if tx.run(f"MATCH ()-[r:{check_rel_type(rel_type)}]->() RETURN count(r) AS n").single()["n"] == 0:
            empty.add(rel_type)
    return empty


def _write_nodes(tx: Any, label: str, rows: list[dict[str, Any]], known_new: bool = False) -> None:
    # existing nodes come back as one list in one record: one Bolt message, not one per node
    existing = {} if known_new else dict(tx.run(
        f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN collect([id, properties(n)]) AS found",
        ids=[row["id"] for row in rows]).single()["found"])
    props = []
    for row in rows:
        old = existing.get(row["id"])
        merged = row["props"] if old is None else _changed(old, merge_props(old, row["props"]))
        if merged:  # a node the merge leaves as it is (a reload) is not written again
            merged["id"] = row["id"]
            props.append(merged)
    # one map per row (its new or changed properties, id included): the lightest parameter there is
    if props:
        # nothing of this label yet: CREATE skips MERGE's lookup (the id constraint still guards)
        write = "CREATE (n:{label}:{base}) SET n = props" if known_new else \
            "MERGE (n:{label} {{id: props.id}}) SET n += props, n:{base}"
        tx.run("UNWIND $rows AS props " + write.format(label=label, base=BASE_LABEL), rows=props).consume()


def _write_rels(tx: Any, rel_type: str, start_label: str, end_label: str, rows: list[dict[str, Any]],
                known_new: bool = False) -> None:
    disc = REL_TYPES[rel_type].discriminator
    if disc:
        _write_discriminated_rels(tx, rel_type, disc, start_label, end_label, rows, known_new)
        return
    match = (f"UNWIND $rows AS row MATCH (a:{start_label} {{id: row.start}}) "
             f"MATCH (b:{end_label} {{id: row.end}}) ")
    existing = {} if known_new else {
        (start, end): props
        for start, end, props in tx.run(match + f"MATCH (a)-[r:{rel_type}]->(b) "
                                        "RETURN collect([row.start, row.end, properties(r)]) AS found",
                                        rows=[{"start": row["start"], "end": row["end"]} for row in rows]
                                        ).single()["found"]
    }
    changed = []
    for row in rows:
        old = existing.get((row["start"], row["end"]))
        if old is not None:
            row["props"] = _changed(old, merge_props(old, row["props"]))
        if row["props"]:  # unchanged by the merge: nothing to write
            changed.append(row)
    if changed:
        tx.run(match + f"MERGE (a)-[r:{rel_type}]->(b) SET r += row.props", rows=changed).consume()


def _write_discriminated_rels(tx: Any, rel_type: str, disc: str, start_label: str, end_label: str,
                              rows: list[dict[str, Any]], known_new: bool = False) -> None:
    """Relationships told apart by a property (TRANSFERRED by tx_id): found through the property's
    index, not by expanding a busy channel's thousands of transfers; new ones are CREATEd."""
    existing: dict[tuple[str, str, Any], tuple[str, dict[str, Any]]] = {}
    if not known_new:
        # the hint pins the index seek: a plan cached while the type was nearly empty may scan instead
        found = tx.run(f"UNWIND $discs AS disc MATCH (a)-[r:{rel_type} {{{disc}: disc}}]->(b) "
                       f"USING INDEX r:{rel_type}({disc}) "
                       "RETURN collect([a.id, b.id, disc, elementId(r), properties(r)]) AS found",
                       discs=sorted({row["props"].get(disc) for row in rows})).single()["found"]
        existing = {(start, end, value): (rid, props) for start, end, value, rid, props in found}
    fresh, update = [], []
    for row in rows:
        hit = existing.get((row["start"], row["end"], row["props"].get(disc))) if existing else None
        if hit is None:
            fresh.append(row)
            continue
        changed = _changed(hit[1], merge_props(hit[1], row["props"]))
        if changed:
            update.append({"rid": hit[0], "props": changed})
    if fresh:
        tx.run(f"UNWIND $rows AS row MATCH (a:{start_label} {{id: row.start}}) "
               f"MATCH (b:{end_label} {{id: row.end}}) CREATE (a)-[r:{rel_type}]->(b) SET r = row.props",
               rows=fresh).consume()
    if update:
        tx.run("UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.rid SET r += row.props",
               rows=update).consume()


def _changed(old: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    """What ``SET x += …`` needs to turn ``old`` into ``merged``: changed or added properties, and null
    for any the merge dropped (it keeps them all in practice). A busy channel's 50 sources are then not
    sent back on every batch."""
    changed = {key: value for key, value in merged.items() if old.get(key, _ABSENT) != value}
    changed.update({key: None for key in old if key not in merged})
    return changed


_ABSENT = object()


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """At most WRITE_CHUNK rows each, and at least WRITERS chunks when there is enough to share."""
    size = max(1, min(WRITE_CHUNK, max(MIN_CHUNK, -(-len(rows) // WRITERS))))
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
