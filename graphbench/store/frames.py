"""Values in the embedded store's tables: stored rows as plain Python, column dtypes, Parquet-safe columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def select(table: pd.DataFrame, fixed: list[str], columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is None:
        return table.copy()
    wanted = fixed + [c for c in columns if c not in fixed]
    result = table.reindex(columns=wanted)
    return result


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return value is pd.NA or value is pd.NaT


def row_dict(row: pd.Series) -> dict[str, Any]:
    return clean_record(dict(row.items()))


def clean_record(record: dict[Any, Any]) -> dict[str, Any]:
    """A stored row as plain Python values, without missing ones."""
    result: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, list) and is_missing(value):
            continue
        result[str(key)] = value
    return result


def to_parquet(table: pd.DataFrame) -> pd.DataFrame:
    """Make object columns Parquet-safe: lists stay lists, scalars of mixed type become text."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        if pd.api.types.infer_dtype(out[column], skipna=True) == "string":  # all text: no per-value work
            out[column] = out[column].astype("string")
            continue
        values = out[column].dropna()
        if values.empty:
            out[column] = out[column].astype("string")
            continue
        kinds = {type(v) for v in values}
        if kinds <= {list, np.ndarray}:
            continue
        if kinds <= {int, float}:
            out[column] = pd.to_numeric(out[column])
            continue
        if kinds == {bool}:
            continue
        out[column] = out[column].map(lambda v: None if is_missing(v) else str(v)).astype("string")
    return out


def typed(table: pd.DataFrame) -> pd.DataFrame:
    """Give object columns a real dtype: whole numbers stay integers even with gaps (``Int64``)."""
    for column in table.columns:
        if table[column].dtype != object:
            continue
        # infer_dtype walks the column in C; "integer" excludes bools, as the type check below does
        inferred = pd.api.types.infer_dtype(table[column], skipna=True)
        if inferred in ("string", "empty", "boolean", "mixed"):
            continue
        kinds = {type(v) for v in table[column].dropna()}
        if kinds == {int}:
            table[column] = table[column].astype("Int64")
        elif kinds <= {int, float} and kinds:
            table[column] = table[column].astype("float64")
    return table


def from_parquet(table: pd.DataFrame) -> pd.DataFrame:
    for column in table.columns:
        if str(table[column].dtype) == "string":
            table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table
