"""transactions, column-wise: a block of rows validated and normalised per column, into Arrow tables of
PaymentChannel nodes and TRANSFERRED relationships (the graph :func:`loaders.transactions.parse` makes).

Each distinct value is normalised once (channel types, channel ids per type, currencies, timestamps and
amounts not already in canonical form), with the very functions the row parser calls, so a value comes out
the same either way. A row that fails or warns anywhere, or is odd (:mod:`loaders.columnar`), is not
decided here: it goes back to the caller for :func:`loaders.transactions.parse`, which rejects it, or
loads it with its warnings, exactly as a row-by-row load would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphbench import normalize
from loaders.canonical_times import canonical_times
from loaders.columnar import Block
from loaders.transactions import REQUIRED

COLUMNS = (*REQUIRED, "currency", "reference")
PLAIN_AMOUNT = r"^-?\d+(\.\d+)?$"
MAX_KNOWN = 1_000_000  # values remembered per column kind and file
RECORDS_PER_ROW = 3  # two channel nodes and one transfer: load order within a row (the merge's tie-break)


@dataclass
class Parsed:
    nodes: pa.Table  # PaymentChannel rows of the good rows (with _seq)
    rels: pa.Table  # TRANSFERRED rows of the good rows (with _seq)
    ok: np.ndarray  # bool per block row: decided here (False: the row parser's)


def usable(header: list[str]) -> bool:
    """Whether a file can be read column-wise: every required column is there."""
    return all(name in header for name in REQUIRED)


def _each_distinct(values: pa.Array, normalise: Callable[[str], Any], kind: pa.DataType,
                   known: dict[Any, Any] | None = None) -> pa.Array:
    """``normalise`` applied once per distinct value (once per file, with ``known`` kept across blocks); a
    value it refuses comes back null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)  # one hash pass: distinct values and each row's among them
    known = {} if known is None else known
    if len(known) > MAX_KNOWN:  # a file of mostly distinct values: remembering them all buys nothing
        known.clear()
    out: list[Any] = []
    for value in encoded.dictionary.to_pylist():
        if value not in known:
            try:
                known[value] = normalise(value)
            except ValueError:
                known[value] = None
        out.append(known[value])
    return pc.take(pa.array(out, type=kind), encoded.indices)  # a null stays null


def _timestamps(column: pa.Array) -> pa.Array:
    fine = canonical_times(column)
    if fine.all():
        return column
    others = _each_distinct(pc.filter(column, pa.array(~fine)), normalize.timestamp, pa.string())
    return pc.replace_with_mask(column.cast(pa.string()), pa.array(~fine), others)


def _amounts(column: pa.Array) -> pa.Array:
    plain = pc.match_substring_regex(column, PLAIN_AMOUNT)
    if pc.all(plain).as_py():
        return pc.cast(column, pa.float64())
    numbers = pc.cast(pc.if_else(plain, column, "0"), pa.float64())
    others = _each_distinct(pc.filter(column, pc.invert(plain)), normalize.amount, pa.float64())
    return pc.replace_with_mask(numbers, pc.invert(plain), others)


def _channels(kinds: pa.Array, ids: pa.Array, known: dict[Any, Any]) -> pa.Array:
    pairs = pc.binary_join_element_wise(kinds, ids, "\x1f")
    return _each_distinct(pairs, lambda pair: normalize.channel_id(*pair.split("\x1f", 1)), pa.string(), known)


def parse_block(block: Block, source_file: str, known: dict[str, dict[Any, Any]] | None = None) -> Parsed:
    """The block's good rows as tables; ``known`` (one per file) remembers the values already normalised."""
    known = {} if known is None else known
    cells = block.cells
    n = cells.num_rows
    text = {name: (pc.utf8_trim(cells[name], " ").combine_chunks() if name in cells.column_names
                   else pa.nulls(n, pa.string())) for name in COLUMNS}
    ok = pc.invert(block.odd)
    for name in REQUIRED:
        ok = pc.and_(ok, pc.greater(pc.utf8_length(text[name]), 0))
    ok = pc.fill_null(ok, False).combine_chunks() if isinstance(ok, pa.ChunkedArray) else pc.fill_null(ok, False)
    every_ok = pc.all(ok).as_py()  # the usual block: no filtering (a copy of every column) at all
    good = text if every_ok else {name: pc.filter(column, ok) for name, column in text.items()}
    ts = _timestamps(good["timestamp"])
    from_type = _each_distinct(good["from_type"], normalize.channel_type, pa.string(), known.setdefault("type", {}))
    to_type = _each_distinct(good["to_type"], normalize.channel_type, pa.string(), known["type"])
    amount = _amounts(good["amount"])
    currency_text = good["currency"]
    has_currency = pc.fill_null(pc.greater(pc.utf8_length(currency_text), 0), False)
    currency = _each_distinct(currency_text, normalize.currency, pa.string(), known.setdefault("currency", {}))
    from_id = _channels(pc.fill_null(from_type, ""), good["from_id"], known.setdefault("channel", {}))
    to_id = _channels(pc.fill_null(to_type, ""), good["to_id"], known["channel"])
    fine = pc.and_(pc.and_(pc.is_valid(ts), pc.is_valid(amount)),
                   pc.and_(pc.and_(pc.is_valid(from_type), pc.is_valid(to_type)),
                           pc.and_(pc.is_valid(from_id), pc.is_valid(to_id))))
    # a currency that is written but cannot be named warns: that row is the row parser's
    fine = pc.fill_null(pc.and_(fine, pc.or_(pc.invert(has_currency), pc.is_valid(currency))), False)
    decided = ok.to_numpy(zero_copy_only=False).copy()
    decided[decided] = fine.to_numpy(zero_copy_only=False)
    take = fine
    every_fine = pc.all(fine).as_py()

    def kept(column: pa.Array) -> pa.Array:
        return column if every_fine else pc.filter(column, take)

    rows = kept(block.numbers if every_ok else pc.filter(block.numbers, ok))
    sha = kept(block.sha256 if every_ok else pc.filter(block.sha256, ok))
    ts, amount = kept(ts), kept(amount)
    sources = pc.binary_join_element_wise(source_file, pc.cast(rows, pa.string()), sha, "#")
    sources = pa.ListArray.from_arrays(pa.array(np.arange(len(sources) + 1, dtype=np.int32)), sources)
    prov = {"source_file": pa.array(np.full(len(rows), source_file, dtype=object), type=pa.string()),
            "source_row": rows, "sha256": sha, "first_seen": ts, "last_seen": ts, "sources": sources}
    base = np.asarray(rows, dtype=np.int64) * RECORDS_PER_ROW
    ends = []
    for offset, (kind, ident) in enumerate(((kept(from_type), kept(from_id)), (kept(to_type), kept(to_id)))):
        ends.append(pa.table({
            "id": pc.binary_join_element_wise("PaymentChannel", kind, ident, ":"),
            "channel_type": kind, "channel_id": ident, **prov, "_seq": pa.array(base + offset)}))
    reference = kept(good["reference"])
    rels = pa.table({
        "start": ends[0]["id"], "end": ends[1]["id"], "tx_id": kept(good["tx_id"]), "amount": amount,
        "currency": kept(pc.if_else(has_currency, currency, pa.scalar(None, pa.string()))), "ts": ts,
        "reference": pc.if_else(pc.greater(pc.utf8_length(reference), 0), reference, pa.scalar(None, pa.string())),
        **prov, "_seq": pa.array(base + 2)})
    return Parsed(pa.concat_tables(ends), rels, decided)
