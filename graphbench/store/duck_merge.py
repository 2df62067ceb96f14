"""The merge rule (:mod:`graphbench.batch`) applied set-wise inside DuckDB.

For one key, every record (the stored row, ranked oldest, and the incoming records in load order):

- each property takes the value of the record with the latest capture (``last_seen``, none counting as
  oldest; ties to the record loaded later) *among the records that have it*: latest capture wins property
  by property and an empty value never erases;
- ``first_seen`` / ``last_seen`` are the min / max of the non-empty ones;
- ``sources`` is every record's sources in load order, each once, the first ``MAX_SOURCES``.

For a stored row and one new record this is ``merge_props`` exactly. Within one batch the rule is applied
to all its records at once, property by property (the Parquet store folded a batch record by record, which
let an older record's value stand against a newer one in a few orders). A key that is new and appears once in the batch
is inserted as it comes (the merge of one record is the record), which is what a first load mostly is.
"""

from __future__ import annotations

import pyarrow as pa

from graphbench.batch import MAX_SOURCES
from graphbench.store.duck_values import sql_type, unified

SPECIAL = ("first_seen", "last_seen", "sources")


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def arrow_of(result) -> pa.Table:
    """A query's result as an Arrow table (``to_arrow_table`` from DuckDB 1.4, ``fetch_arrow_table`` before)."""
    fetch = getattr(result, "to_arrow_table", None) or result.fetch_arrow_table
    return fetch()


def table_columns(con, table: str) -> dict[str, str]:
    """Column → DuckDB type of a table, in table order ({} when it does not exist)."""
    rows = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                       "AND schema_name = 'main' AND database_name IN (current_database(), 'temp') "
                       "ORDER BY column_index", [table]).fetchall()
    return {name: kind for name, kind in rows}


def _prepare(con, table: str, incoming: dict[str, str]) -> dict[str, str]:
    """Create the table or add and widen its columns so the incoming ones fit; the casts the incoming
    columns need (column → target type) come back."""
    stored = table_columns(con, table)
    if not stored:
        columns = ", ".join(f"{q(c)} {t}" for c, t in incoming.items())
        con.execute(f"CREATE TABLE {q(table)} ({columns})")
        return {}
    casts: dict[str, str] = {}
    for column, kind in incoming.items():
        if column not in stored:
            con.execute(f"ALTER TABLE {q(table)} ADD COLUMN {q(column)} {kind}")
            continue
        target = unified(stored[column], kind)
        if target != stored[column]:
            con.execute(f"ALTER TABLE {q(table)} ALTER COLUMN {q(column)} TYPE {target}")
        if target != kind:
            casts[column] = target
    return casts


def merge_into(con, table: str, incoming: pa.Table, keys: list[str]) -> None:
    """Upsert ``incoming`` (key columns, properties, ``_seq`` = load order) into ``table`` by the merge rule."""
    if incoming.num_rows == 0:
        return
    types = {f.name: sql_type(f.type) for f in incoming.schema if f.name != "_seq"}
    casts = _prepare(con, table, types)
    select = ", ".join(f"CAST({q(c)} AS {casts[c]}) AS {q(c)}" if c in casts else q(c) for c in incoming.column_names)
    con.register("_gb_arrow", incoming)  # scanned in place: the batch is not copied into the database
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _gb_inc AS SELECT {select} FROM _gb_arrow")
        _merge_batch(con, table, incoming, keys)
    finally:
        con.execute("DROP VIEW IF EXISTS _gb_inc")
        con.unregister("_gb_arrow")


