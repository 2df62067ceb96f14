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
from graphbench.store.duck_keys import StoredKeys
from graphbench.store.duck_values import sql_type, unified

SPECIAL = ("first_seen", "last_seen", "sources")
DEDUPE_PREFIX = 400


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


def _prepare(con, table: str, incoming: dict[str, str], widened: set[str] | None = None) -> dict[str, str]:
    """Create the table or add and widen its columns so the incoming ones fit; the casts the incoming
    columns need (column → target type) come back, and the columns whose type changed go to ``widened``."""
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
            if widened is not None:
                widened.add(column)
        if target != kind:
            casts[column] = target
    return casts


def merge_into(con, table: str, incoming: pa.Table, keys: list[str], stored: StoredKeys | None = None) -> None:
    """Upsert ``incoming`` (key columns, properties, ``_seq`` = load order) into ``table`` by the merge rule.
    ``stored`` (the connection's key hashes, :mod:`graphbench.store.duck_keys`) spares a batch of new keys
    the join against the whole table."""
    if incoming.num_rows == 0:
        return
    types = {f.name: sql_type(f.type) for f in incoming.schema if f.name != "_seq"}
    widened: set[str] = set()
    casts = _prepare(con, table, types, widened)
    if stored is not None and widened & set(keys):  # the stored keys' hashes were of the old type
        stored.forget(q(table))
    select = ", ".join(f"CAST({q(c)} AS {casts[c]}) AS {q(c)}" if c in casts else q(c) for c in incoming.column_names)
    con.register("_gb_arrow", incoming)  # scanned in place: the batch is not copied into the database
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _gb_inc AS SELECT {select} FROM _gb_arrow")
        _merge_batch(con, table, incoming, keys, stored)
    finally:
        con.execute("DROP VIEW IF EXISTS _gb_inc")
        con.unregister("_gb_arrow")


def _merge_batch(con, table: str, incoming: pa.Table, keys: list[str], stored: StoredKeys | None) -> None:
    key_list = ", ".join(q(k) for k in keys)
    props = [c for c in incoming.column_names if c != "_seq"]
    on_hit = " AND ".join(f"h.{q(k)} IS NOT DISTINCT FROM x.{q(k)}" for k in keys)
    fresh, hashes = stored.fresh(con, q(table), "_gb_inc", key_list) if stored is not None else (False, None)
    if fresh or not _hits(con, table, keys, key_list):  # no key stored or repeated: each record is its merge
        con.execute(f"INSERT INTO {q(table)} BY NAME SELECT {', '.join(q(c) for c in props)} FROM _gb_inc")
    else:
        con.execute(f"""INSERT INTO {q(table)} BY NAME SELECT {', '.join(f'x.{q(c)}' for c in props)} FROM _gb_inc x
            WHERE NOT EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit})""")
        _merge_hits(con, table, keys, on_hit, props)
    if stored is not None and hashes is not None:
        stored.add(con, q(table), hashes)


