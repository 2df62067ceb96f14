"""Canonical order for a transfer table, so that no answer depends on row order, load order or store.

Node codes follow the sorted node ids (not their first appearance), and transfers are ordered by
(time, sender id, receiver id, amount, tx_id): two stores, or two row orders of one file, give the
same ``TransferIndex`` position for every transfer. Detectors still treat equal timestamps as
simultaneous; this order only makes the arrays (and any budget cut) reproducible.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def sorted_codes(codes: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber factorised ``codes`` so that code order is the sorted order of ``nodes`` (as text)."""
    if not len(nodes):
        return codes, nodes
    order = pc.sort_indices(pa.array([str(n) for n in nodes], type=pa.string())).to_numpy()
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[order] = np.arange(len(nodes), dtype=np.int64)
    return rank[codes], np.asarray(nodes, dtype=object)[order]


def canonical_order(ts: np.ndarray, src: np.ndarray, dst: np.ndarray, amount: np.ndarray,
                    tx_id: Any) -> np.ndarray:
    """Positions that sort transfers by (ts, src, dst, amount, tx_id as text); ``src``/``dst`` are
    codes from :func:`sorted_codes`. Exact ties on the first four keys (rare) are settled by tx_id (an
    object array, or anything indexed like one: ``TextColumn``)."""
    n = len(ts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    key_amount = np.where(np.isnan(amount), np.inf, amount)
    order = np.lexsort((key_amount, dst, src, ts))
    same = np.zeros(n, dtype=bool)
    same[1:] = True
    for key in (ts, src, dst, key_amount):  # one sorted key at a time: 20M transfers hold one copy, not eight
        ordered = key[order]
        same[1:] &= ordered[1:] == ordered[:-1]
        del ordered
    del key_amount
    if not same.any():
        return order
    # runs of ties: [start of run, …] re-sorted by tx_id text, in place
    tied = same | np.concatenate([same[1:], [False]])
    starts = np.flatnonzero(tied & ~same)
    for start in starts.tolist():
        stop = start + 1
        while stop < n and same[stop]:
            stop += 1
        run = order[start:stop]
        order[start:stop] = run[np.argsort(np.asarray([str(t) for t in tx_id[run]]), kind="stable")]
    return order
