"""The account graph: accounts joined by weighted evidence that one operator or one ring is behind them.

Evidence comes from the heterogeneous graph's tables (``{rel_type: store.relationships(rel_type)}``):
shared identifiers (payment channel, phone, e-mail, rare hashtag), money moving between the accounts'
channels, cross-posted listings, profile links and SAME_AS links an analyst has not rejected.

A shared identifier used by ``d`` accounts adds ``weight / log2(d)`` to each of its account pairs
(``d = 2`` counts in full), and one used by more than its kind's cut-off (an escrow channel, ``#pets``)
adds nothing, so popular identifiers cannot glue rings together. The graph is built on integer ids
(factorised keys, numpy / scipy sparse) and converted to networkx / igraph / networkit on demand.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from graphbench.analytics import popularity, verdicts

if TYPE_CHECKING:
    import igraph
    import networkit
    import networkx as nx

# Weight one piece of evidence adds to an account pair, before degree down-weighting.
EVIDENCE_WEIGHTS: dict[str, float] = {
    "same_as": 3.0,  # entity resolution said same operator (times its score)
    "shared_phone": 3.0,
    "shared_email": 3.0,
    "shared_channel": 2.5,  # USES, or a listing of theirs ACCEPTS it
    "cross_post": 2.0,  # same listing posted by both (times log2(1 + summed scores))
    "transfer": 1.5,  # money between their channels (times log2(1 + transfers))
    "profile_link": 1.0,  # LINKS_TO, either direction
    "shared_hashtag": 0.5,  # per rare hashtag both use
}


# Relationship tables the projection reads; pass ``{t: store.relationships(t) for t in PROJECTION_INPUTS}``.
PROJECTION_INPUTS: tuple[str, ...] = (
    "POSTED", "TAGGED", "USES", "ACCEPTS", "HAS_PHONE", "HAS_EMAIL", "TRANSFERRED",
    "CROSS_POSTED_AS", "LINKS_TO", "SAME_AS",
)

IDENTIFIER_KINDS: dict[str, str] = {
    "shared_phone": "phone",
    "shared_email": "email",
    "shared_channel": "channel",
    "shared_hashtag": "hashtag",
}

# A shared identifier used by more accounts than this joins nobody (escrow channels, #pets): the one
# popularity rule of graphbench.analytics.popularity, keyed by evidence kind.
MAX_SHARED_DEGREE: dict[str, int] = {kind: popularity.max_accounts(ident) for kind, ident in IDENTIFIER_KINDS.items()}


@dataclass
class AccountGraph:
    """Undirected weighted graph on integer node indices; ``ids[i]`` names node ``i``.

    ``source[e] < target[e]`` and each pair appears once. ``evidence[kind][e]`` is what each
    kind of evidence contributed to ``weight[e]`` (all zeros for a graph built from plain edges).
    """

    ids: np.ndarray
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    evidence: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        return len(self.source)

    @cached_property
    def index(self) -> dict[Hashable, int]:
        """Node id → integer index."""
        return {node: i for i, node in enumerate(self.ids.tolist())}

    @classmethod
    def from_edges(cls, ids: Sequence[Hashable] | np.ndarray, source: np.ndarray, target: np.ndarray,
                   weight: np.ndarray | None = None) -> AccountGraph:
        """Graph from integer edge arrays (any orientation; duplicates summed, self-loops dropped)."""
        n = len(ids)
        weight = np.ones(len(source)) if weight is None else np.asarray(weight, dtype=float)
        src, dst, w = _canonical_edges(np.asarray(source), np.asarray(target), weight, n)
        return cls(np.asarray(ids, dtype=object), src, dst, w)

    @classmethod
    def from_networkx(cls, graph: nx.Graph, weight: str | None = "weight") -> AccountGraph:
        """Graph from a networkx graph; ``weight=None`` ignores edge weights (all 1)."""
        nodes = list(graph.nodes)
        position = {node: i for i, node in enumerate(nodes)}
        edges = list(graph.edges(data=True))
        src = np.fromiter((position[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
        dst = np.fromiter((position[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
        w = np.fromiter(((d.get(weight, 1.0) if weight else 1.0) for _, _, d in edges), dtype=float,
                        count=len(edges))
        return cls.from_edges(nodes, src, dst, w)

    def to_scipy(self) -> sparse.csr_matrix:
        """Symmetric weighted adjacency matrix (CSR)."""
        n = self.n_nodes
        rows = np.concatenate([self.source, self.target])
        cols = np.concatenate([self.target, self.source])
        return sparse.csr_matrix((np.concatenate([self.weight, self.weight]), (rows, cols)), shape=(n, n))

    def weighted_degree(self) -> np.ndarray:
        return (np.bincount(self.source, self.weight, self.n_nodes)
                + np.bincount(self.target, self.weight, self.n_nodes))

    def degree(self) -> np.ndarray:
        return np.bincount(self.source, minlength=self.n_nodes) + np.bincount(self.target, minlength=self.n_nodes)

    def to_networkx(self) -> nx.Graph:
        """networkx graph keyed by the ids (for small graphs and the reference algorithms)."""
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(self.ids.tolist())
        ids = self.ids
        graph.add_weighted_edges_from(zip(ids[self.source].tolist(), ids[self.target].tolist(),
                                          self.weight.tolist(), strict=True))
        return graph

    def to_networkx_int(self) -> nx.Graph:
        """networkx graph on the integer indices (cheaper to build than the id-keyed one)."""
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(self.n_nodes))
        graph.add_weighted_edges_from(zip(self.source.tolist(), self.target.tolist(), self.weight.tolist(),
                                          strict=True))
        return graph

    def to_igraph(self) -> igraph.Graph:
        """igraph graph on the integer indices, edge attribute ``weight``, vertex attribute ``name``."""
        import igraph as ig

        graph = ig.Graph(n=self.n_nodes, edges=np.column_stack([self.source, self.target]).tolist(),
                         directed=False)
        graph.es["weight"] = self.weight.tolist()
        graph.vs["name"] = [str(node) for node in self.ids.tolist()]
        return graph

    def to_networkit(self) -> networkit.Graph:
        """networkit weighted graph on the integer indices."""
        import networkit as nk

        graph = nk.Graph(self.n_nodes, weighted=True, directed=False)
        if self.n_edges:
            graph.addEdges((self.weight.astype(np.float64),
                            (self.source.astype(np.uint64), self.target.astype(np.uint64))))
        return graph

    def evidence_frame(self) -> pd.DataFrame:
        """One row per edge: ``a, b, weight`` and the contribution of every evidence kind."""
        table = pd.DataFrame({"a": self.ids[self.source], "b": self.ids[self.target], "weight": self.weight})
        for kind, values in self.evidence.items():
            table[kind] = values
        return table


def build_account_graph(tables: Mapping[str, pd.DataFrame], accounts: pd.DataFrame | None = None,
                        weights: Mapping[str, float] | None = None,
                        max_shared_degree: Mapping[str, int] | None = None) -> AccountGraph:
    """Project the heterogeneous graph onto accounts, weighting each pair by the evidence joining them.

    ``tables`` maps relationship types (see :data:`PROJECTION_INPUTS`) to their tables; missing ones
    count as empty. ``accounts`` (the Account node table) adds accounts with no evidence as isolates.
    """
    weights = {**EVIDENCE_WEIGHTS, **(weights or {})}
    caps = {**MAX_SHARED_DEGREE, **(max_shared_degree or {})}
    memberships = account_identifiers(tables)
    owners = channel_owners(tables)
    pair_tables = {
        "same_as": _same_as_pairs(tables),
        "cross_post": _cross_post_pairs(tables),
        "transfer": _transfer_pairs(tables, owners, caps["shared_channel"]),
        "profile_link": _profile_link_pairs(tables),
    }
    account_ids = _account_universe(accounts, memberships, pair_tables)
    index = pd.Index(account_ids)
    n = len(index)

    contributions: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for kind, identifier_kind in IDENTIFIER_KINDS.items():
        rows = memberships[memberships["kind"] == identifier_kind]
        src, dst, w = _shared_identifier_pairs(index.get_indexer(rows["account"]), rows["identifier"].to_numpy(),
                                               n, caps[kind])
        contributions.append((kind, src, dst, w * weights[kind]))
    for kind, pairs in pair_tables.items():
        src, dst, w = _canonical_edges(index.get_indexer(pairs["a"]), index.get_indexer(pairs["b"]),
                                       pairs["w"].to_numpy(dtype=float), n)
        if kind in ("cross_post", "transfer"):
            w = np.log2(1.0 + w)  # repeated evidence counts, with diminishing returns
        contributions.append((kind, src, dst, w * weights[kind]))
    return _combine(np.asarray(account_ids, dtype=object), contributions, n)


def account_identifiers(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Who uses which identifier: ``account, identifier, kind`` (phone, email, channel, hashtag), distinct.

    Channels come from USES and from the ACCEPTS of the account's listings; hashtags from its listings.
    """
    posted = _rel(tables, "POSTED")
    frames = [
        _pairs(_rel(tables, "HAS_PHONE"), "phone"),
        _pairs(_rel(tables, "HAS_EMAIL"), "email"),
        _pairs(_rel(tables, "USES"), "channel"),
        _pairs(_via_listings(posted, _rel(tables, "ACCEPTS")), "channel"),
        _pairs(_via_listings(posted, _rel(tables, "TAGGED")), "hashtag"),
    ]
    return pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)


