"""Records in a SQLite file beside the embedded store's tables (``<workspace>/team.sqlite``).

SQLite's own locking makes concurrent writers (several app sessions, a CLI load raising alerts) safe; each
call opens its connection, so a cached store shared by Streamlit threads never shares one across threads.
``path`` None: one in-memory database, guarded by a lock."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = "CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, " \
          "PRIMARY KEY (kind, key))"


class SqliteRecords:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        if path is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            self._memory.execute(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            with self._lock, self._memory:
                yield self._memory
            return
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            with connection:  # one transaction: committed at the end, rolled back on an error
                connection.execute(_SCHEMA)
                yield connection
        finally:
            connection.close()

    def _absent(self) -> bool:
        """No file yet: nothing to read (a load with no team records never creates one)."""
        return self.path is not None and not self.path.exists()

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        if self._absent():
            return None
        with self._db() as db:
            row = db.execute("SELECT doc FROM records WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        with self._db() as db:
            db.execute("INSERT INTO records (kind, key, doc) VALUES (?, ?, ?) "
                       "ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc", (kind, key, _text(doc)))

    def put_new(self, kind: str, key: str, doc: dict[str, Any]) -> bool:
        with self._db() as db:
            cursor = db.execute("INSERT OR IGNORE INTO records (kind, key, doc) VALUES (?, ?, ?)",
                                (kind, key, _text(doc)))
            return cursor.rowcount == 1

    def all(self, kind: str) -> list[dict[str, Any]]:
        if self._absent():
            return []
        with self._db() as db:
            rows = db.execute("SELECT doc FROM records WHERE kind = ? ORDER BY key", (kind,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def delete(self, kind: str, key: str) -> bool:
        if self._absent():
            return False
        with self._db() as db:
            return db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key)).rowcount == 1


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str)
