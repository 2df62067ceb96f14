"""The GraphStore port: the narrow surface both stores implement and everything else uses.

Tables come back as pandas DataFrames:
- ``nodes(label)``: column ``id`` then the label's properties (natural keys, provenance, the rest);
- ``relationships(type)``: columns ``start``, ``end`` (node ids) then the relationship's properties.
Timestamps are ISO 8601 UTC strings (``2024-03-05T10:00:00Z``), amounts floats.

Every method of :class:`GraphStore` is served by every store, with the same answers (the contract suite
under ``tests/contract/`` demands it). What only a server can do is a named capability, checked with
``isinstance`` (the protocols are runtime-checkable), never by the store's kind:

- :class:`SupportsCypher`: the store runs Cypher itself. Aggregates and walks are pushed down to it, a
  whole-table read crosses the network (pages ask before one), and the analysts' read-only console works;
- :class:`SupportsGds`: whole-graph algorithms (Louvain, PageRank, …) can run inside it;
- :class:`SupportsArrowReads`: a table comes as Arrow record batches (the embedded store), for analyses
  that would not fit as Python objects (the money graph of 20M transfers).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from graphbench.batch import GraphBatch

if TYPE_CHECKING:  # the port is imported by `graphbench --help`, which must start without pandas
    import networkx as nx
    import pandas as pd


@runtime_checkable
class GraphStore(Protocol):
    url: str

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

    def write_lock(self) -> AbstractContextManager[None]:
        """Hold the store's one writer for a whole unit of work (a load): a second writer waits, saying
        for whom, or stops with one sentence; the work is committed when the block ends."""

    def commit(self) -> None:
        """Make every write so far durable and visible to other readers (the embedded store writes its
        changed tables; Neo4j has committed each batch already)."""

    def close(self) -> None:
        """Commit and release the store (its connection, its writer lock)."""


@runtime_checkable
class SupportsCypher(Protocol):
    """A store that runs Cypher itself: a server. Work is pushed down to it rather than its tables pulled."""

    def read(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run trusted Cypher (graphbench's own) in a READ transaction."""

    def cypher_read(self, cypher: str, params: dict[str, Any] | None = None,
                    limit: int = 1000) -> list[dict[str, Any]]:
        """The analysts' console: untrusted Cypher, read-only, refused with one sentence otherwise."""


@runtime_checkable
class SupportsGds(Protocol):
    """A store that can run Graph Data Science procedures inside the database."""

    def has_gds(self) -> bool:
        """Whether the server has the GDS procedures installed (a store may speak Cypher without them)."""

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run trusted, write-capable Cypher (GDS projections and their drops)."""


@runtime_checkable
class SupportsTableUpserts(Protocol):
    """A store that takes whole Arrow tables at once (the embedded store): the columnar loaders' way in."""

    def upsert_tables(self, nodes: dict[str, Any], rels: dict[str, Any]) -> None:
        """Upsert whole tables (``id`` or ``start``/``end``, properties, ``_seq`` = load order), nodes first."""


@runtime_checkable
class SupportsArrowReads(Protocol):
    """A store that hands a table over as Arrow record batches (the embedded store): analyses over every
    transfer reduce each batch as it comes instead of holding the table as Python objects."""

    def relationship_batches(self, rel_type: str, columns: Sequence[str], rows: int = 1 << 20) -> Iterator[Any]:
        """``pyarrow.RecordBatch``es of about ``rows`` rows of the wanted columns that exist (no column that
        is not stored is made up), in no particular order."""


def pushes_down(store: GraphStore) -> bool:
    """Whether work goes to the store rather than its tables to us: on a server a whole-table read crosses
    the network, so pages and commands read hop by hop or by named query, and ask before a whole read."""
    return isinstance(store, SupportsCypher)


def gds_available(store: GraphStore) -> bool:
    """Whether whole-graph algorithms can run inside this store."""
    return isinstance(store, SupportsGds) and store.has_gds()


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
