"""Betweenness with a guarantee: every estimate within ``epsilon`` of the exact value, with probability
at least ``1 - delta``.

Two estimators from networkit, both sampling shortest paths between random node pairs (not sources):

- **KADABRA** (Borassi & Natale, ESA 2016), for hop counts: adaptive sampling that stops as soon as
  its bound holds, usually far fewer samples than the fixed bound below;
- **Riondato–Kornaropoulos** (``ApproxBetweenness``, WSDM 2014), for weighted paths (KADABRA ignores
  weights): ``c / epsilon^2 (floor(log2(VD - 2)) + 1 + ln(1 / delta))`` samples, VD the vertex diameter.

The guarantee is absolute (all nodes at once), so what it says about the brokers depends on how large
their betweenness is: the stated relative error of the top ``top`` figures is
``epsilon / (b_top - epsilon)``, ``b_top`` the ``top``-th highest estimate (``|b̂ - b| <= epsilon`` and
``b >= b̂ - epsilon``). When that is above ``target_relative`` a second, independent run uses
``epsilon = target_relative * (b_top - epsilon) / (1 + target_relative)`` — but never below
``min_epsilon``, since samples grow as ``1 / epsilon^2``, and not at all when even ``min_epsilon`` is
above ``b_top``: on a graph whose betweenness is flat (no brokers stand out) the stated bound stays
wide (or absent) and says so instead of running for hours. Only the
last run's samples make the figures, so its ``(epsilon, delta)`` is the guarantee given.

Units: every figure is networkx-normalised (divided by the node pairs not including the node),
like :func:`graphbench.analytics.centrality.centrality_table`. networkit's pair sampling normalises by
all ordered pairs, ``n (n - 1)`` (RK) and reports twice that share (KADABRA, whose bound is on the
share); both are converted here, the epsilons included.

A caveat measured, not hidden: networkit 11.3's KADABRA picks a shortest path's predecessors with
equal odds instead of in proportion to their path counts (``backtrackPath`` adds ``nPaths[target]``,
always 1), so where many shortest paths tie the sampled paths are not uniform and the guarantee is
that of a slightly biased sampler: on scale-free test graphs the top figures came out ~1 % high
(relative), well inside the stated bound; benchmarks/bench_centrality.py measures the actual error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_EPSILON = 0.01  # first run: ~20k pairs, ~25 s on a 1M-edge scale-free graph; enough to size a second
DEFAULT_DELTA = 0.1
TARGET_RELATIVE = 0.10  # what the brokers' figures should be good to
# Samples grow as 1/eps^2: 0.005 costs ~4x the first run; below it a 1M-edge graph takes many minutes.
MIN_EPSILON = 0.005


@dataclass(frozen=True)
class BetweennessBound:
    method: str  # "kadabra" or "riondato_kornaropoulos"
    epsilon: float  # absolute, on networkx-normalised betweenness
    delta: float  # chance that any one figure is further than epsilon from the exact value
    samples: int  # node pairs sampled by the run that made the figures
    rounds: int  # 1, or 2 when the first run's bound was too wide for the top figures
    relative_bound: float | None  # epsilon / (b_top - epsilon); None when b_top <= epsilon (no bound)
    top: int


def bounded_betweenness(n: int, source: np.ndarray, target: np.ndarray, lengths: np.ndarray | None = None,
                        epsilon: float = DEFAULT_EPSILON, delta: float = DEFAULT_DELTA, top: int = 20,
                        target_relative: float | None = TARGET_RELATIVE, min_epsilon: float = MIN_EPSILON,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray, BetweennessBound]:
    """Betweenness of nodes ``0..n-1`` of the undirected graph ``source[i] -- target[i]``.

    Returns (values, standard errors, bound), all networkx-normalised. ``lengths`` (one per edge)
    makes paths weighted (Riondato–Kornaropoulos); the standard error is the binomial one of the
    sampled share, ``sqrt(p (1 - p) / samples)``, beside the guarantee. ``target_relative=None``
    makes one run only.
    """
    import networkit as nk

    graph = nk.Graph(n, weighted=lengths is not None, directed=False)
    if len(source):  # the account graph's edges are canonical: one per pair, no loops
        weights = np.ones(len(source)) if lengths is None else np.asarray(lengths, dtype=np.float64)
        graph.addEdges((weights, (source.astype(np.uint64), target.astype(np.uint64))))
    values, errors, samples = _run(nk, graph, n, epsilon, delta, seed, lengths is not None)
    rounds, used = 1, epsilon
    relative = _relative(values, used, top)
    b_top = _top_value(values, top)
    # a second run only when it can bound the top figures: b_top - epsilon must stay above zero
    if target_relative is not None and (relative is None or relative > target_relative) and b_top > min_epsilon:
        wanted = target_relative * (b_top - epsilon) / (1.0 + target_relative)
        sharper = max(min_epsilon, wanted) if b_top > epsilon else min_epsilon
        if sharper < epsilon:
            values, errors, samples = _run(nk, graph, n, sharper, delta, seed + 1, lengths is not None)
            rounds, used = 2, sharper
            relative = _relative(values, used, top)
    bound = BetweennessBound("riondato_kornaropoulos" if lengths is not None else "kadabra",
                             used, delta, samples, rounds, relative, top)
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


def _top_value(values: np.ndarray, top: int) -> float:
    if not len(values):
        return 0.0
    k = min(top, len(values))
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _relative(values: np.ndarray, epsilon: float, top: int) -> float | None:
    b_top = _top_value(values, top)
    if b_top <= epsilon:
        return None
    bound = epsilon / (b_top - epsilon)
    return bound if math.isfinite(bound) else None
