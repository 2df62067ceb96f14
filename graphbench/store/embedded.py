"""The embedded store: one pandas table per label and per relationship type, persisted as Parquet.

It needs no server and serves one analyst on one machine. Writes go to memory; ``commit()``
writes changed tables atomically (temp file + rename), so a killed load leaves the last
committed state and a rerun of the same load completes it, and a reader never sees a half-written table.

One writer at a time (:mod:`graphbench.store.writer_lock`): a store takes the workspace's writer lock
before its first write and gives it back once that work is committed (``write_lock()`` holds it across a
whole load). On taking it the store drops what it had read, so it merges into what the last writer
committed, never into an older copy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graphbench.batch import GraphBatch, coalesce, merge_props
from graphbench.schema import NODE_TYPES, REL_TYPES, TRANSFER_FIELDS, check_label, check_rel_type, label_of
from graphbench.store.frames import clean_record, from_parquet, row_dict, select, to_parquet, typed
from graphbench.store.search import SEARCH_COLUMNS
from graphbench.store.writer_lock import WriterLock

_KEY_SEP = "\x1f"
# What a trace reads of a transfer (transfers_of).
TRANSFER_COLUMNS = TRANSFER_FIELDS[2:]  # after start, end


class EmbeddedStore:
    """The embedded store (``file:PATH`` or ``memory:``); no capabilities beyond the port."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.url = f"file:{path}" if path else "memory:"
        self._nodes: dict[str, pd.DataFrame] = {}
        self._rels: dict[str, pd.DataFrame] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._adjacency: _Adjacency | None = None
        # key → row lookup per table, kept beside the table it was built for (see _index_of)
        self._key_index: dict[tuple[str, str], _KeyIndex] = {}
        self._lock = WriterLock(self.path) if self.path else None
        self._lock_until_commit = False  # taken by a write, not by write_lock(): commit gives it back
        if self.path:
            self.path.mkdir(parents=True, exist_ok=True)

    # -- one writer ---------------------------------------------------------------------------

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the workspace's one writer for a whole unit of work (a load); committed at the end."""
        if self._lock is None:
            yield
            return
        if self._lock.acquire():
            self._forget_reads()
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
            self._forget_reads()

    def _forget_reads(self) -> None:
        """Tables read before the lock may predate another writer's commit: read them again."""
        if self._dirty:  # cannot happen: every change takes the lock first
            raise RuntimeError("uncommitted changes made without the writer lock")
        self._nodes.clear()
        self._rels.clear()
        self._key_index.clear()
        self._adjacency = None

    # -- tables -------------------------------------------------------------------------------

    def _table(self, kind: str, name: str) -> pd.DataFrame:
        cache = self._nodes if kind == "nodes" else self._rels
        if name not in cache:
            file = self.path / kind / f"{name}.parquet" if self.path else None
            if file is not None and file.exists():
                cache[name] = from_parquet(pd.read_parquet(file))
            else:
                cache[name] = pd.DataFrame(columns=["id"] if kind == "nodes" else ["start", "end"])
        return cache[name]

    def nodes(self, label: str, columns: Sequence[str] | None = None,
              exclude: Sequence[str] = ()) -> pd.DataFrame:
        return self._read("nodes", check_label(label), ["id"], columns, exclude)

    def relationships(self, rel_type: str, columns: Sequence[str] | None = None,
                      exclude: Sequence[str] = ()) -> pd.DataFrame:
        return self._read("rels", check_rel_type(rel_type), ["start", "end"], columns, exclude)

    def _read(self, kind: str, name: str, fixed: list[str], columns: Sequence[str] | None,
              exclude: Sequence[str]) -> pd.DataFrame:
        cache = self._nodes if kind == "nodes" else self._rels
        file = self.path / kind / f"{name}.parquet" if self.path else None
        if name not in cache and file is not None and file.exists() and (columns is not None or exclude):
            # a part of a table nobody has loaded for writing: only those columns leave the disk, and
            # the part is not cached (1M transfers without provenance: a third of the time and memory)
            import pyarrow.parquet as pq

            present = [c for c in pq.read_schema(file).names if not c.startswith("__index_level_")]
            wanted = [c for c in (columns if columns is not None else present)
                      if c in present and (c in fixed or c not in exclude)]
            table = from_parquet(pd.read_parquet(file, columns=list(dict.fromkeys([*fixed, *wanted]))))
            return select(table, fixed, columns) if columns is not None else table
        table = self._table(kind, name)
        if exclude:
            table = table.drop(columns=[c for c in exclude if c in table.columns and c not in fixed])
        return select(table, fixed, columns)

    def transfers_of(self, channels: Sequence[str], direction: str = "out", limit: int = 100_000,
                     since: str | None = None, until: str | None = None, last_only: bool = False) -> pd.DataFrame:
        side = "start" if direction == "out" else "end"
        table = self.relationships("TRANSFERRED", columns=list(TRANSFER_COLUMNS))
        hit = table[table[side].isin(set(channels))]
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
        self._begin_write()
        batch = coalesce(batch)
        by_label: dict[str, list[dict[str, Any]]] = {}
        for node in batch.nodes:
            by_label.setdefault(node.label, []).append({"id": node.id, **node.props})
        for label, rows in by_label.items():
            self._merge("nodes", label, rows, lambda r: r["id"])
        by_type: dict[str, list[dict[str, Any]]] = {}
        for rel in batch.rels:
            by_type.setdefault(rel.type, []).append({"start": rel.start, "end": rel.end, **rel.props})
        for rel_type, rows in by_type.items():
            disc = REL_TYPES[rel_type].discriminator
            self._merge("rels", rel_type, rows, lambda r, d=disc: _rel_key(r["start"], r["end"], r.get(d) if d else None))
        if batch.rels:
            self._adjacency = None

    def _merge(self, kind: str, name: str, rows: list[dict[str, Any]], key_of: Any) -> None:
        table = self._table(kind, name)
        index = self._index_of(kind, name, table)
        row_keys = [key_of(row) for row in rows]
        serials = np.fromiter((index.serial.get(k, -1) for k in row_keys), dtype=np.int64, count=len(rows))
        hit = serials >= 0
        fresh = [row for row, found in zip(rows, hit, strict=True) if not found]
        fresh_keys = [k for k, found in zip(row_keys, hit, strict=True) if not found]
        order = index.serial_at[:len(table)]
        if hit.any():
            updated_pos = index.position_of[serials[hit]]
            matched = [row for row, found in zip(rows, hit, strict=True) if found]
            olds = table.iloc[updated_pos].to_dict("records")  # one vectorised fetch, not one per row
            updated = [merge_props(clean_record(old), row) for old, row in zip(olds, matched, strict=True)]
            unchanged = np.ones(len(table), dtype=bool)
            unchanged[updated_pos] = False
            # updated rows move to the end, as they always did: the index leaves the row order alone
            table = pd.concat([table[unchanged], typed(pd.DataFrame(updated, dtype=object))], ignore_index=True)
            order = np.concatenate([order[unchanged], serials[hit]])
        if fresh:
            new = typed(pd.DataFrame(fresh, dtype=object))
            table = new if table.empty else pd.concat([table, new], ignore_index=True)
            first = len(index.position_of)
            index.serial.update(zip(fresh_keys, range(first, first + len(fresh_keys)), strict=True))
            order = np.concatenate([order, np.arange(first, first + len(fresh_keys), dtype=np.int64)])
        index.reorder(table, order)
        cache = self._nodes if kind == "nodes" else self._rels
        cache[name] = table
        self._dirty.add((kind, name))

    def _index_of(self, kind: str, name: str, table: pd.DataFrame) -> _KeyIndex:
        """The key index of ``table``: kept from the last merge while the table is the one that merge
        produced, rebuilt once when it was replaced (read from Parquet, derived relationships dropped)."""
        index = self._key_index.get((kind, name))
        if index is None or index.table is not table or len(index.serial_at) != len(table):
            index = _KeyIndex.build(table, _row_keys(kind, name, table))
            self._key_index[(kind, name)] = index
        return index

    def set_rel_property(self, rel_type: str, start: str, end: str, key: str, value: Any) -> None:
        self._begin_write()
        table = self._table("rels", check_rel_type(rel_type))
        hit = (table["start"] == start) & (table["end"] == end)
        if not hit.any():
            raise KeyError(f"no {rel_type} relationship from {start} to {end}")
        if key not in table.columns:
            table[key] = None
        table.loc[hit, key] = value
        self._dirty.add(("rels", rel_type))

    def delete_derived(self, rel_type: str) -> None:
        if not REL_TYPES[check_rel_type(rel_type)].derived:
            raise ValueError(f"{rel_type} is loaded from sources, not derived")
        self._begin_write()
        self._rels[rel_type] = pd.DataFrame(columns=["start", "end"])
        self._dirty.add(("rels", rel_type))
        self._adjacency = None

    def commit(self) -> None:
        """Persist every changed table (atomically per table); a lock taken by a write is given back."""
        if self.path:
            for kind, name in sorted(self._dirty):
                folder = self.path / kind
                folder.mkdir(parents=True, exist_ok=True)
                temp = folder / f".{name}.parquet.{os.getpid()}.tmp"
                to_parquet(self._table(kind, name)).to_parquet(temp, index=False)
                os.replace(temp, folder / f"{name}.parquet")  # readers see the old table or the new one
        self._dirty.clear()
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
        table = self._table("nodes", label)
        if table.empty:
            return None
        hit = table.index[table["id"] == node_id]
        if len(hit) == 0:
            return None
        return {"label": label, **row_dict(table.loc[hit[0]])}

    def stats(self) -> dict[str, dict[str, int]]:
        return {
            "nodes": {label: len(self._table("nodes", label)) for label in NODE_TYPES},
            "relationships": {t: len(self._table("rels", t)) for t in REL_TYPES},
        }

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 50) -> pd.DataFrame:
        needle = text.strip().lower()
        found: list[pd.DataFrame] = []
        for label in labels or NODE_TYPES:
            table = self._table("nodes", check_label(label))
            if table.empty or not needle:
                continue
            hit = table["id"].str.lower().str.contains(needle, regex=False)
            for column in SEARCH_COLUMNS.get(label, ()):
                if column in table.columns:
                    hit |= table[column].astype("string").str.lower().str.contains(needle, regex=False).fillna(False)
            rows = table.loc[hit, ["id"]].copy()
            rows["label"] = label
            caption = NODE_TYPES[label].title
            rows["caption"] = table.loc[hit, caption].astype("string") if caption in table.columns else rows["id"]
            found.append(rows)
        if not found:
            return pd.DataFrame(columns=["id", "label", "caption"])
        result = pd.concat(found, ignore_index=True).sort_values(["label", "id"], kind="stable")
        return result.head(limit).reset_index(drop=True)

    def neighbourhood(self, node_id: str, hops: int = 1, limit: int = 200,
                      rel_types: Sequence[str] | None = None) -> nx.MultiDiGraph:
        if self._adjacency is None:
            self._adjacency = _Adjacency.build(self)
        adjacency = self._adjacency
        graph = nx.MultiDiGraph()
        start = self.node(node_id)
        if start is None:
            return graph
        graph.add_node(node_id, **start)
        frontier = [node_id]
        wanted = set(rel_types) if rel_types else None
        for _ in range(hops):
            next_frontier: list[str] = []
            for current in frontier:
                edges = adjacency.edges_of(current, wanted)
                room = limit - graph.number_of_nodes()
                shown = 0
                for rel_type, pos, other in edges:
                    if other not in graph and shown >= room:
                        continue
                    if other not in graph:
                        props = self.node(other) or {"label": label_of(other)}
                        graph.add_node(other, **props)
                        next_frontier.append(other)
                        shown += 1
                    row = row_dict(self._table("rels", rel_type).iloc[pos])
                    graph.add_edge(row.pop("start"), row.pop("end"), key=f"{rel_type}:{pos}", type=rel_type, **row)
                hidden = len({o for _, _, o in edges} - set(graph.nodes))
                if hidden:
                    graph.nodes[current]["truncated"] = hidden
            frontier = next_frontier
        return graph

    def run_named(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        from graphbench.store.named_queries import run_twin

        return run_twin(self, name, params)


class _KeyIndex:
    """Where each key's row is, kept across batches: every key gets a serial number once (a dict lookup
    per batch row), and the serial → position array is renumbered in numpy after each merge, so no
    batch rehashes the whole table's keys."""

    def __init__(self, table: pd.DataFrame, serial: dict[str, int], serial_at: np.ndarray) -> None:
        self.table = table
        self.serial = serial  # key → serial (a key stored twice, which merges never make, maps to its last row)
        self.serial_at = serial_at  # serial of the row at each position
        self.position_of = np.empty(0, dtype=np.int64)  # position of each serial
        self.reorder(table, serial_at)

    @classmethod
    def build(cls, table: pd.DataFrame, keys: list[str]) -> _KeyIndex:
        serial_at = np.arange(len(keys), dtype=np.int64)
        return cls(table, dict(zip(keys, serial_at.tolist(), strict=True)), serial_at)

    def reorder(self, table: pd.DataFrame, serial_at: np.ndarray) -> None:
        self.table = table
        self.serial_at = serial_at
        self.position_of = np.full(max(len(self.serial), int(serial_at.max(initial=-1)) + 1), -1, dtype=np.int64)
        self.position_of[serial_at] = np.arange(len(serial_at), dtype=np.int64)


class _Adjacency:
    """Undirected incidence lists over every relationship table, for neighbourhood expansion."""

    def __init__(self, lists: dict[str, list[tuple[str, int, str]]]) -> None:
        self.lists = lists

    @classmethod
    def build(cls, store: EmbeddedStore) -> _Adjacency:
        lists: dict[str, list[tuple[str, int, str]]] = {}
        for rel_type in REL_TYPES:
            table = store._table("rels", rel_type)
            for pos, (start, end) in enumerate(zip(table["start"].tolist(), table["end"].tolist(), strict=True)):
                lists.setdefault(start, []).append((rel_type, pos, end))
                lists.setdefault(end, []).append((rel_type, pos, start))
        for entries in lists.values():
            entries.sort(key=lambda e: (e[2], e[0], e[1]))  # closest-first is by id: deterministic
        return cls(lists)

    def edges_of(self, node_id: str, wanted: set[str] | None) -> list[tuple[str, int, str]]:
        entries = self.lists.get(node_id, [])
        return [e for e in entries if wanted is None or e[0] in wanted]


def _rel_key(start: str, end: str, disc: Any) -> str:
    return f"{start}{_KEY_SEP}{end}{_KEY_SEP}{'' if disc is None else disc}"


def _row_keys(kind: str, name: str, table: pd.DataFrame) -> list[str]:
    if table.empty:
        return []
    if kind == "nodes":
        return table["id"].tolist()
    disc = REL_TYPES[name].discriminator
    discs = table[disc].tolist() if disc and disc in table.columns else [None] * len(table)
    return [_rel_key(s, e, d) for s, e, d in zip(table["start"].tolist(), table["end"].tolist(), discs, strict=True)]
