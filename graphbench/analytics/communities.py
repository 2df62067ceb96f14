"""Community detection on the account graph, with every engine reachable by name.

Engines: ``louvain`` (python-louvain, the reference), ``networkit`` (PLM, parallel Louvain with
refinement), ``leiden`` (leidenalg, RBConfiguration = modularity with a resolution), ``leiden_cpm``
(leidenalg, Constant Potts Model: no resolution limit, finds many small dense rings; its resolution is
a density threshold on edge weights). ``auto`` is the engine the benchmark found fastest at equal
quality (``benchmarks/bench_communities.py``).

Whatever the engine, the reported modularity is recomputed here, the same way (weighted, γ = 1), and
communities are renumbered by size (0 = largest), so results from different engines compare directly.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from graphbench.analytics.projection import AccountGraph

ENGINES = ("louvain", "networkit", "leiden", "leiden_cpm")
# leidenalg passes; -1 ("until stable") gained 0.0001 modularity at 100k edges for 3x the time and
# ran past 7 minutes at 1M edges.
LEIDEN_ITERATIONS = 2
# Chosen from benchmarks/out/bench_communities.json: networkit PLM (one thread, so seeded runs repeat)
# matches python-louvain's modularity and is 30-60x faster; leidenalg is no faster than python-louvain.
DEFAULT_ENGINE = "networkit"


@dataclass
class CommunityResult:
    membership: dict[Hashable, int]  # node id → community (0 = largest)
    modularity: float  # weighted Newman modularity at γ = 1, recomputed the same way for all engines
    engine: str
    resolution: float
    seed: int
    labels: np.ndarray = field(repr=False)  # community of graph node i
    seconds: float = 0.0  # wall time of the engine call (conversion included)

    @property
    def n_communities(self) -> int:
        return int(self.labels.max()) + 1 if len(self.labels) else 0

    def sizes(self) -> np.ndarray:
        return np.bincount(self.labels) if len(self.labels) else np.zeros(0, dtype=np.int64)

    def communities(self, min_size: int = 1) -> list[list[Hashable]]:
        """Member ids of each community with at least ``min_size`` members, largest first."""
        groups: dict[int, list[Hashable]] = {}
        for node, community in self.membership.items():
            groups.setdefault(community, []).append(node)
        return [sorted(groups[c], key=str) for c in sorted(groups) if len(groups[c]) >= min_size]


def detect_communities(graph: AccountGraph | nx.Graph, engine: str = "auto", resolution: float = 1.0,
                       seed: int = 0) -> CommunityResult:
    """Partition ``graph`` into communities with the named engine (seeded: same seed, same answer)."""
    graph = _as_account_graph(graph)
    name = DEFAULT_ENGINE if engine == "auto" else engine
    if name not in ENGINES:
        raise ValueError(f"unknown community engine {engine!r}; known: auto, {', '.join(ENGINES)}")
    started = time.perf_counter()
    raw = _RUNNERS[name](graph, resolution, seed) if graph.n_nodes else np.zeros(0, dtype=np.int64)
    seconds = time.perf_counter() - started
    labels = renumber_by_size(raw)
    return CommunityResult(
        membership=dict(zip(graph.ids.tolist(), labels.tolist(), strict=True)),
        modularity=modularity(graph, labels),
        engine=name, resolution=resolution, seed=seed, labels=labels, seconds=seconds,
    )


def resolution_sweep(graph: AccountGraph | nx.Graph, resolutions: Iterable[float] = (0.25, 0.5, 1.0, 2.0, 4.0),
                     engine: str = "auto", seed: int = 0) -> pd.DataFrame:
    """One row per resolution: number of communities, of rings (size ≥ 3), largest, modularity (γ = 1)."""
    graph = _as_account_graph(graph)
    rows = []
    for resolution in resolutions:
        result = detect_communities(graph, engine=engine, resolution=resolution, seed=seed)
        sizes = result.sizes()
        rows.append({"resolution": resolution, "engine": result.engine, "communities": result.n_communities,
                     "rings": int((sizes >= 3).sum()), "largest": int(sizes.max()) if len(sizes) else 0,
                     "singletons": int((sizes == 1).sum()), "modularity": result.modularity})
    return pd.DataFrame(rows)


def modularity(graph: AccountGraph, labels: np.ndarray, resolution: float = 1.0) -> float:
    """Weighted Newman modularity Σ_c [w_in(c)/m − γ (deg(c)/2m)²] of integer ``labels``."""
    total = graph.weight.sum()
    if total <= 0:
        return 0.0
    labels = np.asarray(labels)
    n_groups = int(labels.max()) + 1
    inside = labels[graph.source] == labels[graph.target]
    internal = np.bincount(labels[graph.source[inside]], graph.weight[inside], n_groups)
    degree = np.bincount(labels, graph.weighted_degree(), n_groups)
    return float(internal.sum() / total - resolution * np.sum((degree / (2 * total)) ** 2))


def renumber_by_size(raw: Sequence[int] | np.ndarray) -> np.ndarray:
    """Relabel communities 0..k-1 by size, largest first; ties by the lowest member index."""
    raw = np.asarray(raw, dtype=np.int64)
    if len(raw) == 0:
        return raw
    _, codes = np.unique(raw, return_inverse=True)
    sizes = np.bincount(codes)
    first = np.full(len(sizes), len(raw))
    np.minimum.at(first, codes, np.arange(len(raw)))
    order = np.lexsort((first, -sizes))
    new_label = np.empty(len(sizes), dtype=np.int64)
    new_label[order] = np.arange(len(sizes))
    return new_label[codes]


def _as_account_graph(graph: AccountGraph | nx.Graph) -> AccountGraph:
    return graph if isinstance(graph, AccountGraph) else AccountGraph.from_networkx(graph)


def _run_louvain(graph: AccountGraph, resolution: float, seed: int) -> np.ndarray:
    import community as community_louvain

    partition = community_louvain.best_partition(graph.to_networkx_int(), weight="weight",
                                                 resolution=resolution, random_state=seed)
    return np.fromiter((partition[i] for i in range(graph.n_nodes)), dtype=np.int64, count=graph.n_nodes)


def _run_networkit(graph: AccountGraph, resolution: float, seed: int) -> np.ndarray:
    import networkit as nk

    # One thread: PLM's parallel node moves are not reproducible under a fixed seed.
    threads = nk.getMaxNumberOfThreads()
    nk.setNumberOfThreads(1)
    try:
        nk.engineering.setSeed(seed, False)
        algorithm = nk.community.PLM(graph.to_networkit(), refine=True, gamma=resolution, par="none")
        algorithm.run()
        return np.asarray(algorithm.getPartition().getVector(), dtype=np.int64)
    finally:
        nk.setNumberOfThreads(threads)


def _run_leiden(graph: AccountGraph, resolution: float, seed: int) -> np.ndarray:
    import leidenalg

    partition = leidenalg.find_partition(graph.to_igraph(), leidenalg.RBConfigurationVertexPartition,
                                         weights="weight", resolution_parameter=resolution, seed=seed,
                                         n_iterations=LEIDEN_ITERATIONS)
    return np.asarray(partition.membership, dtype=np.int64)


def _run_leiden_cpm(graph: AccountGraph, resolution: float, seed: int) -> np.ndarray:
    import leidenalg

    partition = leidenalg.find_partition(graph.to_igraph(), leidenalg.CPMVertexPartition, weights="weight",
                                         resolution_parameter=resolution, seed=seed,
                                         n_iterations=LEIDEN_ITERATIONS)
    return np.asarray(partition.membership, dtype=np.int64)


_RUNNERS = {
    "louvain": _run_louvain,
    "networkit": _run_networkit,
    "leiden": _run_leiden,
    "leiden_cpm": _run_leiden_cpm,
}


# -- what is inside each community ------------------------------------------------------------


@dataclass
class CommunitySummary:
    community: int
    size: int
    key_members: list[str]  # highest weighted degree inside the community
    brokers: list[str]  # members with the most weight on ties to other communities
    internal_weight: float
    external_weight: float
    species: list[str] = field(default_factory=list)  # most mentioned first
    payment_channels: list[str] = field(default_factory=list)  # popular ones (an escrow) never among them
    platforms: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)  # popular ones (#reptiles) never among them
    # channels and hashtags the members use that too many accounts share to say anything about this
    # network (graphbench.analytics.popularity): shown apart, marked, never as its channel
    popular: list[str] = field(default_factory=list)


def summarise_communities(result: CommunityResult, graph: AccountGraph, tables: Mapping[str, pd.DataFrame],
                          min_size: int = 2, top: int = 5) -> list[CommunitySummary]:
    """Describe every community of at least ``min_size`` accounts, largest first.

    ``tables`` maps relationship types to their tables; POSTED, MENTIONS, USES, ACCEPTS, TAGGED and
    LOCATED_IN are read when present (listings' species, channels, hashtags and places count for the
    account that posted them). Platforms come from the account ids (``Account:platform:handle``).
    """
    labels = result.labels
    strength = graph.weighted_degree()
    same = labels[graph.source] == labels[graph.target]
    internal_strength = (np.bincount(graph.source[same], graph.weight[same], graph.n_nodes)
                         + np.bincount(graph.target[same], graph.weight[same], graph.n_nodes))
    external_strength = strength - internal_strength
    ids = graph.ids
    ranked = _ranked_attributes(_account_attributes(tables), result.membership, top)
    summaries = []
    for community, size in enumerate(result.sizes()):
        if size < min_size:
            continue
        members = np.flatnonzero(labels == community)
        by_internal = members[np.lexsort((members, -internal_strength[members]))]
        by_external = members[np.lexsort((members, -external_strength[members]))]
        brokers = [str(ids[i]) for i in by_external[:top] if external_strength[i] > 0]
        def values(kind: str, community: int = community) -> list[str]:
            return ranked.get((community, kind), [])

        summaries.append(CommunitySummary(
            community=community, size=int(size), key_members=[str(ids[i]) for i in by_internal[:top]],
            brokers=brokers, internal_weight=float(internal_strength[members].sum() / 2),
            external_weight=float(external_strength[members].sum()),
            species=values("species"), payment_channels=values("channel"),
            platforms=_platforms([str(ids[i]) for i in members], top),
            countries=values("country"), hashtags=values("hashtag"), popular=values("popular"),
        ))
    return summaries


def summaries_frame(summaries: Sequence[CommunitySummary]) -> pd.DataFrame:
    """The summaries as a table, list fields joined with ``; `` (for display and CSV)."""
    rows = []
    for summary in summaries:
        row = dict(summary.__dict__)
        for key, value in row.items():
            if isinstance(value, list):
                row[key] = "; ".join(value)
        rows.append(row)
    return pd.DataFrame(rows)


def _account_attributes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``account, kind, value`` with one row per occurrence (so counts rank values)."""
    def rel(name: str) -> pd.DataFrame:
        table = tables.get(name)
        return table[["start", "end"]] if table is not None and not table.empty else pd.DataFrame(
            {"start": pd.Series(dtype=object), "end": pd.Series(dtype=object)})

    posted = rel("POSTED")

    def through_listings(name: str) -> pd.DataFrame:
        joined = posted.merge(rel(name), left_on="end", right_on="start", suffixes=("", "_r"))
        return pd.DataFrame({"account": joined["start"], "value": joined["end_r"]})

    def direct(name: str) -> pd.DataFrame:
        table = rel(name)
        return pd.DataFrame({"account": table["start"], "value": table["end"]})

    located = rel("LOCATED_IN")
    listing_places = posted.merge(located, left_on="end", right_on="start", suffixes=("", "_r"))
    places = pd.concat([direct("LOCATED_IN"),
                        pd.DataFrame({"account": listing_places["start"], "value": listing_places["end_r"]})])
    places = places[places["account"].astype(str).str.startswith("Account:")]
    countries = places.assign(value=places["value"].astype(str).str.split(":").str[1])
    parts = {
        "species": through_listings("MENTIONS"),
        "channel": pd.concat([direct("USES"), through_listings("ACCEPTS")]),
        "hashtag": through_listings("TAGGED"),
        "country": countries,
    }
    return pd.concat([part.assign(kind=kind) for kind, part in parts.items()], ignore_index=True)


