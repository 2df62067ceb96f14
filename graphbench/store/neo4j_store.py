"""The Neo4j store, through the official driver over Bolt.

Writes are batched ``UNWIND $rows … MERGE`` in managed transactions (the driver retries transient
errors). Each batch first reads the existing properties of its keys and merges them in Python with
:func:`graphbench.batch.merge_props`, so both stores apply exactly one merge rule. Labels and types
are pasted into Cypher only after :mod:`graphbench.schema` has vouched for them; values are always
``$parameters``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import networkx as nx
import pandas as pd

from graphbench.batch import GraphBatch, coalesce, merge_props
from graphbench.errors import QueryRefused, StoreUnavailable
from graphbench.schema import BASE_LABEL, NODE_TYPES, REL_TYPES, TRANSFER_FIELDS, check_label, check_rel_type, label_of

WRITE_CHUNK = 10_000  # records per write transaction, at most
WRITERS = 2  # write transactions at once (the machine's cores; more only queue on the server)
MIN_CHUNK = 1_000  # below this a batch is not split for parallel writing

class Neo4jStore:
    kind = "neo4j"

    def __init__(self, url: str, user: str, password: str, database: str | None = None) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        self.url = url
        self.database = database
        self._gds: bool | None = None
        self._driver = GraphDatabase.driver(url, auth=(user, password), notifications_min_severity="OFF")
        try:
            self._driver.verify_connectivity()
        except AuthError:
            self._driver.close()
            raise StoreUnavailable(
                f"Neo4j at {url} refused user {user!r}: check NEO4J_USER / NEO4J_PASSWORD") from None
        except (ServiceUnavailable, OSError, ValueError) as exc:
            self._driver.close()
            raise StoreUnavailable(f"Neo4j is unreachable at {url} ({_first_line(exc)}); "
                                   "start it with `make neo4j` or check the URL") from None
        self.ensure_schema()

    # -- plumbing -----------------------------------------------------------------------------

    def _session(self, read: bool = False) -> Any:
        from neo4j import READ_ACCESS, WRITE_ACCESS

        return self._driver.session(database=self.database,
                                    default_access_mode=READ_ACCESS if read else WRITE_ACCESS)

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one write-capable query in a managed transaction (internal use: schema, GDS)."""
        def work(tx: Any) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(cypher, params or {})]
        with self._session() as session:
            return session.execute_write(work)

    def read(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one query in a READ transaction; the server refuses anything that writes."""
        def work(tx: Any) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(cypher, params or {})]
        with self._session(read=True) as session:
            return session.execute_read(work)

    def cypher_read(self, cypher: str, params: dict[str, Any] | None = None,
                    limit: int = 1000) -> list[dict[str, Any]]:
        """The analysts' console: the server's plan of the statement vouches that it only reads
        (:mod:`graphbench.store.cypher_console`); the rows carry ``cut`` when the console stopped early."""
        from graphbench.store.cypher_console import run_console

        return run_console(self._driver, self.database, cypher, params, limit=limit)

    def ensure_schema(self) -> None:
        for label in (*NODE_TYPES, BASE_LABEL):
            self.run(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
                     f"FOR (n:{label}) REQUIRE n.id IS UNIQUE")
        for rel_type, spec in REL_TYPES.items():  # what tells apart two relationships between one pair
            if spec.discriminator:
                self.run(f"CREATE INDEX {rel_type.lower()}_{spec.discriminator} IF NOT EXISTS "
                         f"FOR ()-[r:{rel_type}]-() ON (r.{spec.discriminator})")
        self.run("CREATE INDEX transferred_ts IF NOT EXISTS FOR ()-[r:TRANSFERRED]-() ON (r.ts)")

    def has_gds(self) -> bool:
        """Whether this server has the GDS procedures (asked once per store)."""
        if self._gds is None:
            try:
                self.read("RETURN gds.version() AS version")
                self._gds = True
            except Exception:  # noqa: BLE001 - no GDS procedures on this server: compute in Python
                self._gds = False
        return self._gds

    def close(self) -> None:
        self._driver.close()

    def commit(self) -> None:
        """Every batch is already committed in its own transaction."""

    # -- writing ------------------------------------------------------------------------------

    def upsert(self, batch: GraphBatch) -> None:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        try:
            self._upsert(batch)
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailable(
                f"lost the connection to Neo4j at {self.url} while writing ({_first_line(exc)}); "
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

    # -- reading ------------------------------------------------------------------------------

    def nodes(self, label: str, columns: Sequence[str] | None = None,
              exclude: Sequence[str] = ()) -> pd.DataFrame:
        return self._columns(f"MATCH (n:{check_label(label)})", "n", {"id": "n.id"}, columns, exclude)

    def relationships(self, rel_type: str, columns: Sequence[str] | None = None,
                      exclude: Sequence[str] = ()) -> pd.DataFrame:
        return self._columns(f"MATCH (a)-[r:{check_rel_type(rel_type)}]->(b)", "r",
                             {"start": "a.id", "end": "b.id"}, columns, exclude)

    def _columns(self, match: str, var: str, fixed: dict[str, str], columns: Sequence[str] | None,
                 exclude: Sequence[str]) -> pd.DataFrame:
        """A whole table in one record of one list per column: 1M transfers without provenance in ~10 s,
        where a record per row (a map each) took 45 s. ``collect`` drops nulls, so a missing value travels as a marker."""
        if columns is None:
            found = self.read(f"{match} UNWIND keys({var}) AS k RETURN collect(DISTINCT k) AS keys")
            keys = [k for k in found[0]["keys"] if k not in exclude] if found else []
        else:
            keys = list(columns)
        keys = [k for k in dict.fromkeys(keys) if k not in fixed]
        values = [*fixed.values(), *(f"{var}[$keys[{i}]]" for i in range(len(keys)))]
        found = self.read(f"{match} RETURN {_collected(values)}", {"keys": keys, "missing": _MISSING})
        table = _frame([*fixed, *keys], found[0])
        if columns is None:  # as a map per row did: a property nobody has is not a column
            table = table[[c for c in table.columns if c in fixed or table[c].notna().any()]]
        return _order(table, list(fixed), columns)

    def transfers_of(self, channels: Sequence[str], direction: str = "out", limit: int = 100_000,
                     since: str | None = None, until: str | None = None, last_only: bool = False) -> pd.DataFrame:
        arrow = "-[t:TRANSFERRED]->(:PaymentChannel)" if direction == "out" else "<-[t:TRANSFERRED]-(:PaymentChannel)"
        window = "($since IS NULL OR t.ts >= $since) AND ($until IS NULL OR t.ts <= $until)"
        if last_only:  # each channel's last transfer out (first in) in the window
            order = "DESC" if direction == "out" else "ASC"
            match = (f"MATCH (c:PaymentChannel {{id: id}}) CALL (c) {{ MATCH (c){arrow} WHERE {window} "
                     f"RETURN t ORDER BY t.ts {order}, t.tx_id {order} LIMIT 1 }}")
        else:
            match = f"MATCH (c:PaymentChannel {{id: id}}){arrow} WHERE {window}"
        # one record of one list per column, as _columns reads tables: 90k transfers in half the time
        found = self.read(f"UNWIND $ids AS id {match} "
                          "WITH startNode(t).id AS start, endNode(t).id AS end, t.tx_id AS tx_id, "
                          "t.amount AS amount, t.currency AS currency, t.ts AS ts "
                          f"ORDER BY ts, tx_id LIMIT $limit RETURN {_collected(TRANSFER_FIELDS)}",
                          {"ids": list(dict.fromkeys(channels)), "limit": limit, "since": since, "until": until,
                           "missing": _MISSING})
        return _frame(TRANSFER_FIELDS, found[0])

    def node(self, node_id: str) -> dict[str, Any] | None:
        label = label_of(node_id)
        if label not in NODE_TYPES:
            return None
        rows = self.read(f"MATCH (n:{label} {{id: $id}}) RETURN properties(n) AS p", {"id": node_id})
        return {"label": label, **rows[0]["p"]} if rows else None

    def stats(self) -> dict[str, dict[str, int]]:
        nodes = {label: self.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"] for label in NODE_TYPES}
        rels = {t: self.read(f"MATCH ()-[r:{t}]->() RETURN count(r) AS n")[0]["n"] for t in REL_TYPES}
        return {"nodes": nodes, "relationships": rels}

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 50) -> pd.DataFrame:
        from graphbench.store.embedded import _SEARCH_COLUMNS

        found: list[dict[str, Any]] = []
        needle = text.strip().lower()
        for label in labels or NODE_TYPES:
            if not needle:
                break
            columns = ["id", *_SEARCH_COLUMNS.get(check_label(label), ())]
            condition = " OR ".join(
                f"toLower(toString(n.{c})) CONTAINS $q" if c not in ("common_names", "synonyms")
                else f"any(x IN coalesce(n.{c}, []) WHERE toLower(x) CONTAINS $q)" for c in columns)
            caption = NODE_TYPES[label].title
            rows = self.read(f"MATCH (n:{label}) WHERE {condition} "
                             f"RETURN n.id AS id, toString(n.{caption}) AS caption ORDER BY id LIMIT $limit",
                             {"q": needle, "limit": limit})
            found += [{"id": r["id"], "label": label, "caption": r["caption"]} for r in rows]
        result = pd.DataFrame(found, columns=["id", "label", "caption"])
        return result.sort_values(["label", "id"], kind="stable").head(limit).reset_index(drop=True)

    def neighbourhood(self, node_id: str, hops: int = 1, limit: int = 200,
                      rel_types: Sequence[str] | None = None) -> nx.MultiDiGraph:
        types = [check_rel_type(t) for t in rel_types] if rel_types else list(REL_TYPES)
        graph = nx.MultiDiGraph()
        start = self.node(node_id)
        if start is None:
            return graph
        graph.add_node(node_id, **start)
        frontier = [node_id]
        for _ in range(hops):
            next_frontier: list[str] = []
            for current in frontier:
                room = limit - graph.number_of_nodes()
                # neighbours ordered by id, as the embedded store does, so both show the same cut
                rows = self.read(
                    f"MATCH (n:{check_label(label_of(current))} {{id: $id}})-[r]-(m) WHERE type(r) IN $types "
                    "RETURN type(r) AS type, startNode(r).id AS start, endNode(r).id AS end, m.id AS other, "
                    "properties(r) AS p, properties(m) AS mp "
                    "ORDER BY other, type, elementId(r)",
                    {"id": current, "types": types})
                shown = 0
                hidden: set[str] = set()
                for row in rows:
                    other = row["other"]
                    if other not in graph:
                        if shown >= room:
                            hidden.add(other)
                            continue
                        graph.add_node(other, label=label_of(other), **row["mp"])
                        next_frontier.append(other)
                        shown += 1
                    graph.add_edge(row["start"], row["end"], type=row["type"], **row["p"])
                if hidden:
                    graph.nodes[current]["truncated"] = len(hidden)
            frontier = next_frontier
        return graph

    def run_named(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        from graphbench.store.named_queries import load_query

        query = load_query(name)
        return self.read(query.cypher, query.bind(params))


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


# Stands for "no value" inside collected columns (collect skips nulls, which would shift the rows).
_MISSING = "\u0000graphbench:missing"


def _collected(expressions: Sequence[str]) -> str:
    """``[collect(coalesce(e, $missing)), …] AS columns``: a table in one record of one list per column."""
    return f"[{', '.join(f'collect(coalesce({e}, $missing))' for e in expressions)}] AS columns"


def _frame(names: Sequence[str], record: dict[str, Any]) -> pd.DataFrame:
    """The table a ``_collected`` record holds, under these column names, markers back to None."""
    return pd.DataFrame({name: _without_marker(column) for name, column in zip(names, record["columns"], strict=True)},
                        columns=list(names))


def _without_marker(column: list[Any]) -> list[Any]:
    if _MISSING not in column:
        return column
    return [None if value == _MISSING else value for value in column]


def _order(table: pd.DataFrame, fixed: list[str], columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is not None:
        return table.reindex(columns=fixed + [c for c in columns if c not in fixed])
    rest = [c for c in table.columns if c not in fixed]
    return table[fixed + rest]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
