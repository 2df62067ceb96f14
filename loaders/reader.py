"""Reading source exports row by row (CSV or JSON Lines), whatever their encoding and state.

A generator yields ``SourceRow``s one at a time, so a 10-million-row file streams in bounded memory.
A row that cannot even be read (ragged, binary junk, an enormous field, bad JSON, JSON nested
deeper than ``MAX_JSON_DEPTH``) is yielded with ``error`` set, never raised: the load rejects it
and goes on.

Text is decoded line by line: strict UTF-8, and a line that is not UTF-8 falls back to
Windows-1252 on its own (noted on the row when the file is otherwise UTF-8), so one stray
Windows line never turns the rest of a UTF-8 file into mojibake. UTF-16 needs its BOM. Any
number of leading BOMs is dropped from the first line. NUL bytes are kept (the loader names the
field that holds them), never silently stripped.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_FIELD = 1_000_000  # characters; a longer cell is a broken row, not data
MAX_RECORD_LINES = 200  # a quoted field may hold line breaks, but not this many
MAX_JSON_DEPTH = 32  # a record is flat; nesting this deep is an attack on the parser's stack
_SNIFF_BYTES = 4 << 20
_BINARY_SNIFF_BYTES = 64 << 10
WINDOWS_LINE = "the line is not valid UTF-8 and was read as Windows-1252; check its accented letters"
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive, such as an Excel workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass
class SourceRow:
    number: int  # 1-based data row (CSV: record after the header; JSONL: line)
    raw: dict[str, str]  # column → text as found in the file
    sha256: str  # of the raw record (canonical JSON), for provenance and `verify`
    error: str | None = None
    note: str | None = None  # something the reader had to guess (a line read as Windows-1252)


def record_sha256(raw: dict[str, str]) -> str:
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def detect_encoding(path: Path) -> str:
    """``utf-16`` (by its BOM), ``utf-8`` (a large sample decodes, or holds UTF-8 letters beside
    a stray line that does not), else ``cp1252`` (a superset of Latin-1). Lines are decoded one
    by one in any case (see the module doc); this decides only whether a fallback is news."""
    with path.open("rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # cut inside a multi-byte character at the sample's end
            return "utf-8"
        return "utf-8" if _UTF8_MULTIBYTE.search(sample) else "cp1252"


def not_text(path: Path) -> str | None:
    """What a file is instead of text (``"a ZIP archive, …"``), or None when it reads as text.

    Known signatures first; then a sample with many control characters *and* many bytes that
    are not UTF-8 is binary (random or compressed data). A text file with a few NUL bytes or a
    Windows-1252 line is still text: its bad rows are rejected one by one.
    """
    with path.open("rb") as handle:
        sample = handle.read(_BINARY_SNIFF_BYTES)
    if not sample or sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return None
    for magic, what in _MAGIC:
        if sample.startswith(magic):
            return what
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13) or b == 127)
    invalid = sample.decode("utf-8", errors="replace").count("\ufffd")
    if controls >= 0.03 * len(sample) and invalid >= 0.15 * len(sample):
        return "binary data"
    return None


def read_rows(path: Path) -> Iterator[SourceRow]:
    """Rows of a CSV or JSON Lines file, by its extension."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        yield from _read_jsonl(path)
    else:
        yield from _read_csv(path)


def _text_lines(path: Path) -> Iterator[str]:
    for line, _ in _decoded_lines(path):
        yield line


def _decoded_lines(path: Path) -> Iterator[tuple[str, str | None]]:
    """(line, note) per line of text; the note says when a line was read as Windows-1252."""
    encoding = detect_encoding(path)
    if encoding == "utf-16":
        with path.open("r", encoding="utf-16", errors="replace", newline="") as handle:
            first = True
            for line in handle:
                yield (line.lstrip("\ufeff") if first else line), None
                first = False
        return
    note_fallback = encoding == "utf-8"
    with path.open("rb") as handle:
        first = True
        for data in handle:
            if first:
                while data.startswith(codecs.BOM_UTF8):  # a doubled BOM is still no column name
                    data = data[len(codecs.BOM_UTF8):]
            try:
                text, note = data.decode("utf-8"), None
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
                note = WINDOWS_LINE if note_fallback and not first else None
            if first:
                text = text.lstrip("\ufeff")
                first = False
            if "\r" in text.rstrip("\r\n"):  # old Mac line ends inside one binary line
                for part in text.splitlines(keepends=True):
                    yield part, note
            else:
                yield text, note