def channel_owners(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``account, channel`` for every channel an account uses or its listings accept."""
    rows = account_identifiers({k: v for k, v in tables.items() if k in ("USES", "POSTED", "ACCEPTS")})
    return rows.rename(columns={"identifier": "channel"})[["account", "channel"]]


def _rel(tables: Mapping[str, pd.DataFrame], rel_type: str) -> pd.DataFrame:
    table = tables.get(rel_type)
    if table is None or table.empty:
        return pd.DataFrame({"start": pd.Series(dtype=object), "end": pd.Series(dtype=object)})
    return table


def _pairs(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    return pd.DataFrame({"account": table["start"].to_numpy(dtype=object),
                         "identifier": table["end"].to_numpy(dtype=object), "kind": kind})


def _via_listings(posted: pd.DataFrame, listing_rel: pd.DataFrame) -> pd.DataFrame:
    """``start`` = account that posted the listing, ``end`` = what the listing points at."""
    joined = posted[["start", "end"]].merge(listing_rel[["start", "end"]], left_on="end", right_on="start",
                                            suffixes=("", "_r"))
    return pd.DataFrame({"start": joined["start"], "end": joined["end_r"]})


def _same_as_pairs(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    table = _rel(tables, "SAME_AS")
    keep = verdicts.not_rejected(table).to_numpy()
    score = _column(table, "score", 1.0)
    return pd.DataFrame({"a": table["start"], "b": table["end"], "w": score})[keep]


def _cross_post_pairs(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    posted = _rel(tables, "POSTED")
    author = pd.Series(posted["start"].to_numpy(dtype=object), index=posted["end"].to_numpy(dtype=object))
    author = author[~author.index.duplicated()]
    table = _rel(tables, "CROSS_POSTED_AS")
    return pd.DataFrame({"a": table["end"].map(author).to_numpy() if len(table) else [],
                         "b": table["start"].map(author).to_numpy() if len(table) else [],
                         "w": _column(table, "score", 1.0)}).dropna(subset=["a", "b"])


def _transfer_pairs(tables: Mapping[str, pd.DataFrame], owners: pd.DataFrame, cap: int) -> pd.DataFrame:
    """One row per (transfer, sender-side account, receiver-side account); channels owned by more than
    ``cap`` accounts (escrow, exchanges) are skipped."""
    counts = owners.groupby("channel")["account"].transform("size")
    owners = owners[counts <= cap]
    transfers = _rel(tables, "TRANSFERRED")[["start", "end"]]
    joined = (transfers.merge(owners, left_on="start", right_on="channel")
              .merge(owners, left_on="end", right_on="channel", suffixes=("_from", "_to")))
    return pd.DataFrame({"a": joined["account_from"], "b": joined["account_to"], "w": 1.0})


def _profile_link_pairs(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    table = _rel(tables, "LINKS_TO")
    a = np.where(table["start"] < table["end"], table["start"], table["end"]) if len(table) else []
    b = np.where(table["start"] < table["end"], table["end"], table["start"]) if len(table) else []
    # A→B and B→A is one link, not two.
    return pd.DataFrame({"a": a, "b": b, "w": 1.0}).drop_duplicates(subset=["a", "b"])


def _column(table: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in table:
        return np.full(len(table), default)
    return pd.to_numeric(table[name], errors="coerce").fillna(default).to_numpy(dtype=float)


def _account_universe(accounts: pd.DataFrame | None, memberships: pd.DataFrame,
                      pair_tables: Mapping[str, pd.DataFrame]) -> list[str]:
    seen: list[Any] = [memberships["account"]]
    if accounts is not None and "id" in accounts:
        seen.append(accounts["id"])
    for pairs in pair_tables.values():
        seen.extend([pairs["a"], pairs["b"]])
    every = pd.concat([pd.Series(s, dtype=object) for s in seen], ignore_index=True).dropna()
    return sorted(set(every.tolist()))


def _shared_identifier_pairs(account_index: np.ndarray, identifiers: np.ndarray, n: int,
                             cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Account pairs sharing identifiers: each identifier of degree d (2 ≤ d ≤ cap) adds 1/log2(d)."""
    if len(identifiers) == 0:
        return _no_edges()
    codes, _ = pd.factorize(identifiers)
    incidence = sparse.csr_matrix((np.ones(len(codes)), (account_index, codes)), shape=(n, codes.max() + 1))
    incidence.data[:] = 1.0  # an account listed twice for one identifier still counts once
    degree = np.asarray(incidence.sum(axis=0)).ravel()
    keep = (degree >= 2) & (degree <= cap)
    column_weight = np.zeros_like(degree)
    column_weight[keep] = 1.0 / np.log2(degree[keep])
    shared = (incidence @ sparse.diags(column_weight) @ incidence.T).tocoo()
    upper = (shared.row < shared.col) & (shared.data > 0)
    return shared.row[upper].astype(np.int64), shared.col[upper].astype(np.int64), shared.data[upper]


def _canonical_edges(source: np.ndarray, target: np.ndarray, weight: np.ndarray,
                     n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orient edges low→high, drop self-loops and unknown ends (-1), sum duplicates."""
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    keep = (source != target) & (source >= 0) & (target >= 0)
    low = np.minimum(source[keep], target[keep])
    high = np.maximum(source[keep], target[keep])
    if len(low) == 0:
        return _no_edges()
    key = low * n + high
    unique_keys, position = np.unique(key, return_inverse=True)
    summed = np.bincount(position, weights=weight[keep], minlength=len(unique_keys))
    return unique_keys // n, unique_keys % n, summed


def _combine(ids: np.ndarray, contributions: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
             n: int) -> AccountGraph:
    keys = np.concatenate([src * n + dst for _, src, dst, _ in contributions] or [np.empty(0, np.int64)])
    unique_keys, position = np.unique(keys, return_inverse=True)
    evidence: dict[str, np.ndarray] = {}
    offset = 0
    for kind, src, _, w in contributions:
        part = position[offset:offset + len(src)]
        evidence[kind] = evidence.get(kind, 0) + np.bincount(part, weights=w, minlength=len(unique_keys))
        offset += len(src)
    total = np.sum(list(evidence.values()), axis=0) if evidence else np.zeros(len(unique_keys))
    keep = total > 0
    unique_keys = unique_keys[keep]
    evidence = {kind: np.asarray(values, dtype=float)[keep] for kind, values in evidence.items()}
    return AccountGraph(ids, unique_keys // max(n, 1), unique_keys % max(n, 1), total[keep], evidence)


def _no_edges() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, float)
