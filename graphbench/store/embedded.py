"""The embedded store on DuckDB: one table per label (``n_Account``) and per relationship type
(``r_TRANSFERRED``) in one database file, ``PATH/graph.duckdb`` (``memory:``: an in-memory database).

It needs no server and serves one analyst on one machine; tables live on disk, not in RAM (DuckDB spills
past its memory limit), so a store is bounded by the disk. Writes are merged set-wise in SQL by the one
merge rule (:mod:`graphbench.store.duck_merge`); reads come back as pandas through Arrow.

One writer at a time (:mod:`graphbench.store.writer_lock`): a store takes the workspace's writer lock
before its first write and gives it back once that work is committed (``write_lock()`` holds it across a
whole load). It writes a working copy and publishes it on commit (:mod:`graphbench.store.duck_workspace`),
so a killed load leaves the last committed state, a rerun of the same load completes it, and a reader
never sees half a commit. A workspace of the earlier Parquet layout is imported on first open.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import pandas as pd
import pyarrow as pa

from graphbench.batch import GraphBatch
from graphbench.schema import NODE_TYPES, REL_TYPES, TRANSFER_FIELDS, check_label, check_rel_type, label_of
from graphbench.store import duck_workspace as workspace
from graphbench.store.duck_keys import StoredKeys
from graphbench.store.duck_merge import arrow_of, merge_into, q, table_columns
from graphbench.store.duck_values import records_table, unified, value_sql_type
from graphbench.store.frames import select
from graphbench.store.search import SEARCH_COLUMNS
from graphbench.store.writer_lock import WriterLock

TRANSFER_COLUMNS = TRANSFER_FIELDS[2:]  # after start, end


def _pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas as the port promises: whole numbers stay whole with gaps (Int64), text is object."""
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def rel_keys(rel_type: str) -> list[str]:
    disc = REL_TYPES[rel_type].discriminator
    return ["start", "end", *([disc] if disc else [])]