def _ranked_attributes(attributes: pd.DataFrame, membership: Mapping[Hashable, int],
                       top: int) -> dict[tuple[int, str], list[str]]:
    """(community, kind) → its ``top`` most frequent values (ties alphabetical).

    A channel or hashtag used by more accounts of the whole store than the popularity rule allows
    (an escrow, a switchboard, ``#reptiles``) is ranked under kind ``popular`` instead: it says nothing
    about who works together, so it is never a network's first channel."""
    from graphbench.analytics.popularity import max_accounts

    users = attributes.dropna(subset=["value"]).groupby(["kind", "value"])["account"].nunique()
    popular = {(kind, value) for (kind, value), n in users.items()
               if kind in ("channel", "hashtag") and n > max_accounts(str(kind))}
    if popular:
        mark = [(k, v) in popular for k, v in zip(attributes["kind"], attributes["value"], strict=True)]
        attributes = attributes.assign(kind=attributes["kind"].where(~pd.Series(mark, index=attributes.index),
                                                                     "popular"))
    community = attributes["account"].map(membership)
    rows = attributes.assign(community=community).dropna(subset=["community", "value"])
    counts = rows.groupby(["community", "kind", "value"]).size().reset_index(name="n")
    counts = counts.sort_values(["community", "kind", "n", "value"], ascending=[True, True, False, True])
    ranked: dict[tuple[int, str], list[str]] = {}
    for (group, kind), part in counts.groupby(["community", "kind"], sort=False):
        ranked[(int(group), str(kind))] = [str(v) for v in part["value"].head(top)]
    return ranked


def _platforms(member_ids: list[str], top: int) -> list[str]:
    counts = pd.Series([m.split(":")[1] if m.count(":") >= 2 else "" for m in member_ids]).value_counts()
    counts = counts[counts.index != ""]
    return sorted(counts.index, key=lambda p: (-counts[p], p))[:top]
