"""Uniformly random shortest paths between uniformly random node pairs (hop counts), compiled with numba.

One sample: an ordered pair ``s != t`` drawn uniformly, then one of the shortest ``s``–``t`` paths drawn
uniformly (every path with the same chance, however many tie), and each node strictly inside it counted.
Over ``r`` independent samples a node's count is exactly Binomial(r, p_v), ``p_v`` the share of ordered
pairs' shortest paths through ``v`` (pairs with no path count as samples with no interior) — what
:mod:`graphbench.analytics.betweenness_bounds` turns into an interval per node.

How a path is drawn: a balanced bidirectional breadth-first search (each step grows, by one whole level,
the side whose frontier has the fewer edges, as KADABRA does) counts shortest paths from each end
(``sigma_s``, ``sigma_t``). When the level just grown from one side touches the other side's ball, the
touched nodes ``w`` are exactly the nodes of the shortest paths at that distance (each shortest path
crosses that level once), so ``w`` is drawn with odds ``sigma_s[w] * sigma_t[w]`` and each half is
walked back to its end, at every step choosing a predecessor ``y`` of ``x`` with odds
``sigma[y] / sigma[x]``. That is the uniform path (networkit 11.3's KADABRA draws predecessors with equal
odds instead, see betweenness_bounds).

Random numbers: splitmix64, seeded per chunk from (seed, chunk), so a chunk's samples do not depend on
which thread runs it or how many threads there are. Path counts are float64 (exact below 2^53; above,
the odds are off by at most a relative 1e-16).

The first call in a fresh checkout compiles the kernel (3.5 s on an idle core here, 8.6 s at load 4)
and writes it to ``__pycache__`` (``cache=True``); later processes import numba and load it in ~0.8 s.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / 9007199254740992.0  # 2^-53


@njit(cache=True, nogil=True)
def _next(state: np.ndarray) -> np.uint64:
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True)
def _uniform(state: np.ndarray) -> float:
    return float(_next(state) >> _S11) * _UNIT


@njit(cache=True, nogil=True)
def _below(state: np.ndarray, k: int) -> int:
    # 53 random bits scaled: the bias is below k / 2^53, far under any sampling error
    value = int(_uniform(state) * k)
    return value if value < k else k - 1


@njit(cache=True, nogil=True)
def _grow(indptr: np.ndarray, indices: np.ndarray, dist: np.ndarray, sigma: np.ndarray, order: np.ndarray,
          start: int, end: int, size: int) -> int:
    """Add the level after ``order[start:end]`` to ``order`` (from ``size`` on); returns the new size."""
    level = dist[order[start]] + 1
    for i in range(start, end):
        u = order[i]
        for j in range(indptr[u], indptr[u + 1]):
            w = indices[j]
            if dist[w] < 0:
                dist[w] = level
                sigma[w] = sigma[u]
                order[size] = w
                size += 1
            elif dist[w] == level:
                sigma[w] += sigma[u]
    return size


@njit(cache=True, nogil=True)
def _walk_back(indptr: np.ndarray, indices: np.ndarray, dist: np.ndarray, sigma: np.ndarray, x: int,
               state: np.ndarray, counts: np.ndarray) -> None:
    """From ``x`` back to the side's root, each predecessor with odds sigma[y] / sigma[x]; counts interior."""
    while dist[x] > 0:
        draw = _uniform(state) * sigma[x]
        chosen = -1
        acc = 0.0
        for j in range(indptr[x], indptr[x + 1]):
            y = indices[j]
            if dist[y] == dist[x] - 1:
                chosen = y
                acc += sigma[y]
                if acc > draw:
                    break
        x = chosen
        if dist[x] > 0:
            counts[x] += 1


@njit(cache=True, nogil=True)
def sample_paths(indptr: np.ndarray, indices: np.ndarray, samples: int, seed: int,
                 counts: np.ndarray) -> int:
    """Draw ``samples`` (pair, shortest path) samples; add each interior node to ``counts``.

    ``indptr`` / ``indices``: the symmetric CSR adjacency (int64 / int32). Returns the number of
    sampled pairs that were connected.
    """
    n = len(indptr) - 1
    state = np.empty(1, np.uint64)
    state[0] = np.uint64(seed)
    dist_s = np.full(n, -1, np.int32)
    dist_t = np.full(n, -1, np.int32)
    sigma_s = np.zeros(n)
    sigma_t = np.zeros(n)
    order_s = np.empty(n, np.int32)
    order_t = np.empty(n, np.int32)
    connected = 0
    for _ in range(samples):
        s = _below(state, n)
        t = _below(state, n - 1)
        if t >= s:
            t += 1
        dist_s[s], sigma_s[s], order_s[0] = 0, 1.0, s
        dist_t[t], sigma_t[t], order_t[0] = 0, 1.0, t
        size_s, start_s, end_s = 1, 0, 1  # order[start:end] is the frontier (the last level grown)
        size_t, start_t, end_t = 1, 0, 1
        while True:
            work_s = 0
            for i in range(start_s, end_s):
                work_s += indptr[order_s[i] + 1] - indptr[order_s[i]]
            work_t = 0
            for i in range(start_t, end_t):
                work_t += indptr[order_t[i] + 1] - indptr[order_t[i]]
            from_s = work_s <= work_t
            if from_s:
                size_s = _grow(indptr, indices, dist_s, sigma_s, order_s, start_s, end_s, size_s)
                start_s, end_s = end_s, size_s
                lo, hi, grown, other, sg, so = start_s, end_s, order_s, dist_t, sigma_s, sigma_t
            else:
                size_t = _grow(indptr, indices, dist_t, sigma_t, order_t, start_t, end_t, size_t)
                start_t, end_t = end_t, size_t
                lo, hi, grown, other, sg, so = start_t, end_t, order_t, dist_s, sigma_t, sigma_s
            if lo == hi:
                break  # one side's component is exhausted: no path
            total = 0.0
            for i in range(lo, hi):
                w = grown[i]
                if other[w] >= 0:
                    total += sg[w] * so[w]
            if total == 0.0:
                continue
            draw = _uniform(state) * total
            acc = 0.0
            meet = -1
            for i in range(lo, hi):
                w = grown[i]
                if other[w] >= 0:
                    meet = w
                    acc += sg[w] * so[w]
                    if acc > draw:
                        break
            connected += 1
            if meet != s and meet != t:
                counts[meet] += 1
            _walk_back(indptr, indices, dist_s, sigma_s, meet, state, counts)
            _walk_back(indptr, indices, dist_t, sigma_t, meet, state, counts)
            break
        for i in range(size_s):
            dist_s[order_s[i]] = -1
            sigma_s[order_s[i]] = 0.0
        for i in range(size_t):
            dist_t[order_t[i]] = -1
            sigma_t[order_t[i]] = 0.0
    return connected
