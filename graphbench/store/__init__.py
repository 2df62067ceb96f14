"""Opening a store from its URL: ``file:PATH`` (embedded), ``memory:``, ``bolt://`` / ``neo4j://``."""

from __future__ import annotations

from graphbench import settings
from graphbench.errors import StoreUnavailable
from graphbench.store.base import GraphStore, writer

NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def open_store(url: str | None = None) -> GraphStore:
    url = url or settings.store_url()
    if url == "memory:":
        from graphbench.store.embedded import EmbeddedStore

        return EmbeddedStore(None)
    if url.startswith("file:"):
        from graphbench.store.embedded import EmbeddedStore

        path = url[len("file:"):]
        if not path:
            raise StoreUnavailable("store URL 'file:' needs a folder, e.g. file:./workspace")
        return EmbeddedStore(path)
    if url.startswith(NEO4J_SCHEMES):
        from graphbench.store.neo4j_store import Neo4jStore

        return Neo4jStore(url, settings.neo4j_user(), settings.neo4j_password(), settings.neo4j_database())
    raise StoreUnavailable(
        f"unknown store URL {url!r}: use file:PATH, memory:, bolt://HOST:PORT or neo4j://HOST:PORT")


__all__ = ["GraphStore", "open_store", "writer"]
