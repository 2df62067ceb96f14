"""What a load would do to one file, before anything is written: the rows the real loaders would reject
and why, and the optional fields they would set aside.

The same path as :func:`loaders.load.load_file` (reader, mapping conversion, NUL check, the kind's
``parse``), minus the writer: no store, no rejects file. Species matching is left out (the matcher
adds mentions; it never rejects a row), so a preview of a listings file is as strict as its load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from graphbench.errors import InvalidRow
from loaders.context import RowContext
from loaders.load import PARSERS, REJECT_COLUMNS, WARNING_COLUMNS, Source, _without_nul, canonical_rows, refusal
from loaders.mapping import MappingEntry
from loaders.reader import header_of

PREVIEW_ROWS = 50_000  # rows checked; a bigger file is previewed on its first rows (said so)


@dataclass
class Preview:
    """What loading one file as ``kind`` would give: counts, and the rejects and warnings as tables."""

    file: str
    kind: str
    rows: int
    would_load: int
    rejects: pd.DataFrame  # file, row, field, reason, raw
    warnings: pd.DataFrame  # file, row, field, reason, value
    complete: bool  # False: only the first PREVIEW_ROWS rows were checked

    @property
    def would_reject(self) -> int:
        return len(self.rejects)


def preview_file(path: Path, kind: str, entry: MappingEntry | None, file_name: str | None = None,
                 limit: int = PREVIEW_ROWS) -> Preview:
    """Check ``path`` as a ``kind`` file read through ``entry`` (or as already canonical), naming it
    ``file_name`` (default: its own name) in every row. Raises ``GraphbenchError`` with one sentence
    for what refuses the whole file (not text, or a mapping naming a column the file lacks)."""
    from graphbench.errors import GraphbenchError

    name = file_name or path.name
    refused = refusal(path, path.parent.resolve())
    if refused:
        raise GraphbenchError(refused.replace(path.name, name, 1))
    if entry is not None:
        entry.check_header(header_of(path), path)
    parser = PARSERS[kind]
    required = tuple(getattr(parser, "REQUIRED", ()))
    rejects: list[dict[str, object]] = []
    warnings: list[dict[str, object]] = []
    rows = loaded = 0
    complete = True
    for record in canonical_rows(Source(kind, path, entry)):
        if rows >= limit:
            complete = False
            break
        rows += 1
        row = record.row
        ctx = RowContext(name, record.number, record.sha256)
        try:
            if record.error:
                raise record.error
            if record.note:
                ctx.warn("", record.note, json.dumps(row, ensure_ascii=False)[:300])
            parser.parse(_without_nul(row, required, ctx), ctx)
        except InvalidRow as exc:
            rejects.append({"file": name, "row": record.number, "field": exc.field, "reason": exc.reason,
                            "raw": json.dumps(row, ensure_ascii=False)[:2000]})
            continue
        loaded += 1
        warnings += [{"file": name, "row": record.number, "field": w.field, "reason": w.reason, "value": w.value}
                     for w in ctx.warnings]
    return Preview(name, kind, rows, loaded, pd.DataFrame(rejects, columns=list(REJECT_COLUMNS)),
                   pd.DataFrame(warnings, columns=list(WARNING_COLUMNS)), complete)
