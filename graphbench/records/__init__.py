"""Team records kept beside the graph: cases, watchlists and alerts, as JSON documents by (kind, key).

They are not evidence, so they are not graph nodes: exports, counts, searches and the data version (which
keys every cached analysis) never see them, and saving a note does not make the app recompute the graph.
But they live *with* the graph, so whoever has the store has them:

- the embedded store keeps them in ``team.sqlite`` inside its workspace folder (``memory:``: in memory, for
  the store object's life);
- Neo4j keeps them as ``(:GraphbenchRecord {rid, kind, key, doc})`` nodes in the same database (a label
  outside the schema, unique on ``rid``), written through the store's trusted ``run``.

:func:`records_for` picks by capability, never by the store's kind. Both backends pass one contract test.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any, Protocol

from graphbench.store.base import GraphStore, SupportsGds


class RecordStore(Protocol):
    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The document, or None."""

    def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        """Create or replace the document."""

    def put_new(self, kind: str, key: str, doc: dict[str, Any]) -> bool:
        """Create the document unless one exists (atomically); whether it was created."""

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every document of ``kind``, in key order."""

    def delete(self, kind: str, key: str) -> bool:
        """Remove the document; whether there was one."""


_MEMORY: weakref.WeakKeyDictionary[Any, RecordStore] = weakref.WeakKeyDictionary()


def records_for(store: GraphStore) -> RecordStore:
    """The records kept beside ``store``."""
    if isinstance(store, SupportsGds):  # a server that runs trusted Cypher: the records live in its database
        from graphbench.records.neo4j_records import Neo4jRecords

        return Neo4jRecords(store.run)
    from graphbench.records.sqlite_records import SqliteRecords

    url = str(getattr(store, "url", "") or "")
    path = getattr(store, "path", None) or (Path(url[len("file:"):]) if url.startswith("file:") else None)
    if path is not None:  # the workspace folder: the records go wherever the graph goes
        return SqliteRecords(Path(path) / "team.sqlite")
    if store not in _MEMORY:  # memory: one database per store object, gone with it
        _MEMORY[store] = SqliteRecords(None)
    return _MEMORY[store]


__all__ = ["RecordStore", "records_for"]
