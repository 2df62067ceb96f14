"""Reading a CSV export column-wise: Arrow record batches of text cells, each row numbered as the row
reader numbers it, with the SHA-256 of its raw record computed in bulk.

This is the fast twin of :func:`loaders.reader.read_rows` for the common case, a UTF-8 CSV that pyarrow
parses without complaint. Whatever is unusual stays with the row reader, so its rules hold unchanged:

- a file that is not UTF-8 (by :func:`loaders.reader.detect_encoding`), a TSV, a header with repeated
  names, or one that pyarrow cannot parse (a ragged row, an unclosed quote) is read row by row;
- a row with a control character or a non-ASCII space in any cell (a NUL byte, a tab, a line break
  inside quotes, a no-break space: what ``str.strip`` and the JSON encoder treat specially) is marked
  ``odd``, and the caller hands it to the row parser with its cells as read.

Row numbers: 1-based over records after the header, a record whose cells are all blank not counted
(the row reader skips those too). The hash is that of :func:`loaders.reader.record_sha256`: canonical
JSON of ``{column: cell}`` with sorted keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from loaders.reader import MAX_FIELD, detect_encoding, header_of

BLOCK_BYTES = 16 << 20  # ~100k transfer rows per record batch: memory stays bounded whatever the file size
# What the row path must see: C0 controls (NUL, tab, CR/LF inside quotes, the separators str.strip
# drops) and the Unicode spaces that str.strip removes and an ASCII trim would not.
ODD = "[\\x00-\\x1f\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"

# A record of whitespace only is no record (str.strip's whitespace: ASCII, the separators, Unicode spaces).
BLANK = "^[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]*$"


@dataclass
class Block:
    """One record batch of a file: cells as text, row numbers, hashes, and which rows are odd."""

    cells: pa.Table  # one string column per header name
    numbers: pa.Array  # int64, the row reader's numbering
    sha256: pa.Array  # string (hex)
    odd: pa.Array  # bool: give this row to the row parser


def readable(path: Path) -> list[str] | None:
    """The header if this file can be read column-wise, else None (the row reader takes it)."""
    if path.suffix.lower() != ".csv" or detect_encoding(path) != "utf-8":
        return None
    header = header_of(path)
    if not header or len(set(header)) != len(header) or any(not name for name in header):
        return None
    return header


def blocks(path: Path, header: list[str]) -> Iterator[Block]:
    """The file's rows, one record batch at a time. Raises ``pyarrow.ArrowInvalid`` when pyarrow cannot
    parse the file (the caller then reads it row by row)."""
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_BYTES,
                                       use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))
    keys = sorted(header)
    number = 0
    for batch in reader:
        table = pa.Table.from_batches([batch])
        blank = _blank(table, header)
        odd = _odd(table, header)
        if blank is not None:
            table = table.filter(pc.invert(blank))
            odd = pc.filter(odd, pc.invert(blank))
        count = table.num_rows
        if not count:
            continue
        numbers = pa.array(np.arange(number + 1, number + count + 1, dtype=np.int64))
        number += count
        yield Block(table, numbers, _hashes(table, keys), pc.fill_null(odd, True))


def _plain_ascii(column: pa.ChunkedArray) -> bool:
    """Whether every byte under the column is printable ASCII (conservative: the whole data buffer is
    looked at, so a byte outside the column's slice can only send it to the regex)."""
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is None or data.size == 0:
            continue
        raw = np.frombuffer(data, dtype=np.uint8)
        if raw.min() < 0x20 or raw.max() >= 0x80:
            return False
    return True


def _longest_bytes(column: pa.ChunkedArray) -> int:
    longest = 0
    for chunk in column.chunks:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
            longest = max(longest, int(np.diff(offsets).max()))
    return longest


def _blank(table: pa.Table, header: list[str]) -> pa.Array | None:
    """Rows whose cells are all whitespace (None when there is none): column by column, stopping at the
    first column where no row is left blank (usually the first)."""
    blank = None
    for name in header:
        this = pc.match_substring_regex(table[name], BLANK)
        blank = this if blank is None else pc.and_(blank, this)
        if not pc.any(blank).as_py():
            return None
    return blank.combine_chunks() if isinstance(blank, pa.ChunkedArray) else blank


def _odd(table: pa.Table, header: list[str]) -> pa.Array:
    """Rows with a control character, a special space or an over-long cell in any cell; the regex runs
    only on the columns whose bytes are not all printable ASCII."""
    odd = pa.array(np.zeros(table.num_rows, dtype=bool))
    for name in header:
        column = table[name]
        if not _plain_ascii(column):
            odd = pc.or_(odd, pc.match_substring_regex(column, ODD))
        if _longest_bytes(column) > MAX_FIELD:  # a cell's characters are at most its bytes
            odd = pc.or_(odd, pc.greater(pc.utf8_length(column), MAX_FIELD))
    return odd.combine_chunks() if isinstance(odd, pa.ChunkedArray) else odd


def _hashes(table: pa.Table, keys: list[str]) -> pa.Array:
    """SHA-256 of each row's canonical JSON (:func:`loaders.reader.record_sha256`). The JSON texts of the
    block are laid out in one byte buffer with numpy (each column's bytes copied to their places in one
    step), and hashlib hashes each row's slice: only the hash itself runs once per row in Python (several
    times faster than SHA-256 in DuckDB, and than formatting each row's text). An odd row's hash is the row
    path's to make: its control characters need JSON escapes this does not write."""
    n = table.num_rows
    columns: list[pa.Array] = []
    for key in keys:
        escaped = table[key]
        if pc.any(pc.match_substring(escaped, "\\")).as_py():
            escaped = pc.replace_substring(escaped, "\\", "\\\\")
        if pc.any(pc.match_substring(escaped, '"')).as_py():
            escaped = pc.replace_substring(escaped, '"', '\\"')
        columns.append(escaped.combine_chunks() if isinstance(escaped, pa.ChunkedArray) else escaped)
    prefixes = [(("{" if k == 0 else ",") + json.dumps(key, ensure_ascii=False) + ':"').encode("utf-8")
                for k, key in enumerate(keys)]
    spans = [_span(column) for column in columns]
    length = sum(len(p) + 1 for p in prefixes) + 1 + sum(np.diff(offsets) for offsets, _ in spans)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(length, out=starts[1:])
    out = np.empty(int(starts[-1]), dtype=np.uint8)
    cursor = starts[:-1].copy()
    for prefix, (offsets, data) in zip(prefixes, spans, strict=True):
        _put(out, cursor, np.frombuffer(prefix, dtype=np.uint8))
        sizes = np.diff(offsets)
        if len(data):  # each row's cell bytes, in place: a cell's bytes shift by (its place - its offset)
            out[np.repeat(cursor - offsets[:-1], sizes) + np.arange(offsets[0], offsets[-1])] = data
        cursor += sizes
        _put(out, cursor, np.frombuffer(b'"', dtype=np.uint8))
    _put(out, cursor, np.frombuffer(b"}", dtype=np.uint8))
    view, bounds, sha = memoryview(out.data), starts.tolist(), hashlib.sha256
    return pa.array([sha(view[a:b]).hexdigest() for a, b in zip(bounds[:-1], bounds[1:], strict=True)], type=pa.string())


def _span(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string column's row offsets (int64) and the bytes they index (no null cells: CSV text)."""
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[column.offset:column.offset + len(column) + 1]
    buffer = column.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8)[offsets[0]:offsets[-1]] if buffer is not None and len(column) \
        else np.zeros(0, dtype=np.uint8)
    return offsets.astype(np.int64), data


def _put(out: np.ndarray, cursor: np.ndarray, constant: np.ndarray) -> None:
    """The same bytes at every row's cursor, which then moves past them."""
    out[cursor[:, None] + np.arange(len(constant))] = constant
    cursor += len(constant)
