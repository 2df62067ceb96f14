"""Spreadsheet formula injection: text a spreadsheet would run (``=``, ``+``, ``-``, ``@``, tab, CR at
the start) is prefixed with ``'`` in every CSV graphbench writes."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def write_csv(path: str | Path, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        out.writeheader()
        for row in rows:
            out.writerow({k: neutralise(row.get(k)) for k in columns})
            count += 1
    return count