class EmbeddedStore:
    """The embedded store (``file:PATH`` or ``memory:``); no capabilities beyond the port."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.url = f"file:{path}" if path else "memory:"
        self._lock = WriterLock(self.path) if self.path else None
        self._lock_until_commit = False  # taken by a write, not by write_lock(): commit gives it back
        self._writing: duckdb.DuckDBPyConnection | None = None
        self._memory: duckdb.DuckDBPyConnection | None = None
        self._reader = workspace.Reader(self.path) if self.path else None
        self._schema: dict[str, dict[str, str]] = {}  # table → columns, while the data version holds
        self._schema_of = (-1, -1)
        self._writes = 0
        self._keys = StoredKeys()  # key hashes of the tables written through the current connection
        if self.path is None:
            self._memory = duckdb.connect(":memory:")
            workspace.settings(self._memory, None)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            if self._lock is not None and workspace.needs_migration(self.path):
                workspace.migrate(self.path, self._lock)

    # -- connections --------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """The connection a read goes to: this store's own (memory, or the working copy while it writes),
        else the published file opened read-only for this one read (None when nothing was committed)."""
        own = self._memory or self._writing
        if own is not None:
            yield own
            return
        assert self._reader is not None
        con = self._reader.cursor()
        try:
            yield con
        finally:
            if con is not None:
                con.close()

    def _columns(self, con: duckdb.DuckDBPyConnection | None, table: str) -> dict[str, str]:
        """A table's columns, asked of DuckDB once per data version (the catalogue query is the slow part
        of a small read)."""
        if con is None:
            return {}
        version = (self._reader.version if self._reader else 0, self._writes)
        if version != self._schema_of:
            self._schema, self._schema_of = {}, version
        if table not in self._schema:
            self._schema[table] = table_columns(con, table)
        return self._schema[table]

    def _con_for_write(self) -> duckdb.DuckDBPyConnection:
        self._writes += 1  # the tables' columns may change
        self._begin_write()
        if self._memory is not None:
            return self._memory
        if self._writing is None:
            assert self.path is not None
            self._writing = workspace.open_writer(self.path)
        return self._writing

    # -- one writer ---------------------------------------------------------------------------

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the workspace's one writer for a whole unit of work (a load); committed at the end."""
        if self._lock is None:
            yield
            return
        self._lock.acquire()
        try:
            yield
        finally:
            try:
                self.commit()
            finally:
                self._lock.release()

    def _begin_write(self) -> None:
        """Before any change: take the writer lock if this store does not hold it yet."""
        if self._lock is not None and not self._lock.held:
            self._lock.acquire()
            self._lock_until_commit = True

    # -- tables -------------------------------------------------------------------------------

    def nodes(self, label: str, columns: Sequence[str] | None = None,
              exclude: Sequence[str] = ()) -> pd.DataFrame:
        return self._read("nodes", check_label(label), ["id"], columns, exclude)

    def relationships(self, rel_type: str, columns: Sequence[str] | None = None,
                      exclude: Sequence[str] = ()) -> pd.DataFrame:
        return self._read("rels", check_rel_type(rel_type), ["start", "end"], columns, exclude)

    def _read(self, kind: str, name: str, fixed: list[str], columns: Sequence[str] | None,
              exclude: Sequence[str], where: str = "", params: Sequence[Any] = ()) -> pd.DataFrame:
        table = workspace.table_name(kind, name)
        with self._reading() as con:
            present = list(self._columns(con, table))
            if not present:
                return select(pd.DataFrame(columns=fixed), fixed, columns)
            assert con is not None  # a table has columns only where there is a database
            wanted = [c for c in (columns if columns is not None else present)
                      if c in present and (c in fixed or c not in exclude)]
            picked = ", ".join(q(c) for c in dict.fromkeys([*fixed, *wanted]))
            frame = _pandas(arrow_of(con.execute(f"SELECT {picked} FROM {q(table)} {where}", list(params))))
        return select(frame, fixed, columns) if columns is not None else frame

    def relationship_batches(self, rel_type: str, columns: Sequence[str], rows: int = 1 << 20) -> Iterator[pa.RecordBatch]:
        """The wanted columns that exist, as Arrow record batches of about ``rows`` rows (nothing when no
        such relationship was stored): the money graph of 20M transfers is built from these."""
        table = workspace.table_name("rels", check_rel_type(rel_type))
        with self._reading() as con:
            present = self._columns(con, table)
            if not present:
                return
            assert con is not None  # a table has columns only where there is a database
            picked = ", ".join(q(c) for c in dict.fromkeys(c for c in columns if c in present))
            query = f"SELECT {picked} FROM {q(table)}"
            if self._memory is not None or self._writing is not None or self._reader is None:
                yield from con.execute(query).to_arrow_reader(rows)
                return
        # the published file in a DuckDB of its own, closed after: the pages a whole-table scan caches
        # (~0.6 GB for 20M transfers) are let go with it instead of staying in the store's reader
        private = duckdb.connect(":memory:")
        try:
            private.execute(f"ATTACH {workspace.sql_text(str(self._reader.file))} AS published (READ_ONLY)")
            private.execute("USE published")
            yield from private.execute(query).to_arrow_reader(rows)
        finally:
            private.close()

    def transfers_of(self, channels: Sequence[str], direction: str = "out", limit: int = 100_000,
                     since: str | None = None, until: str | None = None, last_only: bool = False) -> pd.DataFrame:
        side = "start" if direction == "out" else "end"
        wanted = sorted(set(channels))
        hit = self._read("rels", "TRANSFERRED", ["start", "end"], list(TRANSFER_COLUMNS), (),
                         f"WHERE list_contains(?, {q(side)})", [wanted]) if wanted else None
        if hit is None or hit.empty:
            return pd.DataFrame(columns=["start", "end", *TRANSFER_COLUMNS])
        stamps = hit["ts"].astype("string")
        keep = pd.Series(True, index=hit.index)
        if since:
            keep &= (stamps >= since).fillna(False)
        if until:
            keep &= (stamps <= until).fillna(False)
        hit = hit[keep].sort_values(["ts", "tx_id"], kind="stable")
        if last_only:
            hit = hit.drop_duplicates(side, keep="last" if direction == "out" else "first")
        return hit.head(limit).reset_index(drop=True)

    # -- writing ------------------------------------------------------------------------------

    def upsert(self, batch: GraphBatch) -> None:
        by_label: dict[str, list[dict[str, Any]]] = {}
        for node in batch.nodes:
            by_label.setdefault(node.label, []).append({"id": node.id, **node.props})
        by_type: dict[str, list[dict[str, Any]]] = {}
        for rel in batch.rels:
            by_type.setdefault(rel.type, []).append({"start": rel.start, "end": rel.end, **rel.props})
        self.upsert_tables({label: records_table(rows, ["id"]) for label, rows in by_label.items()},
                           {t: records_table(rows, ["start", "end"]) for t, rows in by_type.items()})

    def upsert_tables(self, nodes: dict[str, pa.Table], rels: dict[str, pa.Table]) -> None:
        """Upsert whole Arrow tables (``id`` or ``start``/``end``, properties, ``_seq`` = load order; a null
        is a property the record does not have), nodes first: the columnar loaders' way in."""
        if not any(t.num_rows for t in (*nodes.values(), *rels.values())):
            return
        con = self._con_for_write()
        for label, table in nodes.items():
            merge_into(con, workspace.table_name("nodes", check_label(label)), table, ["id"], self._keys)
        for rel_type, table in rels.items():
            merge_into(con, workspace.table_name("rels", check_rel_type(rel_type)), table, rel_keys(rel_type),
                       self._keys)

    def set_rel_property(self, rel_type: str, start: str, end: str, key: str, value: Any) -> None:
        table = workspace.table_name("rels", check_rel_type(rel_type))
        con = self._con_for_write()
        columns = table_columns(con, table)
        found = _count(con, f"SELECT count(*) FROM {q(table)} WHERE start = ? AND \"end\" = ?", [start, end]) \
            if columns else 0
        if not found:
            raise KeyError(f"no {rel_type} relationship from {start} to {end}")
        kind = value_sql_type(value)
        if key not in columns:
            con.execute(f"ALTER TABLE {q(table)} ADD COLUMN {q(key)} {kind}")
        elif unified(columns[key], kind) != columns[key]:
            con.execute(f"ALTER TABLE {q(table)} ALTER COLUMN {q(key)} TYPE {unified(columns[key], kind)}")
        con.execute(f"UPDATE {q(table)} SET {q(key)} = ? WHERE start = ? AND \"end\" = ?", [value, start, end])
        self._keys.forget(q(table))  # the property may be part of the key

    def delete_derived(self, rel_type: str) -> None:
        if not REL_TYPES[check_rel_type(rel_type)].derived:
            raise ValueError(f"{rel_type} is loaded from sources, not derived")
        con = self._con_for_write()
        con.execute(f"DROP TABLE IF EXISTS {q(workspace.table_name('rels', rel_type))}")
        self._keys.forget(q(workspace.table_name("rels", rel_type)))

    def commit(self) -> None:
        """Publish the working copy (atomically); a lock taken by a write is given back."""
        if self._writing is not None:
            assert self.path is not None
            con, self._writing = self._writing, None
            workspace.publish(self.path, con)
        if self._lock is not None and self._lock_until_commit:
            self._lock_until_commit = False
            self._lock.release()

    def close(self) -> None:
        try:
            self.commit()
        finally:
            if self._lock is not None:
                self._lock.release_all()

    # -- reading ------------------------------------------------------------------------------

    def node(self, node_id: str) -> dict[str, Any] | None:
        label = label_of(node_id)
        if label not in NODE_TYPES:
            return None
        table = workspace.table_name("nodes", label)
        with self._reading() as con:
            if not self._columns(con, table):
                return None
            assert con is not None
            rows = arrow_of(con.execute(f"SELECT * FROM {q(table)} WHERE id = ? LIMIT 1", [node_id]))
        if rows.num_rows == 0:
            return None
        return {"label": label, **{k: v for k, v in rows.to_pylist()[0].items() if v is not None}}

    def stats(self) -> dict[str, dict[str, int]]:
        with self._reading() as con:
            names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                               "AND database_name = current_database()").fetchall()] if con else []
            exact = {t: _count(con, f"SELECT count(*) FROM {q(t)}") for t in names} if con else {}
        return {
            "nodes": {label: int(exact.get(workspace.table_name("nodes", label), 0)) for label in NODE_TYPES},
            "relationships": {t: int(exact.get(workspace.table_name("rels", t), 0)) for t in REL_TYPES},
        }

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 50) -> pd.DataFrame:
        needle = text.strip().lower()
        found: list[pd.DataFrame] = []
        for label in labels or NODE_TYPES:
            check_label(label)
            if not needle:
                continue
            caption = NODE_TYPES[label].title
            table = self.nodes(label, columns=list(dict.fromkeys([*SEARCH_COLUMNS.get(label, ()), caption])))
            if table.empty:
                continue
            hit = table["id"].str.lower().str.contains(needle, regex=False)
            for column in SEARCH_COLUMNS.get(label, ()):
                if column in table.columns and table[column].notna().any():
                    hit |= _as_text(table[column]).str.lower().str.contains(needle, regex=False).fillna(False)
            rows = table.loc[hit, ["id"]].copy()
            rows["label"] = label
            present = table[caption].notna().any()
            rows["caption"] = table.loc[hit, caption].astype("string") if present else rows["id"]
            found.append(rows)
        if not found:
            return pd.DataFrame(columns=["id", "label", "caption"])
        result = pd.concat(found, ignore_index=True).sort_values(["label", "id"], kind="stable")
        return result.head(limit).reset_index(drop=True)

    def neighbourhood(self, node_id: str, hops: int = 1, limit: int = 200,
                      rel_types: Sequence[str] | None = None) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        start = self.node(node_id)
        if start is None:
            return graph
        graph.add_node(node_id, **start)
        frontier = [node_id]
        types = [check_rel_type(t) for t in (rel_types or REL_TYPES)]
        for _ in range(hops):
            incident = self._incident(frontier, types)
            next_frontier: list[str] = []
            for current in frontier:
                edges = incident.get(current, [])
                room = limit - graph.number_of_nodes()
                shown = 0
                for rel_type, row, other in edges:
                    if other not in graph and shown >= room:
                        continue
                    if other not in graph:
                        props = self.node(other) or {"label": label_of(other)}
                        graph.add_node(other, **props)
                        next_frontier.append(other)
                        shown += 1
                    record = dict(row)
                    rowid = record.pop("_rowid")
                    graph.add_edge(record.pop("start"), record.pop("end"), key=f"{rel_type}:{rowid}",
                                   type=rel_type, **record)
                hidden = len({o for _, _, o in edges} - set(graph.nodes))
                if hidden:
                    graph.nodes[current]["truncated"] = hidden
            frontier = next_frontier
        return graph

    def _incident(self, frontier: list[str], types: list[str]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
        """Each frontier node's relationships as (type, row, other end), closest first by the other end's id."""
        found: dict[str, list[tuple[str, dict[str, Any], str]]] = {}
        if not frontier:
            return found
        wanted = set(frontier)
        with self._reading() as con:
            for rel_type in types:
                table = workspace.table_name("rels", rel_type)
                if not self._columns(con, table):
                    continue
                assert con is not None
                rows = arrow_of(con.execute(f"SELECT rowid AS _rowid, * FROM {q(table)} "
                                            "WHERE list_contains(?, start) OR list_contains(?, \"end\")",
                                            [frontier, frontier])).to_pylist()
                for row in rows:
                    record = {k: v for k, v in row.items() if v is not None}
                    if row["start"] in wanted:
                        found.setdefault(row["start"], []).append((rel_type, record, row["end"]))
                    if row["end"] in wanted:
                        found.setdefault(row["end"], []).append((rel_type, record, row["start"]))
        for entries in found.values():
            entries.sort(key=lambda e: (e[2], e[0], e[1]["_rowid"]))  # closest-first is by id: deterministic
        return found

    def run_named(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        from graphbench.store.named_queries import run_twin

        return run_twin(self, name, params)


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0


def _as_text(column: pd.Series) -> pd.Series:
    """A column as text for search: a list property is searched in each of its items."""
    if column.map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any():
        column = column.map(lambda v: "\x1f".join(map(str, v)) if hasattr(v, "__len__") and not isinstance(v, str)
                            else v)
    return column.astype("string")
