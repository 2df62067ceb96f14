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


_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_SEPARATORS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":"), 19: ord("Z")}


def canonical_times(column: pa.Array) -> np.ndarray:
    """Per value: already ``YYYY-MM-DDTHH:MM:SSZ`` naming a real UTC second of 1990-2100, so
    :func:`graphbench.normalize.timestamp` would return it unchanged. Read from the text's bytes (a regex,
    a parse and a print back cost ~2 s per million); anything else (nulls, leap seconds, 24:00) is False and
    goes to that function."""
    n = len(column)
    if n == 0 or column.null_count == n:
        return np.zeros(n, dtype=bool)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[column.offset:column.offset + n + 1]
    fine = np.diff(offsets) == 20
    if column.null_count:
        fine &= column.is_valid().to_numpy(zero_copy_only=False)
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8) if column.buffers()[2] is not None else np.zeros(0, np.uint8)
    at = offsets[:-1][fine].astype(np.int64)
    if not len(at):
        return fine
    text = data[at[:, None] + np.arange(20)]  # rows of 20 bytes
    good = np.ones(len(at), dtype=bool)
    for place, byte in _SEPARATORS.items():
        good &= text[:, place] == byte
    digits = text.astype(np.int64) - ord("0")
    places = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
    good &= ((digits[:, places] >= 0) & (digits[:, places] <= 9)).all(axis=1)

    def number(*where: int) -> np.ndarray:
        value = np.zeros(len(at), dtype=np.int64)
        for k in where:
            value = value * 10 + digits[:, k]
        return value

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    good &= (year >= 1990) & (year <= 2100) & (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    good &= (day >= 1) & (day <= days)
    good &= (number(11, 12) <= 23) & (number(14, 15) <= 59) & (number(17, 18) <= 59)
    fine[np.flatnonzero(fine)] = good
    return fine


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