def _merge_batch(con, table: str, incoming: pa.Table, keys: list[str]) -> None:
    key_list = ", ".join(q(k) for k in keys)
    on = " AND ".join(f"t.{q(k)} IS NOT DISTINCT FROM i.{q(k)}" for k in keys)
    # keys that need merging: stored already, or more than once in this batch
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _gb_hit AS
        SELECT {key_list} FROM _gb_inc GROUP BY {key_list} HAVING count(*) > 1
        UNION
        SELECT {', '.join(f'i.{q(k)}' for k in keys)} FROM _gb_inc i JOIN {q(table)} t ON {on}""")
    hits = con.execute("SELECT count(*) FROM _gb_hit").fetchone()[0]
    on_hit = " AND ".join(f"h.{q(k)} IS NOT DISTINCT FROM x.{q(k)}" for k in keys)
    props = [c for c in incoming.column_names if c != "_seq"]
    if not hits:
        con.execute(f"INSERT INTO {q(table)} BY NAME SELECT {', '.join(q(c) for c in props)} FROM _gb_inc")
        return
    con.execute(f"""INSERT INTO {q(table)} BY NAME SELECT {', '.join(f'x.{q(c)}' for c in props)} FROM _gb_inc x
        WHERE NOT EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit})""")
    _merge_hits(con, table, keys, on_hit, props)


# Capture times are normalised ISO UTC text; as whole seconds they order the same, and one BIGINT of
# (seconds, load order) compares far faster than a (text, number) pair. Used when every capture time of the
# batch reads as such and load order stays below 2^28; otherwise the pair.
_CANONICAL = "try_strptime(last_seen, '%Y-%m-%dT%H:%M:%SZ')"
_SEQ_BITS = 28


def _rank(con) -> str:
    odd, top = con.execute(f"SELECT count(*) FILTER (WHERE last_seen IS NOT NULL AND last_seen <> '' AND "
                           f"({_CANONICAL} IS NULL OR year({_CANONICAL}) < 1970)), max(_seq) FROM _gb_all").fetchone()
    if odd == 0 and (top or 0) < 2 ** _SEQ_BITS - 2:
        return (f"((coalesce(epoch({_CANONICAL})::BIGINT, -1) + 1) * {2 ** _SEQ_BITS} + _seq + 1)")
    return "{'ls': coalesce(last_seen, ''), 's': _seq}"


def _merge_hits(con, table: str, keys: list[str], on_hit: str, incoming_columns: list[str]) -> None:
    stored = table_columns(con, table)
    key_list = ", ".join(q(k) for k in keys)
    inc_columns = set(incoming_columns)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _gb_all AS
        SELECT x.*, -1::BIGINT AS _seq FROM {q(table)} x WHERE EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit})
        UNION ALL BY NAME
        SELECT x.* FROM _gb_inc x WHERE EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit})""")
    rank = _rank(con) if "last_seen" in stored else "_seq"
    chosen = []
    for column in stored:
        if column in keys:
            continue
        if column == "first_seen":
            chosen.append("min(first_seen) FILTER (WHERE first_seen <> '') AS first_seen")
        elif column == "last_seen":
            chosen.append("max(last_seen) FILTER (WHERE last_seen <> '') AS last_seen")
        elif column != "sources":
            chosen.append(f"arg_max({q(column)}, {rank}) FILTER (WHERE {q(column)} IS NOT NULL) AS {q(column)}")
    if "sources" in stored or "sources" in inc_columns:
        # every record's sources in load order (the stored row's first), each once; a merged row always has
        # the list, maybe empty
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _gb_src AS
            WITH per_source AS (SELECT {key_list}, unnest(sources) AS src,
                                       _seq * 1024 + least(generate_subscripts(sources, 1), 1023) AS first_at
                                FROM _gb_all WHERE sources IS NOT NULL),
                 firsts AS (SELECT {key_list}, src, min(first_at) AS first_at FROM per_source GROUP BY ALL)
            SELECT {key_list}, list(src ORDER BY first_at)[1:{MAX_SOURCES}] AS sources FROM firsts
            GROUP BY {key_list}""")
        on_src = " AND ".join(f"m.{q(k)} IS NOT DISTINCT FROM s.{q(k)}" for k in keys)
        sources_select = ", coalesce(s.sources, []::VARCHAR[]) AS sources"
        sources_join = f"LEFT JOIN _gb_src s ON {on_src}"
    else:
        sources_select = sources_join = ""
    grouped = f"SELECT {', '.join([key_list, *chosen])} FROM _gb_all GROUP BY {key_list}"
    con.execute(f"DELETE FROM {q(table)} x WHERE EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit})")
    con.execute(f"INSERT INTO {q(table)} BY NAME SELECT m.*{sources_select} FROM ({grouped}) m {sources_join}")
    con.execute("DROP TABLE IF EXISTS _gb_src")
    con.execute("DROP TABLE IF EXISTS _gb_all")
