"""The money graph's columns read batch by batch from Arrow, so 20M transfers never become Python strings.

``TransferIndex.from_frame`` starts from a pandas table whose text columns are Python strings: on 20M
transfers the ids, tx_ids and times alone take ~10 GB that way. Read from Arrow record batches instead,
each batch is reduced as it arrives — channel ids to dictionary codes, times to int64 seconds, amounts to
float64, currencies to shared string objects — and only the tx_ids stay as text, held by Arrow
(:class:`TextColumn`, ~12 bytes a value against ~65 for a Python string).

Assumption: the plain layout the loaders write (``start``/``end``/``tx_id``/``currency``/``ts`` text,
``amount`` a number). Any other column type (a tx_id written as a number, amounts stored as text) returns
None and the caller reads the pandas table: the values then follow ``from_frame``'s rules, not a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphbench.analytics.epoch import to_epoch_seconds

NEEDED = ("start", "end", "tx_id", "amount", "currency", "ts")


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind))


class TextColumn:
    """A text column held by Arrow, indexed like the object array it stands for: ``column[i]`` is a str
    (None for a null), ``column[positions]`` (integers or a mask) and ``column[a:b]`` object arrays."""

    def __init__(self, values: pa.Array) -> None:
        self.values = values.cast(pa.string()) if not pa.types.is_string(values.type) else values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            return self.values[int(key)].as_py()
        if isinstance(key, slice):
            return self.values[key].to_numpy(zero_copy_only=False)
        positions = np.asarray(key)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        positions = np.where(positions < 0, positions + len(self), positions).astype(np.int64, copy=False)
        return self.values.take(pa.array(positions)).to_numpy(zero_copy_only=False)

    def take(self, order: np.ndarray) -> TextColumn:
        """The column in ``order`` (still held by Arrow)."""
        return TextColumn(self.values.take(pa.array(np.asarray(order, dtype=np.int64))))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.values.to_numpy(zero_copy_only=False), dtype=dtype)


def _shared_objects(column: pa.Array) -> np.ndarray:
    """A text column as an object array whose equal values are one Python object (None for a null)."""
    encoded = pc.dictionary_encode(column)
    values = np.asarray([*encoded.dictionary.to_pylist(), None], dtype=object)  # -1 (a null) → None
    return values[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)]


def _amounts(column: pa.Array) -> np.ndarray | None:
    kind = column.type
    if not (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
        return None
    # a copy: a view would keep DuckDB's whole batch alive (one release for all its columns)
    return np.array(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64, copy=True)


def columns_from_batches(batches: Iterable[pa.RecordBatch]) -> dict[str, Any] | None:
    """What ``TransferIndex`` is built from, in row order, from record batches of ``NEEDED``: ``ts`` (int64
    seconds), ``codes`` (int64: the start codes then the end codes, into ``nodes`` in no particular order —
    the index renumbers them sorted — as ``factorize_ids`` gives for the two columns end to end), ``nodes``
    (object), ``tx_id`` (:class:`TextColumn`), ``amount`` (float64, NaN where missing) and ``currency``
    (object, None where missing; a few shared string objects).

    None when a column is missing or not of the plain layout (see the module's docstring), or an id is
    missing (``from_frame`` has a rule for that)."""
    starts: list[pa.Array] = []
    ends: list[pa.Array] = []
    tx_ids: list[pa.Array] = []
    ts: list[np.ndarray] = []
    amounts: list[np.ndarray] = []
    currencies: list[np.ndarray] = []
    for batch in batches:
        if any(name not in batch.schema.names for name in NEEDED):
            return None
        start, end, tx_id, amount, currency, stamp = (batch.column(name) for name in NEEDED)
        if not all(_is_text(c.type) for c in (start, end, tx_id, currency, stamp)):
            return None
        if start.null_count or end.null_count:
            return None
        money = _amounts(amount)
        if money is None:
            return None
        # each batch's ids as dictionary codes now: one dictionary for both ends is made at the end
        starts.append(pc.dictionary_encode(start.cast(pa.string())))
        ends.append(pc.dictionary_encode(end.cast(pa.string())))
        # copied out: a column handed over by DuckDB keeps its whole batch alive (one release for all)
        tx_ids.append(pa.concat_arrays([tx_id.cast(pa.string()), pa.array([], pa.string())]))
        ts.append(to_epoch_seconds(stamp))
        amounts.append(money)
        currencies.append(_shared_objects(currency))
    # each list is joined and let go before the next, so only one column is ever held twice
    ids = pa.chunked_array([*starts, *ends], type=pa.dictionary(pa.int32(), pa.string())).unify_dictionaries()
    del starts, ends
    nodes = ids.chunk(0).dictionary if ids.num_chunks else pa.array([], pa.string())
    codes = (np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in ids.chunks]).astype(np.int64)
             if ids.num_chunks else np.zeros(0, dtype=np.int64))
    del ids
    columns: dict[str, Any] = {"codes": codes, "nodes": nodes.to_numpy(zero_copy_only=False).astype(object)}
    columns["tx_id"] = TextColumn(pa.concat_arrays(tx_ids) if tx_ids else pa.array([], pa.string()))
    del tx_ids
    columns["ts"] = np.concatenate(ts) if ts else np.zeros(0, dtype=np.int64)
    del ts
    columns["amount"] = np.concatenate(amounts) if amounts else np.zeros(0, dtype=np.float64)
    del amounts
    columns["currency"] = np.concatenate(currencies) if currencies else np.zeros(0, dtype=object)
    return columns