def _hits(con, table: str, keys: list[str], key_list: str) -> int:
    """The batch's keys that need merging (stored already, or more than once in the batch) into ``_gb_hit``;
    how many."""
    on = " AND ".join(f"t.{q(k)} IS NOT DISTINCT FROM i.{q(k)}" for k in keys)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _gb_hit AS
        SELECT {key_list} FROM _gb_inc GROUP BY {key_list} HAVING count(*) > 1
        UNION
        SELECT {', '.join(f'i.{q(k)}' for k in keys)} FROM _gb_inc i JOIN {q(table)} t ON {on}""")
    return con.execute("SELECT count(*) FROM _gb_hit").fetchone()[0]


# Capture times are normalised ISO UTC text; as whole seconds they order the same, and one BIGINT of
# (seconds, load order) compares far faster than a (text, number) pair. Used when every capture time of the
# batch reads as such and load order stays below 2^28; otherwise the pair.
_CANONICAL = "try_strptime(last_seen, '%Y-%m-%dT%H:%M:%SZ')"
_SEQ_BITS = 28


def _rank(con) -> str:
    odd, top = con.execute("SELECT count(*) FILTER (WHERE last_seen IS NOT NULL AND last_seen <> '' AND "
                           "(_ts IS NULL OR year(_ts) < 1970)), max(_seq) FROM _gb_all").fetchone()
    if odd == 0 and (top or 0) < 2 ** _SEQ_BITS - 2:  # _ts: the capture time parsed once per record
        return f"((coalesce(epoch(_ts)::BIGINT, -1) + 1) * {2 ** _SEQ_BITS} + _seq + 1)"
    return "{'ls': coalesce(last_seen, ''), 's': _seq}"


# Sources of a merged row: the stored list (already distinct), then the batch's sources that are neither in it
# nor earlier in the batch, the first MAX_SOURCES in all. A full list takes nothing more; repeats are dropped by
# a scan per item over a prefix of the batch's list that holds enough distinct ones but in a pathological key,
# and over the whole list there. Per key, so no batch-wide unnest: a load's memory stays flat.
_SOURCES_MACROS = (
    "CREATE OR REPLACE TEMP MACRO gb_once(l) AS "
    "CASE WHEN list_unique(l) = len(l) THEN l ELSE list_filter(l, (x, i) -> list_position(l, x) = i) END",
    "CREATE OR REPLACE TEMP MACRO gb_fresh(old, l) AS gb_once(list_filter(l, x -> NOT list_contains(old, x)))",
    f"CREATE OR REPLACE TEMP MACRO gb_sources(old, new) AS CASE "
    f"WHEN len(old) >= {MAX_SOURCES} OR new IS NULL OR len(new) = 0 THEN old[1:{MAX_SOURCES}] "
    f"WHEN len(old) + len(gb_fresh(old, new[1:{DEDUPE_PREFIX}])) >= {MAX_SOURCES} OR len(new) <= {DEDUPE_PREFIX} "
    f"THEN list_concat(old, gb_fresh(old, new[1:{DEDUPE_PREFIX}]))[1:{MAX_SOURCES}] "
    f"ELSE list_concat(old, gb_fresh(old, new))[1:{MAX_SOURCES}] END",
)


def _merge_hits(con, table: str, keys: list[str], on_hit: str, incoming_columns: list[str]) -> None:
    stored = table_columns(con, table)
    key_list = ", ".join(q(k) for k in keys)
    inc_columns = set(incoming_columns)
    for macro in _SOURCES_MACROS:
        con.execute(macro)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _gb_all AS
        SELECT *, {_CANONICAL if "last_seen" in stored else "NULL::TIMESTAMP"} AS _ts FROM (
            SELECT x.*, -1::BIGINT AS _seq FROM {q(table)} x WHERE EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit})
            UNION ALL BY NAME
            SELECT x.* FROM _gb_inc x WHERE EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit}))""")
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
    has_sources = "sources" in stored or "sources" in inc_columns
    if has_sources:
        # the stored row's list (distinct, at most MAX_SOURCES) and the batch's in load order
        chosen += ["first(sources) FILTER (WHERE _seq = -1) AS _old",
                   "flatten(list(sources ORDER BY _seq) FILTER (WHERE _seq >= 0 AND sources IS NOT NULL)) AS _new"]
    grouped = f"SELECT {', '.join([key_list, *chosen])} FROM _gb_all GROUP BY {key_list}"
    picked = "m.* EXCLUDE (_old, _new), gb_sources(coalesce(_old, []::VARCHAR[]), _new) AS sources" if has_sources \
        else "m.*"
    con.execute(f"DELETE FROM {q(table)} x WHERE EXISTS (SELECT 1 FROM _gb_hit h WHERE {on_hit})")
    con.execute(f"INSERT INTO {q(table)} BY NAME SELECT {picked} FROM ({grouped}) m")
    con.execute("DROP TABLE IF EXISTS _gb_all")
