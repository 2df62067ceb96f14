"""Betweenness with an exact binomial interval on every figure, from uniformly sampled shortest paths.

Assumptions: an undirected graph, paths counted in hops, betweenness networkx-normalised (divided by the
node pairs not including the node). Each sample is a uniformly random ordered pair ``s != t`` and a
uniformly random shortest path between them (:mod:`graphbench.analytics.betweenness_sampler`); a pair
with no path is a sample with no interior. So over ``r`` independent samples node ``v``'s count is
exactly Binomial(r, p_v) with ``p_v = b_v (n - 2) / n`` — no approximation, no variance estimate: the
interval of each figure is Clopper–Pearson's, ``[low, high]``, which holds for that node with
probability at least ``1 - level``.

What the guarantee covers: with probability at least ``1 - delta``, *every* node's exact betweenness is
inside its stated interval at once (union bound). Unlike an absolute epsilon for all nodes (KADABRA),
the interval is as wide as the node's own count allows — tight in relative terms for the brokers, loose
for the many nodes nobody routes through — which is what a ranking of brokers needs. Rounds, each a
fresh, independent sample, and the share of ``delta`` each spends:

1. a pilot of ``pilot`` samples, intervals for all ``n`` nodes at ``(delta / 2) / n`` each. If its top
   ``top`` figures are already within ``target_relative``, it is the answer.
2. Otherwise the pilot names the candidates: nodes whose pilot ``high`` reaches half the ``top``-th
   highest pilot ``low``. On the pilot's event no other node can be above half of the ``top``-th
   highest betweenness, so a later round needs intervals only for the candidates (usually hundreds,
   not the whole graph: the union bound costs ``ln(candidates / delta)``, not ``ln(n / delta)``); the
   others keep the pilot's ``[0, high]``. Round ``i >= 2`` spends ``delta / 2^i`` over the candidates
   and is sized from the best round so far (the samples its ``top``-th figure needs to be within
   ``target_relative``, planned 1.5 standard errors low), capped by what is left of ``max_samples``.
   Because each round is a fresh sample, its size may depend on earlier rounds and its counts are
   still exactly binomial; because the rounds' deltas sum below ``delta``, all rounds' intervals hold
   together, so the round with the tightest statement can be reported, and stopping when the target is
   met (or the budget spent) keeps the guarantee.

The stated relative error of a figure ``b`` with interval ``[low, high]`` is the worst the exact value
inside it allows, ``max((b - low) / low, (high - b) / high)`` (none when ``low = 0``); the stated error
on the top figures is the worst of the ``top`` highest positive figures. ``max_samples`` is a count, not
seconds, so the same seed gives the same figures on any machine and any thread count. Results do not
depend on node order: the graph is renumbered canonically (``rank``) before sampling.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

PILOT_SAMPLES = 16_384  # ~1 s at 1M edges; enough to find the candidates and size the next round
# ~500k samples: ~25-45 s at 1M edges here; a 1M-edge scale-free graph needs ~170k for 10 % on its top 20
MAX_SAMPLES = 500_000
CHUNKS = 16  # samples are drawn in this many seeded chunks, whatever the thread count
PLAN_STDERRS = 1.5  # plan the next round for a top-th figure this many standard errors below its estimate


@dataclass(frozen=True)
class PathSample:
    """One round's figures, all networkx-normalised."""

    values: np.ndarray
    low: np.ndarray  # with probability >= 1 - delta every exact figure is in [low, high] ...
    high: np.ndarray
    stderr: np.ndarray  # binomial sqrt(p (1 - p) / r), beside the interval
    samples: int  # of the round that made the figures
    samples_total: int  # all rounds
    rounds: int
    candidates: int  # nodes given intervals of their own in that round (all n for the pilot)
    relative_bound: float | None  # worst stated relative error of the top figures; None: no bound
    epsilon: float  # worst absolute distance from a figure to its interval's ends, over all nodes


