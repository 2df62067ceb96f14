"""Node records of one file merged in memory, block after block, and handed to the store once.

Each transfer names two channels, and a file names the same channels again and again: merged into the store
block by block, every block rewrote most of the stored channel rows (their ``sources`` lists and all), and
the set-wise SQL merge of ~300k records cost seconds a block. Staged here instead, a block's records are
reduced with numpy to one row per node (``id``), and the store merges those rows once, at the end of the
file (or when the stage passes a memory bound), in slices of bounded size (:data:`FLUSH_ITEMS`).

What may be staged (:meth:`NodeStage.takes`): records with every property set (no nulls), a capture time
(``first_seen`` = ``last_seen``'s form) in canonical ``YYYY-MM-DDTHH:MM:SSZ`` text, which orders as the time
it names, and exactly one source each; all of one file, whose rows (so whose source texts) differ from
block to block. The columnar transactions path makes only such records.

Why the result is the merge of the records one block after another, exactly (:mod:`graphbench.batch`):

- a staged row's properties are those of its latest record (latest ``last_seen``, ties to the later one),
  and its ``last_seen`` is that record's: since every record has every property, that is the record every
  property goes to, and against the stored row it wins or loses as that record would have (ties go to it,
  as to any later record);
- ``first_seen`` / ``last_seen`` are a min / max;
- ``sources``: the first ``MAX_SOURCES`` distinct ones in load order; the staged list holds the first
  ``MAX_SOURCES`` distinct ones of the file, and however many of them the stored list already has, the
  ones it lacks come first in that prefix.

The stage is emptied into the store before anything else writes these nodes: a block with rows the row
parser made goes straight to the store, after the stage.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphbench.batch import MAX_SOURCES
from loaders.canonical_times import time_digits

MAX_ROWS = 2_000_000  # staged nodes before the stage is emptied into the store
MAX_SOURCE_ITEMS = 2_000_000  # staged provenance strings (~100 bytes each; 6M took a 5M-row load past 4 GB)
# Source items one merge of a flush may touch, counting MAX_SOURCES stored per node (their lists are read,
# grouped and rewritten in DuckDB). Measured on a flush of 100k channels holding 20 sources and bringing 20
# more: as one merge it held DuckDB at its 2 GB limit and the process at 3.1 GB (at a 1 GB limit it failed
# for memory); in three slices at a 1.5 GB limit, 1.1 GB and 1.7 GB for the same CPU time (27.6 against
# 31.8 s). Slices cost a scan of the table each, so they are no smaller than this.
FLUSH_ITEMS = 2_000_000
SPECIAL = ("id", "first_seen", "last_seen", "sources", "_seq")


class NodeStage:
    """One label's node records of one file, reduced in memory until :meth:`flush`."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.full: pa.Array | None = None  # nodes given MAX_SOURCES sources of this file by earlier flushes
        self._clear()

    def _clear(self) -> None:
        self.ids: pa.Array | None = None  # one per staged node; its position is its code
        self.props: dict[str, pa.Array] = {}  # per node: the latest record's values, first_seen the earliest's
        self.latest = np.empty(0, dtype=np.int64)  # capture times as YYYYMMDDHHMMSS (they order as the text)
        self.earliest = np.empty(0, dtype=np.int64)
        self.counts = np.empty(0, dtype=np.int64)  # sources staged per node
        self.given = np.empty(0, dtype=np.int64)  # sources of this file handed over by earlier flushes: 0 or all
        self.items: list[tuple[np.ndarray, pa.Array]] = []  # (code, source) in load order
        self.schema: pa.Schema | None = None

    def takes(self, table: pa.Table) -> bool:
        """Whether these records can be staged (see the module doc) beside those staged already."""
        names = table.column_names
        if table.num_rows == 0 or any(name not in names for name in SPECIAL):
            return False
        if self.schema is not None and not table.schema.equals(self.schema):
            return False
        if any(column.null_count for column in table.columns):
            return False
        if not pa.types.is_list(table.schema.field("sources").type):
            return False
        if pc.min_max(pc.list_value_length(table["sources"])).as_py() != {"min": 1, "max": 1}:
            return False
        return _digits(table["first_seen"]) is not None and _digits(table["last_seen"]) is not None

    def add(self, table: pa.Table) -> None:
        """Reduce the records (:meth:`takes` true) into the stage."""
        self.schema = table.schema
        table = table.combine_chunks()  # a take from a chunked column is ~15x slower than from one array
        codes = self._codes(_array(table["id"]))
        assert self.ids is not None  # _codes made it
        total = len(self.ids)
        grow = total - len(self.latest)
        self.latest = np.concatenate([self.latest, np.full(grow, -1, dtype=np.int64)])
        self.earliest = np.concatenate([self.earliest, np.full(grow, np.iinfo(np.int64).max, dtype=np.int64)])
        self.counts = np.concatenate([self.counts, np.zeros(grow, dtype=np.int64)])
        self.given = np.concatenate([self.given, self._given(self.ids.slice(total - grow))])
        seq = np.asarray(table["_seq"].to_numpy(), dtype=np.int64)
        latest, earliest = _digits(table["last_seen"]), _digits(table["first_seen"])
        assert latest is not None and earliest is not None  # takes() said so
        # the latest record of each node in this block (by capture, then load order): the last of its run;
        # against the staged row it wins ties (it was loaded later)
        order = np.lexsort((seq, latest, codes))
        win = order[np.r_[np.flatnonzero(np.diff(codes[order])), len(order) - 1]]
        win = win[latest[win] >= self.latest[codes[win]]]
        self.latest[codes[win]] = latest[win]
        # the earliest first_seen of each node: the first of its run
        order = np.lexsort((earliest, codes))
        first = order[np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1]]
        first = first[earliest[first] < self.earliest[codes[first]]]
        self.earliest[codes[first]] = earliest[first]
        for name in table.column_names:
            if name in ("id", "sources", "_seq"):
                continue
            chosen = first if name == "first_seen" else win
            before = self.props.get(name, pa.nulls(0, table.schema.field(name).type))
            pick = np.arange(total, dtype=np.int64)  # per node: its staged value, or a record of this block
            pick[codes[chosen]] = len(before) + np.arange(len(chosen))  # (a new node always takes one of these)
            taken = pc.take(_array(table[name]), pa.array(chosen))
            self.props[name] = pc.take(pa.concat_arrays([before, taken]), pa.array(pick))
        self._sources(codes, seq, _array(table["sources"]).flatten())

    def _codes(self, ids: pa.Array) -> np.ndarray:
        """Each record's node code (one hash pass over the block); new nodes get the next codes, in order of
        first appearance."""
        encoded = pc.dictionary_encode(ids)
        distinct = encoded.dictionary  # in order of first appearance
        if self.ids is None:
            self.ids = distinct
            mapping = np.arange(len(distinct), dtype=np.int64)
        else:
            found = pc.index_in(distinct, value_set=self.ids)
            mapping = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.float64)
            new = np.isnan(mapping)
            if new.any():
                mapping[new] = len(self.ids) + np.arange(int(new.sum()))
                self.ids = pa.concat_arrays([self.ids, pc.filter(distinct, pa.array(new))])
            mapping = mapping.astype(np.int64)
        return mapping[np.asarray(encoded.indices.to_numpy(), dtype=np.int64)]

    def _sources(self, codes: np.ndarray, seq: np.ndarray, sources: pa.Array) -> None:
        """This block's sources after the staged ones, in load order, each once per node, ``MAX_SOURCES`` at
        most. A source names one row, and a row's records are consecutive in load order, so a source twice
        for one node (a transfer from a channel to itself) sits next to itself in (node, load order)."""
        order = np.lexsort((seq, codes))  # by node, then load order
        c = codes[order]
        texts = _array(pc.take(sources, pa.array(order)))
        first = np.ones(len(order), dtype=bool)
        if len(order) > 1:
            same = pc.equal(texts.slice(1), texts.slice(0, len(order) - 1)).to_numpy(zero_copy_only=False)
            first[1:] = ~(same & (c[1:] == c[:-1]))
        c, texts = c[first], texts.filter(pa.array(first))
        starts = np.r_[0, np.flatnonzero(np.diff(c)) + 1]
        rank = np.arange(len(c)) - np.repeat(starts, np.diff(np.r_[starts, len(c)]))
        keep = self.given[c] + self.counts[c] + rank < MAX_SOURCES
        if keep.any():
            self.counts += np.bincount(c[keep], minlength=len(self.counts))
            self.items.append((c[keep], texts.filter(pa.array(keep))))

    def big(self) -> bool:
        """Whether the stage should be emptied now to keep its memory bounded."""
        return self.ids is not None and (len(self.ids) > MAX_ROWS or int(self.counts.sum()) > MAX_SOURCE_ITEMS)

    def table(self) -> pa.Table | None:
        """The staged rows (one per node, columns as they came, ``_seq`` = their order), or None; the staged
        sources are handed over (only :meth:`flush` calls this but for tests)."""
        if self.ids is None or self.schema is None:
            return None
        codes = np.concatenate([c for c, _ in self.items]) if self.items else np.empty(0, dtype=np.int64)
        order = np.argsort(codes, kind="stable")  # by node, load order kept within each
        values = pa.array([], pa.string())
        if self.items:
            values = pa.concat_arrays([s for _, s in self.items])
            self.items = []  # one copy at a time
            values = pc.take(values, pa.array(order))
        offsets = np.r_[0, np.cumsum(self.counts)].astype(np.int32)
        sources = pa.ListArray.from_arrays(pa.array(offsets), values)
        columns: dict[str, pa.Array] = {}
        for name in self.schema.names:
            if name == "id":
                columns[name] = self.ids
            elif name == "sources":
                columns[name] = sources
            elif name == "_seq":
                columns[name] = pa.array(np.arange(len(self.ids), dtype=np.int64))
            else:
                columns[name] = self.props[name]
        return pa.table(columns)

    def flush(self, store: Any) -> None:
        """The staged rows into the store (in slices of at most :data:`FLUSH_ITEMS` source items, stored ones
        counted at ``MAX_SOURCES`` a node), and the stage emptied. The nodes that have now been
        given ``MAX_SOURCES`` sources of this file are remembered: a later source of the file comes after all
        of those in load order, so it can never be among a node's first ``MAX_SOURCES`` and is not staged
        again (a file naming few nodes, say 100k channels in 20M transfers, would otherwise rewrite every
        channel's full list on every flush)."""
        ids, full = self.ids, self.given + self.counts >= MAX_SOURCES
        cost = MAX_SOURCES + self.counts  # per node: the most its stored list holds, and what it brings
        rows = self.table()
        if rows is not None:
            # pyarrow's pool (mimalloc) keeps what the stage freed; handed back, DuckDB's merges can use it
            # (a flush of 100k channels: 1.94 GB peak RSS kept, 1.46 GB handed back)
            pa.default_memory_pool().release_unused()
            for start, stop in _slices(cost, FLUSH_ITEMS):  # one row per node: the slices' keys are disjoint
                store.upsert_tables({self.label: rows.slice(start, stop - start)}, {})
            del rows
        if ids is not None and full.any():
            now = ids.filter(pa.array(full))
            self.full = now if self.full is None else pa.concat_arrays([self.full, pc.filter(now, pc.invert(
                pc.is_in(now, value_set=self.full)))])
        self._clear()
        pa.default_memory_pool().release_unused()

    def _given(self, ids: pa.Array) -> np.ndarray:
        if self.full is None or not len(ids):
            return np.zeros(len(ids), dtype=np.int64)
        return np.where(pc.is_in(ids, value_set=self.full).to_numpy(zero_copy_only=False), MAX_SOURCES, 0)

    def close(self) -> None:
        self._clear()
        self.full = None


def _slices(cost: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive ranges of rows whose costs sum to at most ``budget`` (a row of its own when it alone is
    more). A node's merge reads only its stored row and its records, so merging the slices one after another
    is the merge of them all at once."""
    if not len(cost):
        return []
    ends = np.cumsum(cost)
    bounds, start = [], 0
    while start < len(cost):
        before = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, before + budget, side="right")), start + 1)
        bounds.append((start, stop))
        start = stop
    return bounds


def _array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _digits(column: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Capture times in canonical ``YYYY-MM-DDTHH:MM:SSZ`` text as the number YYYYMMDDHHMMSS (fixed-width
    digits: they order as the text, and the times, do); None when a value is not of that form."""
    parts = []
    for chunk in (column.chunks if isinstance(column, pa.ChunkedArray) else [column]):
        form, number = time_digits(chunk)
        if not form.all():
            return None
        parts.append(number)
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
