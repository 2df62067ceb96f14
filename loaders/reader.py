"""Reading source exports row by row (CSV or JSON Lines), whatever their encoding and state.

A generator yields ``SourceRow``s one at a time, so a 10-million-row file streams in bounded memory.
A row that cannot even be read (ragged, binary junk, an enormous field, bad JSON) is yielded
with ``error`` set, never raised: the load rejects it and goes on.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_FIELD = 1_000_000  # characters; a longer cell is a broken row, not data
MAX_RECORD_LINES = 200  # a quoted field may hold line breaks, but not this many
_SNIFF_BYTES = 4 << 20


@dataclass
class SourceRow:
    number: int  # 1-based data row (CSV: record after the header; JSONL: line)
    raw: dict[str, str]  # column → text as found in the file
    sha256: str  # of the raw record (canonical JSON), for provenance and `verify`
    error: str | None = None


def record_sha256(raw: dict[str, str]) -> str:
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def detect_encoding(path: Path) -> str:
    """BOMs first; then UTF-8 if a large sample decodes; else Windows-1252 (a superset of Latin-1)."""
    with path.open("rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # cut inside a multi-byte character at the sample's end
            return "utf-8"
        return "cp1252"


def read_rows(path: Path) -> Iterator[SourceRow]:
    """Rows of a CSV or JSON Lines file, by its extension."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        yield from _read_jsonl(path)
    else:
        yield from _read_csv(path)


def _text_lines(path: Path) -> Iterator[str]:
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        for line in handle:
            yield line.replace("\x00", "")  # NUL bytes would stop the csv module


def _read_csv(path: Path) -> Iterator[SourceRow]:
    csv.field_size_limit(MAX_FIELD * 4)
    records = _csv_records(_text_lines(path))
    first = next(records, None)
    if first is None:
        return
    if first[1] is not None:
        yield SourceRow(0, {}, "", f"header cannot be read: {first[1]}")
        return
    header = [h.strip() for h in first[0]]
    number = 0
    for cells, error in records:
        if error is None and not any(cell.strip() for cell in cells):
            continue  # blank lines are not records
        number += 1
        if error is not None:
            yield SourceRow(number, {"line": "".join(cells)[:2000]}, "", error)
            continue
        raw = dict(zip(header, cells, strict=False))  # ragged rows are rejected below
        sha = record_sha256(raw)
        if len(cells) != len(header):
            yield SourceRow(number, raw, sha, f"row has {len(cells)} fields, the header has {len(header)}")
        elif any(len(cell) > MAX_FIELD for cell in cells):
            yield SourceRow(number, {}, sha, f"a field is longer than {MAX_FIELD} characters")
        else:
            yield SourceRow(number, raw, sha)


def _csv_records(lines: Iterator[str]) -> Iterator[tuple[list[str], str | None]]:
    """(cells, None) per CSV record, or (raw lines, error) for a line that cannot start one.

    A record may span lines inside quotes; an opening quote never closed within MAX_RECORD_LINES
    lines (or before the end of the file) rejects only the line it started on, and reading resumes
    on the next line — so one stray quote cannot swallow the rest of the file.
    """
    queue: deque[str] = deque()
    source = iter(lines)
    while True:
        pending: list[str] = []
        quotes = 0
        while True:
            line = queue.popleft() if queue else next(source, None)
            if line is None:
                break
            pending.append(line)
            quotes += line.count('"')
            if quotes % 2 == 0 or len(pending) >= MAX_RECORD_LINES:
                break
        if not pending:
            return
        if quotes % 2:
            queue.extendleft(reversed(pending[1:]))
            yield [pending[0]], "an opening quote is never closed"
            continue
        try:
            rows = list(csv.reader(pending))
        except csv.Error as exc:
            yield pending, f"row cannot be read: {exc}"
            continue
        if len(rows) == 1:
            yield rows[0], None
        elif rows:
            yield pending, "row cannot be read: it holds more than one record"
        else:
            yield [], None


def _read_jsonl(path: Path) -> Iterator[SourceRow]:
    for number, line in enumerate(_text_lines(path), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceRow(number, {}, "", f"line is not valid JSON ({exc.msg})")
            continue
        if not isinstance(value, dict):
            yield SourceRow(number, {}, "", "line is not a JSON object")
            continue
        raw = {str(k): _as_text(v) for k, v in value.items()}
        sha = record_sha256(raw)
        if any(len(v) > MAX_FIELD for v in raw.values()):
            yield SourceRow(number, {}, sha, f"a field is longer than {MAX_FIELD} characters")
        else:
            yield SourceRow(number, raw, sha)


def _as_text(value: object) -> str:
    """JSON values as the text a CSV cell would hold; lists become ';'-separated."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_as_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def header_of(path: Path) -> list[str]:
    """The column names of a file (CSV header, or the keys of the first JSON line)."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for row in _read_jsonl(path):
            if not row.error:
                return list(row.raw)
        return []
    for line in _text_lines(path):
        return [h.strip() for h in next(csv.reader(io.StringIO(line)))]
    return []
