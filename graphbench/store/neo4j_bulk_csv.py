"""The neo4j-admin CSVs of a staged graph, written by DuckDB's own ``COPY … TO`` (no Python per row).

The staged graph is an embedded workspace's database (``graph.duckdb``: one table per label, ``n_Account``,
and per relationship type, ``r_TRANSFERRED``; :mod:`graphbench.store.embedded`). Each table becomes one
data file plus a one-line header file (``--nodes=Label:Entity=header.csv,data.csv``): a DuckDB column has one
type, so one header types the whole file (the pandas writer before it split a table by the Python type of
each row's values; the stored tables never mix types in a column, :mod:`graphbench.store.duck_values`).

The rules, each as the Bolt writer would store the value:

- header: ``id:ID`` (nodes) or ``:START_ID,:END_ID`` (relationships), then ``name:type`` per property with
  VARCHAR → ``string``, BIGINT → ``long``, DOUBLE → ``double``, BOOLEAN → ``boolean``, ``X[]`` → ``x[]``;
  any other column type is written as its text (``string``);
- strings (and ids) are always quoted, quotes doubled: an empty string stays ``""`` and a NULL is an empty,
  unquoted field, which neo4j-admin reads as a missing property;
- lists are joined by U+001F inside one quoted field; NULL items are dropped and a list with no item left is
  missing (an empty list cannot be told from a missing one in these CSVs; the loaders never write one);
- doubles are DuckDB's text of them, the shortest that reads back to the same bits (checked on 200k random
  bit patterns; Java's ``Double.parseDouble`` reads it exactly); NaN is missing, ±infinity is written as
  Java spells it;
- a string or list item holding U+001F is refused with one sentence naming the record and its source row;
- a table none of whose text holds a line break is read by neo4j-admin's fast line parser; only files
  that hold one are named in ``--multiline-fields`` (the multi-line parser is much slower).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from graphbench.errors import GraphbenchError
from graphbench.schema import BASE_LABEL, NODE_TYPES, REL_TYPES
from graphbench.store.duck_merge import q, table_columns
from graphbench.store.duck_workspace import sql_text

ARRAY_DELIMITER = "\x1f"  # unit separator: no text export uses it, unlike ';' and ','
SCALARS = {"VARCHAR": "string", "BIGINT": "long", "INTEGER": "long", "SMALLINT": "long", "TINYINT": "long",
           "HUGEINT": "string", "DOUBLE": "double", "FLOAT": "double", "BOOLEAN": "boolean"}
Progress = Callable[[str, int, int], None]


@dataclass
class ImportFile:
    """One label's or relationship type's CSV pair and what neo4j-admin needs to know of it."""

    kind: str  # "nodes" | "relationships"
    name: str  # label or relationship type
    header: Path
    data: Path
    rows: int
    multiline: bool

    def argument(self) -> str:
        group = f"{self.name}:{BASE_LABEL}" if self.kind == "nodes" else self.name
        return f"--{self.kind}={group}={self.header},{self.data}"


def _neo4j_type(duck_type: str) -> str:
    if duck_type.endswith("[]"):
        inner = SCALARS.get(duck_type[:-2], "string")
        return f"{inner}[]"
    return SCALARS.get(duck_type, "string")


def _value_sql(column: str, duck_type: str) -> tuple[str, bool]:
    """(SQL of the written field, whether it is always quoted)."""
    c = q(column)
    kind = _neo4j_type(duck_type)
    if kind.endswith("[]"):
        return f"CASE WHEN list_count({c}) > 0 THEN array_to_string({c}, chr(31)) END", True
    if kind == "double":
        return (f"CASE WHEN isnan({c}) THEN NULL WHEN isinf({c}) THEN "
                f"(CASE WHEN {c} > 0 THEN 'Infinity' ELSE '-Infinity' END) ELSE CAST({c} AS VARCHAR) END"), False
    if kind == "string":
        return (c if duck_type == "VARCHAR" else f"CAST({c} AS VARCHAR)"), True
    return c, False


def _text_sql(column: str, duck_type: str) -> str | None:
    """The column as one text to search for U+001F and line breaks (None: it cannot hold either)."""
    kind = _neo4j_type(duck_type)
    if kind == "string[]":
        return f"array_to_string({q(column)}, '')"
    if kind == "string":
        return q(column) if duck_type == "VARCHAR" else f"CAST({q(column)} AS VARCHAR)"
    return None


def _refuse_delimiter(con: duckdb.DuckDBPyConnection, table: str, fixed: list[str], columns: dict[str, str],
                      texts: dict[str, str], what: str) -> None:
    """One sentence for the first record whose text holds U+001F."""
    hits = " OR ".join(f"contains({t}, chr(31))" for t in texts.values())
    source = [c for c in ("source_file", "source_row") if c in columns]
    picked = ", ".join(q(c) for c in [*fixed, *source])
    flags = ", ".join(f"contains({t}, chr(31))" for t in texts.values())
    row = con.execute(f"SELECT {picked}, {flags} FROM {q(table)} WHERE {hits} LIMIT 1").fetchone()
    assert row is not None
    key = " → ".join(str(v) for v in row[:len(fixed)])
    place = f" ({row[len(fixed)]} row {row[len(fixed) + 1]})" if len(source) == 2 else ""
    field = next(name for name, hit in zip(texts, row[len(fixed) + len(source):], strict=True) if hit)
    raise GraphbenchError(f"the {what} {key}{place} holds the character U+001F in {field}, which the bulk import "
                          "uses between list items: load it without --bulk")


def plan_table(con: duckdb.DuckDBPyConnection, kind: str, name: str, folder: Path) -> tuple[ImportFile, str] | None:
    """(the CSV pair of one label (``kind`` "nodes") or relationship type, the COPY that writes its data);
    None when it has no rows. Its text is checked (U+001F refused, line breaks noted) and its header written."""
    table = ("n_" if kind == "nodes" else "r_") + name
    columns = table_columns(con, table)
    fixed = ["id"] if kind == "nodes" else ["start", "end"]
    if not columns or any(c not in columns for c in fixed):
        return None
    texts = {c: t for c, t in ((c, _text_sql(c, k)) for c, k in columns.items()) if t is not None}
    checks = "".join(f", coalesce(bool_or(contains({t}, chr(31))), false), "
                     f"coalesce(bool_or(contains({t}, chr(10)) OR contains({t}, chr(13))), false)"
                     for t in texts.values())
    found = con.execute(f"SELECT count(*){checks} FROM {q(table)}").fetchone()
    assert found is not None
    rows, flags = int(found[0]), found[1:]
    if not rows:
        return None
    what = f"{name} node" if kind == "nodes" else f"{name} relationship"
    if any(flags[0::2]):
        _refuse_delimiter(con, table, fixed, columns, texts, what)
    header = ["id:ID"] if kind == "nodes" else [":START_ID", ":END_ID"]
    selects, quoted = [], []
    for number, (column, duck_type) in enumerate(columns.items()):
        alias = f"c{number}"
        if column in fixed:
            selects.append(f"CAST({q(column)} AS VARCHAR) AS {alias}")
            quoted.append(alias)
            continue
        sql, always_quoted = _value_sql(column, duck_type)
        selects.append(f"{sql} AS {alias}")
        header.append(f"{column}:{_neo4j_type(duck_type)}")
        if always_quoted:
            quoted.append(alias)
    # the fixed columns first, in the header's order
    order = [f"c{list(columns).index(c)}" for c in fixed]
    rest = [f"c{n}" for n, c in enumerate(columns) if c not in fixed]
    stem = f"{kind}-{name}"
    header_path, data_path = folder / f"{stem}-header.csv", folder / f"{stem}.csv"
    header_path.write_text(",".join(header) + "\n", encoding="utf-8")
    copy = (f"COPY (SELECT {', '.join(order + rest)} FROM (SELECT {', '.join(selects)} FROM {q(table)})) "
            f"TO {sql_text(str(data_path))} (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"', "
            f"ESCAPE '\"', NULL '', FORCE_QUOTE ({', '.join(quoted)}))")
    return ImportFile(kind, name, header_path, data_path, rows, multiline=any(flags[1::2])), copy


def write_import_csvs(database: Path, folder: Path, progress: Progress | None = None,
                      checked: Callable[[], None] | None = None) -> list[ImportFile]:
    """The CSV pairs of every label and relationship type in the staged ``database`` (opened read-only).

    Every table is checked before any data is written; ``checked()`` is called between the two (the bulk
    path stops the server then, so the stop overlaps the writing but bad input never stops it)."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute(f"SET temp_directory = {sql_text(str(folder / '.duckdb-tmp'))}")
        # rows in any order (the graph has none): DuckDB writes in parallel without putting them back in
        # order, 2.8x faster (1M transfers: 13.4 s -> 4.8 s)
        con.execute("SET preserve_insertion_order = false")
        wanted = [("nodes", label) for label in NODE_TYPES] + [("relationships", t) for t in REL_TYPES]
        plans = [plan for kind, name in wanted if (plan := plan_table(con, kind, name, folder)) is not None]
        if not plans:
            raise GraphbenchError("the load gave no nodes and no relationships to import (see the rejects "
                                  "files): Neo4j was left as it was")
        if checked is not None:
            checked()
        total, done = sum(file.rows for file, _ in plans), 0
        for file, copy in plans:
            con.execute(copy)
            done += file.rows
            if progress is not None:
                progress("neo4j-admin CSVs (records)", done, total)
        return [file for file, _ in plans]
    finally:
        con.close()
