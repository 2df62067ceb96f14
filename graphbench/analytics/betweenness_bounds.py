"""Betweenness with a guarantee, for graphs too big for exact Brandes.

Three estimators, all sampling shortest paths between random node pairs (not sources):

- **path sampling** (the default for hop counts, :mod:`graphbench.analytics.betweenness_paths`): uniform
  shortest paths drawn by a compiled bidirectional search, and an exact binomial (Clopper–Pearson)
  interval on *every* figure; with probability ``1 - delta`` all exact figures are inside their
  intervals at once. The interval is as narrow as the node's own count allows, so the brokers (high
  betweenness) get tight relative figures from far fewer samples than an absolute bound needs: at 1M
  edges (scale-free) ~150k samples state the top 20 within 10 %, where KADABRA's ``epsilon`` would need
  over a million;
- **KADABRA** (Borassi & Natale, ESA 2016, networkit), for hop counts when asked for by name: an absolute
  bound, every estimate within ``epsilon``, adaptive sampling that stops as soon as its bound holds;
- **Riondato–Kornaropoulos** (``ApproxBetweenness``, WSDM 2014, networkit), for weighted paths (the
  sampler above and KADABRA count hops): ``c / epsilon^2 (floor(log2(VD - 2)) + 1 + ln(1 / delta))``
  samples, VD the vertex diameter; absolute too.

With an absolute ``epsilon`` the stated relative error of the top ``top`` figures is
``epsilon / (b_top - epsilon)``, ``b_top`` the ``top``-th highest estimate (``|b̂ - b| <= epsilon`` and
``b >= b̂ - epsilon``). When that is above ``target_relative`` a second, independent run uses
``epsilon = target_relative * (b_top - epsilon) / (1 + target_relative)`` — but never below
``min_epsilon``, since samples grow as ``1 / epsilon^2``, and not at all when even ``min_epsilon`` is
above ``b_top``: on a graph whose betweenness is flat (no brokers stand out) the stated bound stays
wide (or absent) and says so instead of running for hours. Only the
last run's samples make the figures, so its ``(epsilon, delta)`` is the guarantee given. Path sampling
states its own relative error (see its module) and stops at ``max_samples`` where the target is out of
reach; its ``epsilon`` is the widest distance from a figure to an end of its interval, over all nodes.

Units: every figure is networkx-normalised (divided by the node pairs not including the node),
like :func:`graphbench.analytics.centrality.centrality_table`. networkit's pair sampling normalises by
all ordered pairs, ``n (n - 1)`` (RK) and reports twice that share (KADABRA, whose bound is on the
share); both are converted here, the epsilons included.

A caveat measured, not hidden: networkit 11.3's KADABRA picks a shortest path's predecessors with
equal odds instead of in proportion to their path counts (``backtrackPath`` adds ``nPaths[target]``,
always 1), so where many shortest paths tie the sampled paths are not uniform and the guarantee is
that of a slightly biased sampler: on scale-free test graphs the top figures came out ~1 % high
(relative), well inside the stated bound; benchmarks/bench_centrality.py measures the actual error.
The path sampler draws predecessors in proportion to their path counts (uniform paths).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graphbench.analytics.betweenness_paths import MAX_SAMPLES, kth_highest

DEFAULT_EPSILON = 0.01  # first run: ~20k pairs, ~25 s on a 1M-edge scale-free graph; enough to size a second
DEFAULT_DELTA = 0.1
TARGET_RELATIVE = 0.10  # what the brokers' figures should be good to
# Samples grow as 1/eps^2: 0.005 costs ~4x the first run; below it a 1M-edge graph takes many minutes.
MIN_EPSILON = 0.005


@dataclass(frozen=True, eq=False)
class BetweennessBound:
    method: str  # "path_sampling", "kadabra" or "riondato_kornaropoulos"
    epsilon: float  # absolute, on networkx-normalised betweenness (path sampling: its widest interval side)
    delta: float  # chance that any one figure is outside its interval (further than epsilon)
    samples: int  # node pairs sampled by the run that made the figures
    rounds: int  # kadabra / RK: 1, or 2 when the first run's bound was too wide; paths: its rounds
    relative_bound: float | None  # the stated relative error of the top figures; None: no bound
    top: int
    low: np.ndarray | None = None  # per node: the exact figure is in [low, high] (all at once, 1 - delta)
    high: np.ndarray | None = None
    samples_total: int = 0  # all rounds' samples (path sampling: pilot and discarded rounds too)
    candidates: int | None = None  # path sampling: nodes with intervals of their own in the reported round


def bounded_betweenness(n: int, source: np.ndarray, target: np.ndarray, lengths: np.ndarray | None = None,
                        epsilon: float = DEFAULT_EPSILON, delta: float = DEFAULT_DELTA, top: int = 20,
                        target_relative: float | None = TARGET_RELATIVE, min_epsilon: float = MIN_EPSILON,
                        seed: int = 0, method: str | None = None, rank: np.ndarray | None = None,
                        max_samples: int = MAX_SAMPLES) -> tuple[np.ndarray, np.ndarray, BetweennessBound]:
    """Betweenness of nodes ``0..n-1`` of the undirected graph ``source[i] -- target[i]``.

    Returns (values, standard errors, bound), all networkx-normalised. ``method``: ``"path_sampling"``
    (the default for hop counts; ``max_samples`` caps it), ``"kadabra"``; ``lengths`` (one per edge)
    makes paths weighted and the method Riondato–Kornaropoulos (``epsilon``, ``min_epsilon`` apply to
    the two networkit estimators only). The standard error is the binomial one of the sampled share,
    ``sqrt(p (1 - p) / samples)``, beside the guarantee. ``target_relative=None`` makes one run only.
    ``rank`` renumbers the nodes before sampling so that node order does not change the answer.
    """
    if lengths is None and method in (None, "path_sampling"):
        from graphbench.analytics.betweenness_paths import path_betweenness

        found = path_betweenness(n, source, target, rank, delta=delta, top=top, target_relative=target_relative,
                                 max_samples=max_samples, seed=seed)
        return found.values, found.stderr, BetweennessBound(
            "path_sampling", found.epsilon, delta, found.samples, found.rounds, found.relative_bound, top,
            found.low, found.high, found.samples_total, found.candidates)
    if method not in (None, "kadabra", "riondato_kornaropoulos"):
        raise ValueError(f"unknown betweenness estimator {method!r}")
    import networkit as nk

    rank = np.arange(n, dtype=np.int64) if rank is None else np.asarray(rank, dtype=np.int64)
    graph = nk.Graph(n, weighted=lengths is not None, directed=False)
    if len(source):  # the account graph's edges are canonical: one per pair, no loops
        weights = np.ones(len(source)) if lengths is None else np.asarray(lengths, dtype=np.float64)
        graph.addEdges((weights, (rank[source].astype(np.uint64), rank[target].astype(np.uint64))))
    values, errors, samples = _run(nk, graph, n, epsilon, delta, seed, lengths is not None)
    rounds, used, total = 1, epsilon, samples
    relative = _relative(values, used, top)
    b_top = kth_highest(values, top)
    # a second run only when it can bound the top figures: b_top - epsilon must stay above zero
    if target_relative is not None and (relative is None or relative > target_relative) and b_top > min_epsilon:
        wanted = target_relative * (b_top - epsilon) / (1.0 + target_relative)
        sharper = max(min_epsilon, wanted) if b_top > epsilon else min_epsilon
        if sharper < epsilon:
            values, errors, samples = _run(nk, graph, n, sharper, delta, seed + 1, lengths is not None)
            rounds, used, total = 2, sharper, total + samples
            relative = _relative(values, used, top)
    values, errors = values[rank], errors[rank]
    bound = BetweennessBound("riondato_kornaropoulos" if lengths is not None else "kadabra",
                             used, delta, samples, rounds, relative, top,
                             np.clip(values - used, 0.0, None), np.clip(values + used, None, 1.0), total)
    return values, errors, bound


def _run(nk: object, graph: object, n: int, epsilon: float, delta: float, seed: int,
         weighted: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """One estimator run at ``epsilon`` (networkx units): values, standard errors, samples."""
    if n < 3:
        return np.zeros(n), np.zeros(n), 0
    nk.setSeed(seed, True)  # type: ignore[attr-defined]  # KADABRA seeds each thread from it
    rk_scale = n / (n - 2)  # networkx normalisation over networkit's n (n - 1) ordered pairs
    if weighted:
        algorithm = nk.centrality.ApproxBetweenness(graph, epsilon / rk_scale, delta)  # type: ignore[attr-defined]
        algorithm.run()
        share = np.asarray(algorithm.scores(), dtype=np.float64)
        samples = int(algorithm.numberOfSamples())
    else:
        # its bound is on the sampled share of pairs (scores() doubles that on undirected graphs);
        # deterministic: the same seed gives the same figures whatever the thread count
        algorithm = nk.centrality.KadabraBetweenness(graph, epsilon / rk_scale, delta,  # type: ignore[attr-defined]
                                                     True)
        algorithm.run()
        share = np.asarray(algorithm.scores(), dtype=np.float64) / 2.0
        samples = int(algorithm.getNumberOfIterations())
    share = np.clip(share, 0.0, 1.0)
    errors = np.sqrt(share * (1.0 - share) / max(samples, 1))
    return share * rk_scale, errors * rk_scale, samples


def _relative(values: np.ndarray, epsilon: float, top: int) -> float | None:
    b_top = kth_highest(values, top)
    if b_top <= epsilon:
        return None
    bound = epsilon / (b_top - epsilon)
    return bound if math.isfinite(bound) else None
