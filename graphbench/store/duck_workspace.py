"""The files of an embedded workspace: the published database, the writer's working copy, and the Parquet
layout of earlier versions (migrated on first open).

``PATH/graph.duckdb`` is what readers open (read-only, one query at a time). A writer, holding the
workspace's writer lock, works on a copy (``PATH/.graph-writing.duckdb``) and publishes it with
``os.replace`` on commit: a reader sees the store before a commit or after it, never half of it, and a
killed writer leaves the last committed store (its working copy is overwritten by the next writer). A
reader that has a table open keeps reading the file it opened.

Before DuckDB the workspace held one Parquet file per table under ``PATH/nodes`` and ``PATH/rels``.
Opening such a workspace imports those files once (under the writer lock) and moves them to
``PATH/parquet-before-duckdb/`` so nothing reads them again by mistake.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import duckdb

from graphbench.store.duck_merge import q
from graphbench.store.writer_lock import WriterLock

DATABASE = "graph.duckdb"
WORKING = ".graph-writing.duckdb"
OLD_LAYOUT = ("nodes", "rels")
MOVED_TO = "parquet-before-duckdb"
# A load keeps DuckDB within this much memory and spills to PATH/.duckdb-tmp past it (GRAPHBENCH_DUCKDB_MEMORY).
# DuckDB fills its limit with cached blocks of the tables it wrote (a load reads them back only to merge
# channels) and holds a flush's channel rows until they are checkpointed: at 2 GB a 5M-transfer load sat at
# the limit through every channel flush. 1.5 GB is what a flush's slices (loaders/columnar_stage.py,
# FLUSH_ITEMS) merge in without spilling (benchmarks/README.md, loading memory at 20M).
DEFAULT_MEMORY = "1500MB"
# Compression methods writes do not try (GRAPHBENCH_DUCKDB_NOT_TRIED; measured: benchmarks/README.md, ingest at scale):
# analysing dictionary compression of every text segment cost more CPU than all else of an append (1M transfers,
# 7.8 s against 4.1 s), for a file 6 % smaller; FSST alone compresses these columns nearly as well.
NOT_TRIED = "dict_fsst,dictionary"


def table_name(kind: str, name: str) -> str:
    """The DuckDB table of a label (``n_Account``) or relationship type (``r_TRANSFERRED``)."""
    return ("n_" if kind == "nodes" else "r_") + name


def sql_text(value: str) -> str:
    """A string literal (ATTACH and SET take no parameters)."""
    return "'" + value.replace("'", "''") + "'"


def settings(con: duckdb.DuckDBPyConnection, temp: Path | None) -> None:
    con.execute(f"SET memory_limit = {sql_text(os.environ.get('GRAPHBENCH_DUCKDB_MEMORY', DEFAULT_MEMORY))}")
    con.execute("SET preserve_insertion_order = true")
    try:  # DuckDB >= 1.3 tries dictionary, FSST and both on every text column: most of an append's CPU
        con.execute(f"SET disabled_compression_methods = "
                    f"{sql_text(os.environ.get('GRAPHBENCH_DUCKDB_NOT_TRIED', NOT_TRIED))}")
    except duckdb.Error:  # a DuckDB without that method
        pass
    if temp is not None:
        con.execute(f"SET temp_directory = {sql_text(str(temp))}")


class Reader:
    """Read-only access to the published database from one store: an in-memory DuckDB that attaches the
    file, attached anew when another writer has published since (the file's inode, size or time changed).
    Attaching into a private in-memory database, rather than connecting to the file, keeps two stores of one
    process from sharing DuckDB's cached instance of a file that has since been replaced."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / DATABASE
        self._stamp: tuple[int, int, int] | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._guard = threading.Lock()
        self.version = 0  # bumped on every attach: what was learnt of the tables before is stale

    def cursor(self) -> duckdb.DuckDBPyConnection | None:
        """A cursor on the latest published database (the caller closes it), or None before any commit."""
        try:
            info = self.file.stat()
        except FileNotFoundError:
            return None
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
        with self._guard:
            if stamp != self._stamp or self._con is None:
                con = duckdb.connect(":memory:")
                con.execute(f"ATTACH {sql_text(str(self.file))} AS published (READ_ONLY)")
                self._con, self._stamp = con, stamp  # the old one closes when its last cursor does
                self.version += 1
            cursor = self._con.cursor()
        cursor.execute("USE published")
        return cursor


def open_writer(folder: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a fresh working copy of the published database."""
    work = folder / WORKING
    for stale in (work, work.with_name(WORKING + ".wal")):
        stale.unlink(missing_ok=True)
    published = folder / DATABASE
    if published.exists():
        shutil.copyfile(published, work)
    con = duckdb.connect(str(work))
    settings(con, folder / ".duckdb-tmp")
    return con


def publish(folder: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Make the working copy the published database (atomically) and close it."""
    con.execute("CHECKPOINT")
    con.close()
    os.replace(folder / WORKING, folder / DATABASE)


def needs_migration(folder: Path) -> bool:
    return not (folder / DATABASE).exists() and any(
        (folder / kind).is_dir() and any((folder / kind).glob("*.parquet")) for kind in OLD_LAYOUT)


def migrate(folder: Path, lock: WriterLock) -> None:
    """Import a Parquet workspace of earlier versions into ``graph.duckdb`` (once, under the writer lock)."""
    taken = lock.acquire()
    try:
        if not needs_migration(folder):  # another process did it while we waited
            return
        con = open_writer(folder)
        try:
            for kind in OLD_LAYOUT:
                for file in sorted((folder / kind).glob("*.parquet")):
                    columns = [c for c in _parquet_columns(con, file) if not c.startswith("__index_level_")]
                    picked = ", ".join(q(c) for c in columns)
                    con.execute(f"CREATE TABLE {q(table_name(kind, file.stem))} AS "
                                f"SELECT {picked} FROM read_parquet(?)", [str(file)])
        except BaseException:
            con.close()
            raise
        publish(folder, con)
        moved = folder / MOVED_TO
        moved.mkdir(exist_ok=True)
        for kind in OLD_LAYOUT:
            if (folder / kind).is_dir():
                os.replace(folder / kind, moved / kind)
    finally:
        if taken:
            lock.release()


def _parquet_columns(con: duckdb.DuckDBPyConnection, file: Path) -> list[str]:
    return [row[0] for row in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(file)]).fetchall()]