def _read_csv(path: Path) -> Iterator[SourceRow]:
    csv.field_size_limit(MAX_FIELD * 4)
    records = _csv_records(_decoded_lines(path))
    first = next(records, None)
    if first is None:
        return
    if first[1] is not None:
        yield SourceRow(0, {}, "", f"header cannot be read: {first[1]}")
        return
    header = [h.strip().lstrip("\ufeff") for h in first[0]]
    number = 0
    for cells, error, note in records:
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
            yield SourceRow(number, raw, sha, note=note)


def _csv_records(lines: Iterator[tuple[str, str | None]]) -> Iterator[tuple[list[str], str | None, str | None]]:
    """(cells, None, note) per CSV record, or (raw lines, error, None) for a line that cannot
    start one.

    A record may span lines inside quotes; an opening quote never closed within MAX_RECORD_LINES
    lines (or before the end of the file) rejects only the line it started on, and reading resumes
    on the next line — so one stray quote cannot swallow the rest of the file.
    """
    queue: deque[tuple[str, str | None]] = deque()
    source = iter(lines)
    while True:
        pending: list[str] = []
        notes: list[str] = []
        quotes = 0
        while True:
            item = queue.popleft() if queue else next(source, None)
            if item is None:
                break
            line, note = item
            pending.append(line)
            if note:
                notes.append(note)
            quotes += line.count('"')
            if quotes % 2 == 0 or len(pending) >= MAX_RECORD_LINES:
                break
        if not pending:
            return
        if quotes % 2:
            # the lines after the first go back to the queue (their notes are re-derived as None:
            # a stray quote is the louder problem)
            queue.extendleft((line, None) for line in reversed(pending[1:]))
            yield [pending[0]], "an opening quote is never closed", None
            continue
        try:
            rows = list(csv.reader(pending))
        except csv.Error as exc:
            yield pending, f"row cannot be read: {exc}", None
            continue
        if len(rows) == 1:
            yield rows[0], None, (notes[0] if notes else None)
        elif rows:
            yield pending, "row cannot be read: it holds more than one record", None
        else:
            yield [], None, None


def _read_jsonl(path: Path) -> Iterator[SourceRow]:
    for number, (line, note) in enumerate(_decoded_lines(path), start=1):
        if not line.strip():
            continue
        if _too_deep(line):
            yield SourceRow(number, {}, "", f"line nests JSON deeper than {MAX_JSON_DEPTH} levels")
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceRow(number, {}, "", f"line is not valid JSON ({exc.msg})")
            continue
        except RecursionError:  # _too_deep is the guard; this is the belt to its braces
            yield SourceRow(number, {}, "", f"line nests JSON deeper than {MAX_JSON_DEPTH} levels")
            continue
        if not isinstance(value, dict):
            yield SourceRow(number, {}, "", "line is not a JSON object")
            continue
        raw = {str(k): _as_text(v) for k, v in value.items()}
        sha = record_sha256(raw)
        if any(len(v) > MAX_FIELD for v in raw.values()):
            yield SourceRow(number, {}, sha, f"a field is longer than {MAX_FIELD} characters")
        else:
            yield SourceRow(number, raw, sha, note=note)


def _too_deep(line: str) -> bool:
    """Whether brackets outside strings nest deeper than MAX_JSON_DEPTH (checked only when
    the line holds that many brackets at all, so ordinary lines cost two counts)."""
    if line.count("[") + line.count("{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for char in line:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


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
        return [h.strip().lstrip("\ufeff") for h in next(csv.reader(io.StringIO(line)))]
    return []
