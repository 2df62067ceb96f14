"""The Neo4j store, through the official driver over Bolt.

This module holds the connection and the reads; the writes are :mod:`graphbench.store.neo4j_writes`.
Labels and types are pasted into Cypher only after :mod:`graphbench.schema` has vouched for them;
values are always ``$parameters``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import pandas as pd

from graphbench.errors import StoreUnavailable
from graphbench.schema import BASE_LABEL, NODE_TYPES, REL_TYPES, TRANSFER_FIELDS, check_label, check_rel_type, label_of
from graphbench.store.neo4j_writes import Neo4jWrites, first_line
from graphbench.store.search import LIST_COLUMNS, SEARCH_COLUMNS


class Neo4jStore(Neo4jWrites):
    """The Neo4j store: the port, and the SupportsCypher / SupportsGds capabilities."""

    def __init__(self, url: str, user: str, password: str, database: str | None = None) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        self.url = url
        self.database = database
        self._gds: bool | None = None
        from graphbench.settings import neo4j_retry_seconds

        self._driver = GraphDatabase.driver(url, auth=(user, password), notifications_min_severity="OFF",
                                            max_transaction_retry_time=neo4j_retry_seconds())
        try:
            self._driver.verify_connectivity()
        except AuthError:
            self._driver.close()
            raise StoreUnavailable(
                f"Neo4j at {url} refused user {user!r}: check NEO4J_USER / NEO4J_PASSWORD") from None
        except (ServiceUnavailable, OSError, ValueError) as exc:
            self._driver.close()
            raise StoreUnavailable(f"Neo4j is unreachable at {url} ({first_line(exc)}); "
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
        from graphbench.store.neo4j_lease import LEASE_LABEL

        for label in (*NODE_TYPES, BASE_LABEL, LEASE_LABEL):
            self._schema(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
                         f"FOR (n:{label}) REQUIRE n.id IS UNIQUE")
        for rel_type, spec in REL_TYPES.items():  # what tells apart two relationships between one pair
            if spec.discriminator:
                self._schema(f"CREATE INDEX {rel_type.lower()}_{spec.discriminator} IF NOT EXISTS "
                             f"FOR ()-[r:{rel_type}]-() ON (r.{spec.discriminator})")
        self._schema("CREATE INDEX transferred_ts IF NOT EXISTS FOR ()-[r:TRANSFERRED]-() ON (r.ts)")

    def _schema(self, statement: str) -> None:
        """One schema statement; another process creating the same rule at the same moment is no error."""
        from neo4j.exceptions import ClientError

        try:
            self.run(statement)
        except ClientError as exc:
            if "AlreadyExists" not in (exc.code or ""):
                raise

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
        found: list[dict[str, Any]] = []
        needle = text.strip().lower()
        for label in labels or NODE_TYPES:
            if not needle:
                break
            columns = ["id", *SEARCH_COLUMNS.get(check_label(label), ())]
            condition = " OR ".join(
                f"toLower(toString(n.{c})) CONTAINS $q" if c not in LIST_COLUMNS
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
                    "properties(r) AS p, properties(m) AS mp, elementId(r) AS rid "
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
                    # keyed by the relationship: met again from its other end, it is not drawn twice
                    graph.add_edge(row["start"], row["end"], key=row["rid"], type=row["type"], **row["p"])
                if hidden:
                    graph.nodes[current]["truncated"] = len(hidden)
            frontier = next_frontier
        return graph

    def run_named(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        from graphbench.store.named_queries import load_query

        query = load_query(name)
        return self.read(query.cypher, query.bind(params))


# Stands for "no value" inside collected columns (collect skips nulls, which would shift the rows).
_MISSING = "\u0000graphbench:missing"


def _collected(expressions: Sequence[str]) -> str:
    """``[collect(coalesce(e, $missing)), …] AS columns``: a table in one record of one list per column."""
    return f"[{', '.join(f'collect(coalesce({e}, $missing))' for e in expressions)}] AS columns"


def _frame(names: Sequence[str], record: dict[str, Any]) -> pd.DataFrame:
    """The table a ``_collected`` record holds, under these column names, markers back to None. Whole
    numbers with gaps stay whole (``Int64``), as the embedded store types them, not floats."""
    columns = {name: _without_marker(column) for name, column in zip(names, record["columns"], strict=True)}
    table = pd.DataFrame(columns, columns=list(names))
    for name, column in columns.items():
        if table[name].dtype == "float64" and table[name].isna().any() \
                and all(type(v) is int for v in column if v is not None):
            table[name] = pd.array(column, dtype="Int64")
    return table


def _without_marker(column: list[Any]) -> list[Any]:
    if _MISSING not in column:
        return column
    return [None if value == _MISSING else value for value in column]


def _order(table: pd.DataFrame, fixed: list[str], columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is not None:
        return table.reindex(columns=fixed + [c for c in columns if c not in fixed])
    rest = [c for c in table.columns if c not in fixed]
    return table[fixed + rest]
