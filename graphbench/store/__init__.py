"""Opening a store from its URL: ``file:PATH`` (embedded), ``memory:``, ``bolt://`` / ``neo4j://``."""

from __future__ import annotations

from graphbench import settings
from graphbench.errors import StoreUnavailable
from graphbench.store.base import GraphStore, SupportsCypher, SupportsGds, gds_available, pushes_down, writer

NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def open_store(url: str | None = None, configured: bool = False) -> GraphStore:
    """``configured``: the caller vouches that ``url`` is the operator's own configuration (the CLI's
    ``--store``), so NEO4J_USER / NEO4J_PASSWORD may be sent there (:func:`settings.neo4j_login`)."""
    configured = configured or url is None
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

        address, user, password = settings.neo4j_login(url, configured)  # refuses a server not configured
        try:
            return Neo4jStore(address, user, password, settings.neo4j_database())
        except StoreUnavailable as exc:
            raise StoreUnavailable(settings.scrub(str(exc))) from None
        except Exception as exc:  # noqa: BLE001 - a driver error: one sentence, never a traceback or a password
            raise StoreUnavailable(f"could not open Neo4j at {settings.redact(address)} "
                                   f"({type(exc).__name__}); check the store URL") from None
    raise StoreUnavailable(
        f"unknown store URL {settings.redact(url)!r}: use file:PATH, memory:, bolt://HOST:PORT or neo4j://HOST:PORT")


__all__ = ["GraphStore", "SupportsCypher", "SupportsGds", "gds_available", "open_store", "pushes_down", "writer"]
