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

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graphbench.store.duck_merge import arrow_of
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
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))
    hasher = duckdb.connect(":memory:")
    keys = sorted(header)
    number = 0
    try:
        for batch in reader:
            table = pa.Table.from_batches([batch])
            # one pass per row over all its cells: blank (every cell whitespace) and odd (see the module doc)
            joined = pc.binary_join_element_wise(*[table[name] for name in header], "")
            blank = pc.match_substring_regex(joined, BLANK)
            too_long = None
            for name in header:
                longer = pc.greater(pc.utf8_length(table[name]), MAX_FIELD)
                too_long = longer if too_long is None else pc.or_(too_long, longer)
            odd = pc.or_(pc.match_substring_regex(joined, ODD), too_long)
            if pc.any(blank).as_py():
                table = table.filter(pc.invert(blank))
                odd = pc.filter(odd, pc.invert(blank))
            count = table.num_rows
            if not count:
                continue
            numbers = pa.array(range(number + 1, number + count + 1), type=pa.int64())
            number += count
            yield Block(table, numbers, _hashes(hasher, table, keys), pc.fill_null(odd, True).combine_chunks())
    finally:
        hasher.close()


def _hashes(con: duckdb.DuckDBPyConnection, table: pa.Table, keys: list[str]) -> pa.Array:
    """SHA-256 of each row's canonical JSON, built column-wise (an odd row's hash is the row path's to
    make: its control characters need JSON escapes this does not write)."""
    parts: list[pa.ChunkedArray | str] = []
    for i, key in enumerate(keys):
        escaped = table[key]
        if pc.any(pc.match_substring(escaped, "\\")).as_py():
            escaped = pc.replace_substring(escaped, "\\", "\\\\")
        if pc.any(pc.match_substring(escaped, '"')).as_py():
            escaped = pc.replace_substring(escaped, '"', '\\"')
        parts += [("{" if i == 0 else ",") + json.dumps(key, ensure_ascii=False) + ':"', escaped, '"']
    parts.append("}")
    text = pc.binary_join_element_wise(*parts, "")
    con.register("_gb_json", pa.table({"j": text}))
    try:
        return arrow_of(con.execute("SELECT sha256(j) AS h FROM _gb_json"))["h"].combine_chunks()
    finally:
        con.unregister("_gb_json")