def canonical_rank(ids: np.ndarray) -> np.ndarray:
    """Position of each node when nodes are sorted by id (by type name, then text), ties by position."""
    keys = np.array([f"{type(node).__name__}\x00{node}" for node in ids.tolist()], dtype=object)
    order = np.argsort(keys, kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank


def path_betweenness(n: int, source: np.ndarray, target: np.ndarray, rank: np.ndarray | None = None,
                     delta: float = 0.1, top: int = 20, target_relative: float | None = 0.10,
                     max_samples: int = MAX_SAMPLES, pilot: int = PILOT_SAMPLES, seed: int = 0,
                     threads: int | None = None) -> PathSample:
    """Betweenness of nodes ``0..n-1`` of the undirected graph ``source[i] -- target[i]`` (hops).

    ``rank`` renumbers the nodes before sampling (see :func:`canonical_rank`); the figures come back in
    the input numbering. ``target_relative=None`` stops after the pilot (``pilot`` samples).
    """
    if n < 3:
        zeros = np.zeros(n)
        return PathSample(zeros, zeros, zeros, zeros, 0, 0, 0, n, 0.0 if n else None, 0.0)
    rank = np.arange(n, dtype=np.int64) if rank is None else np.asarray(rank, dtype=np.int64)
    indptr, indices = _csr(n, rank[np.asarray(source, dtype=np.int64)], rank[np.asarray(target, dtype=np.int64)])
    scale = n / (n - 2)  # p_v is a share of n (n - 1) ordered pairs; networkx divides by (n - 1) (n - 2)
    threads = threads or min(CHUNKS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)

    first = min(pilot, max_samples)
    counts = _draw(indptr, indices, first, seed, 1, threads)
    low, high = _clopper_pearson(counts, first, (delta / 2) / n)
    best = _round(counts, first, low, high, scale, top, first, 1, n)
    spent, pilot_high = first, high
    if target_relative is not None and not _met(best, target_relative):
        floor = kth_highest(low, top) / 2
        candidate = high >= floor  # on the pilot's event nobody else is above half the top-th figure
        k = int(candidate.sum())
        for round_no in range(2, 64):
            level = (delta / 2 ** round_no) / k
            r = min(max_samples - spent, _samples_needed(best, top, target_relative, level, scale))
            if r <= 0:
                break
            counts = _draw(indptr, indices, r, seed, round_no, threads)
            spent += r
            low = np.zeros(n)
            high = pilot_high.copy()
            low[candidate], high[candidate] = _clopper_pearson(counts[candidate], r, level)
            this = _round(counts, r, low, high, scale, top, spent, round_no, k)
            if _better(this, best):
                best = this
            if _met(best, target_relative) or spent >= max_samples:
                break
    back = rank  # canonical position of each input node
    return PathSample(best.values[back], best.low[back], best.high[back], best.stderr[back], best.samples,
                      spent, best.rounds, best.candidates, best.relative_bound, best.epsilon)


def _csr(n: int, source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric adjacency, neighbours in increasing order (the canonical numbering's)."""
    keep = source != target
    rows = np.concatenate([source[keep], target[keep]])
    cols = np.concatenate([target[keep], source[keep]])
    key = np.unique(rows * n + cols)  # sorted by row, then column; duplicate edges once
    rows, cols = key // n, key % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols.astype(np.int32)


def _draw(indptr: np.ndarray, indices: np.ndarray, samples: int, seed: int, round_no: int,
          threads: int) -> np.ndarray:
    """Interior counts of ``samples`` samples, drawn in CHUNKS seeded chunks over ``threads`` threads."""
    from graphbench.analytics.betweenness_sampler import sample_paths

    n = len(indptr) - 1
    sizes = [samples // CHUNKS + (1 if c < samples % CHUNKS else 0) for c in range(CHUNKS)]
    seeds = [int(np.random.SeedSequence([seed % 2 ** 63, round_no, c]).generate_state(1, np.uint64)[0] >> np.uint64(1))
             for c in range(CHUNKS)]

    def worker(first_chunk: int) -> np.ndarray:
        counts = np.zeros(n, dtype=np.int64)
        for c in range(first_chunk, CHUNKS, threads):  # integer counts: the sum is the same in any order
            if sizes[c]:
                sample_paths(indptr, indices, sizes[c], seeds[c], counts)
        return counts

    if threads <= 1:
        return worker(0)
    with ThreadPoolExecutor(max_workers=threads) as pool:  # the kernel releases the GIL
        return np.sum(list(pool.map(worker, range(threads))), axis=0)


def _clopper_pearson(counts: np.ndarray, r: int, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact two-sided binomial interval at ``level`` (its chance of missing) for each count of ``r``."""
    from scipy import stats

    distinct, where = np.unique(counts, return_inverse=True)
    k = distinct.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, stats.beta.ppf(level / 2, k, r - k + 1), 0.0)
        high = np.where(k < r, stats.beta.ppf(1 - level / 2, k + 1, r - k), 1.0)
    return np.nan_to_num(low)[where], np.nan_to_num(high, nan=1.0)[where]


def _round(counts: np.ndarray, r: int, low: np.ndarray, high: np.ndarray, scale: float, top: int,
           spent: int, round_no: int, candidates: int) -> PathSample:
    share = counts / r
    values, low, high = share * scale, low * scale, high * scale
    stderr = np.sqrt(share * (1 - share) / r) * scale
    epsilon = float(np.max(np.maximum(values - low, high - values)))
    return PathSample(values, low, high, stderr, r, spent, round_no, candidates,
                      _stated_relative(values, low, high, top), epsilon)


def _stated_relative(values: np.ndarray, low: np.ndarray, high: np.ndarray, top: int) -> float | None:
    positive = np.flatnonzero(values > 0)
    if not len(positive):
        return None
    chosen = positive[np.argsort(-values[positive], kind="stable")[:top]]
    if np.any(low[chosen] <= 0):
        return None
    worst = np.maximum((values[chosen] - low[chosen]) / low[chosen], (high[chosen] - values[chosen]) / high[chosen])
    return float(worst.max())


def _met(result: PathSample, target: float) -> bool:
    return result.relative_bound is not None and result.relative_bound <= target


def _better(this: PathSample, best: PathSample) -> bool:
    if this.relative_bound is None:
        return best.relative_bound is None and this.samples > best.samples
    return best.relative_bound is None or this.relative_bound < best.relative_bound


def kth_highest(values: np.ndarray, k: int) -> float:
    """The ``k``-th highest value (the lowest when there are fewer; 0 when there is none)."""
    if not len(values):
        return 0.0
    k = min(k, len(values))
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _samples_needed(best: PathSample, top: int, target: float, level: float, scale: float) -> int:
    """Samples for the top-th figure, planned PLAN_STDERRS low, to be stated within ``target``."""
    from scipy import stats

    p = kth_highest(best.values, top) / scale
    p -= PLAN_STDERRS * math.sqrt(max(p * (1 - p), 0.0) / max(best.samples, 1))
    if p <= 0:
        return 1 << 62
    lo, hi = 1, 1 << 40
    while lo < hi:  # the stated error at the expected count falls as r grows
        mid = (lo + hi) // 2
        k = max(1.0, round(mid * p))
        low = stats.beta.ppf(level / 2, k, mid - k + 1)
        high = stats.beta.ppf(1 - level / 2, k + 1, mid - k) if k < mid else 1.0
        share = k / mid
        if low > 0 and max((share - low) / low, (high - share) / high) <= target:
            hi = mid
        else:
            lo = mid + 1
    return lo
