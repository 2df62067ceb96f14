"""Who matters in the account graph: degree, PageRank, betweenness, and brokers between communities.

Betweenness is exact (igraph, Brandes) below ``exact_below`` nodes. Above it, the default is an
estimator with a guarantee (:mod:`graphbench.analytics.betweenness_bounds`): uniformly sampled shortest
paths with an exact binomial interval on every figure (``betweenness_low`` / ``betweenness_high``; with
probability ``1 - delta`` every exact figure is inside its interval), sampled until the top 20 are
stated within ``target_relative`` or ``max_samples`` are spent; KADABRA when asked for by name
(``estimator="kadabra"``), Riondato–Kornaropoulos for weighted paths (both: every figure within
``epsilon``). The result states delta, the widest interval side (``epsilon``) and the relative error the
intervals allow on the top 20. Given ``pivots``, the older estimator runs instead: shortest paths followed from ``pivots``
random source nodes only and scaled by n / pivots (Brandes & Pich), drawn in ``batches`` independent
groups whose spread gives each node a standard error (an estimate of the error, not a bound).

Betweenness counts hops (an evidence weight is a strength, not a distance); ``weighted_paths=True``
uses 1 / weight as the length of an edge instead. Values are normalised like networkx's (divided by
the number of node pairs not including the node), so they compare across graph sizes.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from graphbench.analytics.betweenness_bounds import (
    DEFAULT_DELTA,
    DEFAULT_EPSILON,
    MAX_SAMPLES,
    TARGET_RELATIVE,
    bounded_betweenness,
)
from graphbench.analytics.betweenness_paths import canonical_rank
from graphbench.analytics.projection import AccountGraph

EXACT_BETWEENNESS_BELOW = 5_000  # nodes; exact Brandes is O(n·m)
DEFAULT_PIVOTS = 512  # for the pivot estimator, when asked for by name (``pivots=``)


@dataclass
class CentralityResult:
    # id, degree, weighted_degree, betweenness, betweenness_stderr, pagerank, betweenness_low,
    # betweenness_high (the interval; NaN for the pivot estimator, which has none); by betweenness
    table: pd.DataFrame
    # "exact", "path_sampling", "kadabra", "riondato_kornaropoulos" or "sampled" (pivots)
    betweenness_method: str
    pivots: int  # source nodes (exact, sampled) or node pairs (bounded: the reported round's) followed
    # exact: 0; bounded: the stated relative error of the top 20 (path sampling: the worst their
    # intervals allow; kadabra / RK: epsilon / (b_20 - epsilon)), None: no bound;
    # sampled: median relative standard error of the 20 highest figures
    relative_error: float | None
    seconds_pagerank: float = 0.0
    seconds_betweenness: float = 0.0
    epsilon: float | None = None  # the guarantee: |estimate - exact| <= epsilon for every node ...
    delta: float | None = None  # ... with probability >= 1 - delta (bounded estimators only)
    samples_total: int | None = None  # bounded: node pairs over all rounds
    rounds: int | None = None


def centrality_table(graph: AccountGraph | nx.Graph, exact_below: int = EXACT_BETWEENNESS_BELOW,
                     pivots: int | None = None, batches: int = 4, seed: int = 0,
                     weighted_paths: bool = False, damping: float = 0.85,
                     epsilon: float = DEFAULT_EPSILON, delta: float = DEFAULT_DELTA,
                     target_relative: float | None = TARGET_RELATIVE, estimator: str | None = None,
                     max_samples: int = MAX_SAMPLES) -> CentralityResult:
    """Degree, weighted PageRank and betweenness of every node, highest betweenness first.

    Above ``exact_below`` nodes: the bounded ``estimator`` (path sampling by default, ``"kadabra"``;
    weighted paths: Riondato–Kornaropoulos) at ``delta`` (``epsilon`` for the networkit two), sampling
    until the top 20 are stated within ``target_relative`` unless that is None, see
    :func:`graphbench.analytics.betweenness_bounds.bounded_betweenness`; or the
    pivot estimator when ``pivots`` is given. Nodes are renumbered by id before sampling, so the
    answer does not depend on node order.
    """
    import time

    graph = graph if isinstance(graph, AccountGraph) else AccountGraph.from_networkx(graph)
    n = graph.n_nodes
    igraph_graph = graph.to_igraph()
    started = time.perf_counter()
    pagerank = np.asarray(igraph_graph.pagerank(weights="weight", damping=damping)) if n else np.zeros(0)
    seconds_pagerank = time.perf_counter() - started
    lengths = (1.0 / graph.weight).tolist() if weighted_paths else None

    started = time.perf_counter()
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    bound = None
    if n < exact_below or (pivots is not None and pivots >= n):
        raw = np.asarray(igraph_graph.betweenness(directed=False, weights=lengths)) if n else np.zeros(0)
        stderr = np.zeros(n)
        method, used = "exact", n
    elif pivots is not None:
        raw, stderr, used = _sampled_betweenness(igraph_graph, lengths, pivots, batches, seed)
        method = "sampled"
    else:
        values, errors, bound = bounded_betweenness(
            n, graph.source, graph.target, None if lengths is None else np.asarray(lengths),
            epsilon=epsilon, delta=delta, target_relative=target_relative, seed=seed, method=estimator,
            rank=canonical_rank(graph.ids), max_samples=max_samples)
        raw, stderr = values / scale, errors / scale
        method, used = bound.method, bound.samples
    seconds_betweenness = time.perf_counter() - started

    table = pd.DataFrame({
        "id": graph.ids, "degree": graph.degree(), "weighted_degree": graph.weighted_degree(),
        "betweenness": raw * scale, "betweenness_stderr": stderr * scale, "pagerank": pagerank,
        "betweenness_low": raw * scale if method == "exact" else bound.low if bound is not None else np.nan,
        "betweenness_high": raw * scale if method == "exact" else bound.high if bound is not None else np.nan,
    })
    table = table.sort_values(["betweenness", "pagerank"], ascending=False, kind="stable").reset_index(drop=True)
    top = table.head(20)
    top = top[top["betweenness"] > 0]
    relative_error = float((top["betweenness_stderr"] / top["betweenness"]).median()) if len(top) else 0.0
    if bound is not None:
        return CentralityResult(table, method, used, bound.relative_bound, seconds_pagerank, seconds_betweenness,
                                bound.epsilon, bound.delta, bound.samples_total, bound.rounds)
    return CentralityResult(table, method, used, relative_error if method == "sampled" else 0.0,
                            seconds_pagerank, seconds_betweenness)


def _sampled_betweenness(igraph_graph: object, lengths: list[float] | None, pivots: int, batches: int,
                         seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean and standard error of ``batches`` independent pivot-sampled betweenness estimates."""
    n = igraph_graph.vcount()  # type: ignore[attr-defined]
    batches = max(2, batches)
    per_batch = max(1, pivots // batches)
    chosen = np.random.default_rng(seed).choice(n, size=per_batch * batches, replace=False)
    estimates = []
    for group in np.split(chosen, batches):
        partial = igraph_graph.betweenness(directed=False, weights=lengths,  # type: ignore[attr-defined]
                                           sources=group.tolist())
        estimates.append(np.asarray(partial) * n / len(group))
    stacked = np.vstack(estimates)
    return stacked.mean(axis=0), stacked.std(axis=0, ddof=1) / np.sqrt(batches), len(chosen)


def brokers(graph: AccountGraph | nx.Graph, membership: Mapping[Hashable, int] | np.ndarray,
            centrality: pd.DataFrame | None = None, top: int | None = None) -> pd.DataFrame:
    """Nodes tied into other communities than their own, strongest outside ties first.

    ``participation`` is Guimerà–Amaral's coefficient 1 − Σ_c (w_ic / w_i)² (0 = all ties inside one
    community); ``external_weight`` the evidence weight on ties leaving the community;
    ``communities_touched`` how many other communities the node has ties into. A ``centrality`` table
    (from :func:`centrality_table`) adds its ``betweenness`` column.
    """
    graph = graph if isinstance(graph, AccountGraph) else AccountGraph.from_networkx(graph)
    if isinstance(membership, np.ndarray):
        labels = membership.astype(np.int64)
    else:
        labels = np.fromiter((membership[node] for node in graph.ids.tolist()), dtype=np.int64,
                             count=graph.n_nodes)
    ends = pd.DataFrame({
        "node": np.concatenate([graph.source, graph.target]),
        "other": labels[np.concatenate([graph.target, graph.source])],
        "w": np.concatenate([graph.weight, graph.weight]),
    })
    per_community = ends.groupby(["node", "other"], sort=False)["w"].sum().reset_index()
    strength = graph.weighted_degree()
    share = per_community["w"].to_numpy() / strength[per_community["node"].to_numpy()]
    concentration = np.bincount(per_community["node"], share ** 2, graph.n_nodes)
    outside = per_community[per_community["other"].to_numpy() != labels[per_community["node"].to_numpy()]]
    external = np.bincount(outside["node"], outside["w"], graph.n_nodes)
    touched = np.bincount(outside["node"], minlength=graph.n_nodes)
    table = pd.DataFrame({
        "id": graph.ids, "community": labels,
        "participation": np.where(strength > 0, 1.0 - concentration, 0.0),
        "external_weight": external, "communities_touched": touched,
    })
    table = table[table["external_weight"] > 0]
    if centrality is not None:
        table = table.merge(centrality[["id", "betweenness"]], on="id", how="left")
    table = table.sort_values(["external_weight", "participation"], ascending=False, kind="stable")
    table = table.reset_index(drop=True)
    return table.head(top) if top else table
