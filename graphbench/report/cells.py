"""How a table value reads in a report, the same in Markdown, HTML and PDF."""

from __future__ import annotations

import numbers
import re

import pandas as pd

_ISO_TIME = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?Z?")


def is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def cell_text(value: object) -> str:
    """Blank for missing, thousands separators, two decimals below 1,000, lists joined with ``;``, and
    ISO timestamps (UTC) cut to the minute so that a date column fits without breaking."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        number = float(value)
        return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:,.2f}"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, str) and _ISO_TIME.fullmatch(value):
        return _ISO_TIME.sub(r"\1 \2", value)
    return str(value)


def numeric_column(column: pd.Series) -> bool:
    """Every value that is there is a number (right-aligned, never broken)."""
    values = [v for v in column if not is_missing(v)]
    return bool(values) and all(is_number(v) for v in values)
