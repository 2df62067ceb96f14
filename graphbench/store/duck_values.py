"""Property values on their way into the DuckDB tables: Python records to typed Arrow columns, and the one
rule for a column whose values change type between loads.

A column's type comes from its values, as the Parquet store typed them (``frames.typed`` / ``to_parquet``):
text is VARCHAR, whole numbers BIGINT (``Int64`` in pandas, gaps and all), whole and decimal numbers
together DOUBLE, booleans BOOLEAN, lists of text VARCHAR[]; anything mixed is stored as its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

_TEXT_LIST = pa.list_(pa.string())
_NUMBER_LIST = pa.list_(pa.float64())


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def column_type(values: Sequence[Any]) -> pa.DataType:
    """The Arrow type of one property over a batch (``None`` = the record has no such property)."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds or kinds == {str}:
        return pa.string()
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int}:
        if all(-(2**63) <= v < 2**63 for v in values if v is not None):
            return pa.int64()
        return pa.string()
    if kinds <= {int, float}:
        return pa.float64()
    if kinds == {list}:
        items = {type(x) for v in values if v is not None for x in v}
        if items <= {str}:
            return _TEXT_LIST
        if items <= {int, float}:
            return _NUMBER_LIST
        return _TEXT_LIST
    return pa.string()


def _as(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if kind == pa.string():
        return value if isinstance(value, str) else str(value)
    if kind == pa.float64():
        return float(value)
    if kind == _TEXT_LIST:
        return [x if isinstance(x, str) else str(x) for x in value]
    if kind == _NUMBER_LIST:
        return [float(x) for x in value]
    return value


def records_table(records: Sequence[dict[str, Any]], fixed: Sequence[str], seq_start: int = 0,
                  seqs: Sequence[int] | None = None) -> pa.Table:
    """Records (``id`` or ``start``/``end`` plus properties) as one Arrow table, columns in order of first
    appearance, with ``_seq`` = load order (``seqs``, or counted from ``seq_start``) (later records win ties of the merge rule)."""
    names: dict[str, None] = dict.fromkeys(fixed)
    for record in records:
        for key in record:
            names.setdefault(key, None)
    columns: dict[str, pa.Array] = {}
    for name in names:
        values = [r.get(name) for r in records]
        columns[name] = _column(values, name in fixed)
    columns["_seq"] = (pa.array(seqs, type=pa.int64()) if seqs is not None
                       else pa.array(np.arange(seq_start, seq_start + len(records), dtype=np.int64)))
    return pa.table(columns)


_FAST = {frozenset({str}): pa.string(), frozenset({int}): pa.int64(), frozenset({float}): pa.float64(),
         frozenset({int, float}): pa.float64(), frozenset({bool}): pa.bool_()}


def _column(values: list[Any], fixed: bool) -> pa.Array:
    """One column: plain Python values straight to Arrow (one pass to learn their kinds), else value by value."""
    kinds = frozenset(type(v) for v in values) - {type(None)}
    if fixed or not kinds:
        return pa.array(values, type=pa.string())
    kind = _FAST.get(kinds)
    if kind is not None:
        try:
            return pa.array(values, type=kind)
        except (OverflowError, pa.ArrowException):
            pass
    plain = [_plain(v) for v in values]
    kind = column_type(plain)
    return pa.array([_as(v, kind) for v in plain], type=kind)


def sql_type(kind: pa.DataType) -> str:
    """The DuckDB type of an Arrow column type."""
    if kind == pa.bool_():
        return "BOOLEAN"
    if pa.types.is_integer(kind):
        return "BIGINT"
    if pa.types.is_floating(kind):
        return "DOUBLE"
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return f"{sql_type(kind.value_type)}[]"
    return "VARCHAR"


def unified(stored: str, incoming: str) -> str:
    """The type a column takes when a load brings values of another type: whole numbers widen to DOUBLE,
    anything else that disagrees becomes text (as the Parquet store wrote mixed columns)."""
    if stored == incoming:
        return stored
    if {stored, incoming} == {"BIGINT", "DOUBLE"}:
        return "DOUBLE"
    if {stored, incoming} == {"VARCHAR[]", "DOUBLE[]"}:
        return "VARCHAR[]"
    return "VARCHAR"


def value_sql_type(value: Any) -> str:
    """The DuckDB type of one Python value (``set_rel_property``)."""
    return sql_type(column_type([_plain(value)]))
