"""Picking the columns of a store table the port was asked for (missing ones come back empty)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def select(table: pd.DataFrame, fixed: list[str], columns: Sequence[str] | None) -> pd.DataFrame:
    if columns is None:
        return table.copy()
    wanted = fixed + [c for c in columns if c not in fixed]
    result = table.reindex(columns=wanted)
    return result
