"""The GraphStore port: the narrow surface both stores implement and everything else uses.

Tables come back as pandas DataFrames:
- ``nodes(label)``: column ``id`` then the label's properties (natural keys, provenance, the rest);
- ``relationships(type)``: columns ``start``, ``end`` (node ids) then the relationship's properties.
Timestamps are ISO 8601 UTC strings (``2024-03-05T10:00:00Z``), amounts floats.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import networkx as nx
import pandas as pd

from graphbench.batch import GraphBatch


class GraphStore(Protocol):
    url: str
    kind: str  # "embedded" or "neo4j"

    def upsert(self, batch: GraphBatch) -> None:
        """Idempotently write a batch (nodes first, then relationships)."""

    def nodes(self, label: str, columns: Sequence[str] | None = None,
              exclude: Sequence[str] = ()) -> pd.DataFrame:
        """The label's table; ``columns`` picks properties (missing ones come back empty), ``exclude``
        leaves properties out (never ``id``) so a big analysis read skips what it does not use."""

    def relationships(self, rel_type: str, columns: Sequence[str] | None = None,
                      exclude: Sequence[str] = ()) -> pd.DataFrame:
        """The type's table, ``start``/``end`` first; ``columns`` and ``exclude`` as for ``nodes``."""

    def transfers_of(self, channels: Sequence[str], direction: str = "out", limit: int = 100_000,
                     since: str | None = None, until: str | None = None, last_only: bool = False) -> pd.DataFrame:
        """TRANSFERRED rows leaving (``out``) or reaching (``in``) these channels: ``start, end, tx_id,
        amount, currency, ts`` in (ts, tx_id) order, at most ``limit`` — a bounded read for traces.
        ``since``/``until`` (ISO UTC) bound ``ts``; ``last_only`` keeps each channel's last transfer out
        (first in), which is all a trace needs to tell whether money goes on past its hop limit."""

    def node(self, node_id: str) -> dict[str, Any] | None:
        """One node's properties (with ``id`` and ``label``), or None."""

    def neighbourhood(self, node_id: str, hops: int = 1, limit: int = 200,
                      rel_types: Sequence[str] | None = None) -> nx.MultiDiGraph:
        """The node and what lies within ``hops``, at most ``limit`` nodes (closest first).

        Nodes carry ``label`` and their properties; edges carry ``type`` and properties; a node
        whose neighbours were cut by the limit gets ``truncated`` = number of neighbours not shown.
        """

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 50) -> pd.DataFrame:
        """Nodes whose id or text properties contain ``text`` (case-insensitive): id, label, caption."""

    def stats(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "relationships": {type: n}}`` for every schema label/type."""

    def run_named(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run a named query from ``queries/`` (Cypher on Neo4j, its Python twin embedded)."""

    def set_rel_property(self, rel_type: str, start: str, end: str, key: str, value: Any) -> None:
        """Set one property on a relationship (e.g. an analyst's SAME_AS verdict)."""

    def delete_derived(self, rel_type: str) -> None:
        """Drop every relationship of a derived type before it is recomputed."""

    def close(self) -> None: ...


@contextmanager
def writer(store: GraphStore, batch_size: int = 20_000) -> Iterator[BatchWriter]:
    """``with writer(store) as w: w.add(batch)`` — buffers and flushes in batches."""
    w = BatchWriter(store, batch_size)
    yield w
    w.flush()


class BatchWriter:
    def __init__(self, store: GraphStore, batch_size: int) -> None:
        self.store = store
        self.batch_size = batch_size
        self.pending = GraphBatch()

    def add(self, batch: GraphBatch) -> None:
        self.pending.extend(batch)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if len(self.pending):
            self.store.upsert(self.pending)
            self.pending = GraphBatch()
