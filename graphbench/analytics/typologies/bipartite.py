"""Bipartite: a set of payers paying a set of payees within a short window (AMLSim/AMLworld
"bipartite"; a stack is two such layers).

Transfers are grouped in windows of `bipartite_window_days` that overlap by half (so a block that
straddles a boundary is whole in one of them). In a window, a channel with more than
`bipartite_max_degree` counterparties is left out (a merchant or payroll is not a laundering block
and would glue unrelated traffic together); payer→payee pairs are pruned until every payer pays
>= 2 payees and every payee is paid by >= 2 payers; each remaining connected block is peeled to
the required density. Payers and payees must be different channels (money that comes back is a
cycle).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies.base import (
    DAY,
    Pattern,
    distinct_degrees,
    make_pattern,
    memo,
    money,
    span_days,
    unique_ints,
)
from graphbench.analytics.typologies.params import PatternParams


def bipartite(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """Score: 0.5 + half from size (2x the minimum members = full) times density."""
    found = []
    for payers, payees, pos, density in blocks(index, params, params.bipartite_min_members):
        total = float(np.nansum(index.amount[pos]))
        reason = (f"{len(payers)} payers paid {len(payees)} payees {money(index, total)} in "
                  f"{len(pos)} transfers within {span_days(index, pos):.1f} days "
                  f"({density:.0%} of all payer-payee pairs)")
        size = min(1.0, (len(payers) + len(payees)) / (2 * params.bipartite_min_members))
        found.append(make_pattern(index, "bipartite", pos, 0.5 + 0.5 * size * density, reason,
                                  members=payers + payees))
    return found


def stacked_blocks(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """Stacks as AMLSim defines them ("stacked bipartite"): blocks of >= 2 payers x >= 2 payees
    (4 channels will do for one layer) where the payees of one block are the payers of the next,
    which starts at most `relay_hop_days` after the first ends; >= 2 blocks, sources and sinks
    apart, and what leaves the last layer is what entered the first less at most keep_min per layer.
    Score: depth (4 layers = full)."""
    found_blocks = {tuple(pos.tolist()): (payers, payees, pos)
                    for payers, payees, pos, _ in blocks(index, params, 2 * params.bipartite_min_side)}
    items = [found_blocks[key] for key in sorted(found_blocks)]
    if len(items) < 2:
        return []
    first = [int(index.ts[pos].min()) for _, _, pos in items]
    last = [int(index.ts[pos].max()) for _, _, pos in items]
    hop = params.relay_hop_days * DAY
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(items)))
    paid_by: dict[int, list[int]] = {}  # payer → blocks it pays in
    for j, (payers_j, _, _) in enumerate(items):
        for c in payers_j:
            paid_by.setdefault(c, []).append(j)
    for i, (_, payees_i, _) in enumerate(items):
        for j in sorted({j for c in payees_i for j in paid_by.get(c, ())}):
            payers_j = items[j][0]
            shared = len(set(payees_i) & set(payers_j))
            if i != j and shared >= 2 and shared >= 0.5 * len(payers_j) and first[i] <= first[j] <= last[i] + hop:
                graph.add_edge(i, j)
    found = []
    for component in sorted(nx.weakly_connected_components(graph), key=min):
        if len(component) < 2 or not nx.is_directed_acyclic_graph(sub := graph.subgraph(component)):
            continue
        layers = nx.dag_longest_path_length(sub) + 1
        heads = [i for i in component if sub.in_degree(i) == 0]
        tails = [i for i in component if sub.out_degree(i) == 0]
        sources = sorted({c for i in heads for c in items[i][0]})
        sinks = sorted({c for i in tails for c in items[i][1]})
        if set(sources) & set(sinks):
            continue
        # overlapping blocks (one layer seen from two windows) share transfers: count each once
        put_in = float(np.nansum(index.amount[np.unique(np.concatenate([items[i][2] for i in heads]))]))
        taken = float(np.nansum(index.amount[np.unique(np.concatenate([items[i][2] for i in tails]))]))
        kept = taken / put_in if put_in else 0.0
        if not params.relay_keep_min ** layers <= kept <= params.relay_keep_max:
            continue
        pos = np.unique(np.concatenate([items[i][2] for i in component]))
        members = sorted({c for i in component for c in (*items[i][0], *items[i][1])})
        reason = (f"{money(index, put_in)} from {len(sources)} payers went through {layers} layers of "
                  f"payers paying payees and {kept:.0%} of it reached {len(sinks)} channels within "
                  f"{span_days(index, pos):.1f} days")
        found.append(make_pattern(index, "stack", pos, 0.5 + 0.5 * min(1.0, layers / 4), reason, members=members))
    return found


def blocks(index: TransferIndex, params: PatternParams,
           min_members: int) -> list[tuple[list[int], list[int], np.ndarray, float]]:
    """(payers, payees, transfer positions, density) of every dense payer→payee block of at least
    ``min_members`` channels (computed once per index at the smallest size asked for)."""
    smallest = 2 * params.bipartite_min_side
    every = memo(index, ("blocks", params), lambda: _blocks(index, params, min(smallest, min_members)))
    return [b for b in every if len(b[0]) + len(b[1]) >= min_members]


# Windows are searched in groups of about this many transfers: every step below is per window, so the
# blocks found are the same, and 20M transfers never make their ~15 window-sized arrays at once.
WINDOW_GROUP_ROWS = 1 << 21


def _blocks(index: TransferIndex, params: PatternParams, min_members: int,
            group_rows: int = WINDOW_GROUP_ROWS) -> list[tuple[list[int], list[int], np.ndarray, float]]:
    if len(index) == 0:
        return []
    half = max(int(params.bipartite_window_days * DAY / 2), 1)
    # every transfer counts towards a window's degrees (a merchant's shoppers make it a hub there);
    # business hubs of the whole table (> fan_hub_degree counterparties: merchants paying their
    # suppliers, payrolls) are no block's members
    payees_of, payers_of = distinct_degrees(index)
    hub = (payees_of > params.fan_hub_degree) | (payers_of > params.fan_hub_degree)
    useful = np.flatnonzero((index.src != index.dst) & ~hub[index.src] & ~hub[index.dst])
    if not len(useful):
        return []
    # absolute epoch buckets (other traffic never moves a boundary); a transfer belongs to windows
    # `bucket - 1` and `bucket` (a window is two half-buckets). Positions are in time order, so the
    # buckets never decrease and a group of windows [lo, hi) reads one slice of ``useful``
    bucket = index.ts[useful] // half
    found: list[tuple[list[int], list[int], np.ndarray, float]] = []
    lo, last = int(bucket[0]) - 1, int(bucket[-1])
    while lo <= last:
        begin = int(np.searchsorted(bucket, lo, side="left"))
        hi = max(int(bucket[min(begin + group_rows, len(bucket) - 1)]), lo + 1)
        end = int(np.searchsorted(bucket, hi, side="right"))
        found += _window_blocks(index, params, min_members, useful[begin:end], bucket[begin:end], lo, hi)
        lo = hi
    return found


def _window_blocks(index: TransferIndex, params: PatternParams, min_members: int, useful: np.ndarray,
                   bucket: np.ndarray, lo: int, hi: int) -> list[tuple[list[int], list[int], np.ndarray, float]]:
    """The blocks of windows ``lo`` ≤ w < ``hi`` (``useful``: the transfers of buckets lo..hi, by position)."""
    nodes = len(index.nodes)
    pos = np.tile(useful, 2)
    win = np.concatenate([bucket - 1, bucket])
    inside = (win >= lo) & (win < hi)
    pos, win = pos[inside], win[inside] - lo
    if not len(pos):
        return []
    src, dst = index.src[pos], index.dst[pos]
    key = (win * nodes + src) * nodes + dst
    pair_key = unique_ints(key)
    p_win, p_src, p_dst = pair_key // (nodes * nodes), (pair_key // nodes) % nodes, pair_key % nodes

    by_payer = p_win * nodes + p_src  # sorted, as pair_key is
    # by (window, payee), then payer (the order a stable sort of (window, payee) gives, as pairs are
    # by payer there): one key per pair, so a plain sort does it
    by_payee_order = np.argsort((p_win * nodes + p_dst) * nodes + p_src)
    by_payee = (p_win * nodes + p_dst)[by_payee_order]

    def runs(k: np.ndarray) -> np.ndarray:
        """For a sorted key, the length of each element's run."""
        if not len(k):
            return np.zeros(0, dtype=np.int64)
        starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
        counts = np.diff(np.concatenate([starts, [len(k)]]))
        return np.repeat(counts, counts)

    def degrees(alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out_deg = np.zeros(len(pair_key), dtype=np.int64)
        in_deg = np.zeros(len(pair_key), dtype=np.int64)
        idx = np.flatnonzero(alive)
        out_deg[idx] = runs(by_payer[idx])
        live = alive[by_payee_order]
        in_deg[by_payee_order[live]] = runs(by_payee[live])
        return out_deg, in_deg

    cap = params.bipartite_max_degree
    # a hub's degree counts all its counterparties in the window, before any pruning
    out_deg, in_deg = degrees(np.ones(len(pair_key), dtype=bool))
    alive = (out_deg >= 2) & (in_deg >= 2) & (out_deg <= cap) & (in_deg <= cap)
    for _ in range(50):  # prune to the 2-core of the payer→payee graph per window
        if not alive.any():
            return []
        out_deg, in_deg = degrees(alive)
        drop = alive & ((out_deg < 2) | (in_deg < 2))
        if not drop.any():
            break
        alive &= ~drop
    a_win, a_src, a_dst = p_win[alive], p_src[alive], p_dst[alive]  # by (window, payer, payee)
    if not len(a_win):
        return []
    # the transfers of the live pairs (every key is one of pair_key), by window
    live = alive[np.searchsorted(pair_key, key)]
    by_win = np.argsort(win[live], kind="stable")
    l_win, l_src, l_dst, l_pos = win[live][by_win], src[live][by_win], dst[live][by_win], pos[live][by_win]
    # the blocks: connected components of each window's payer→payee graph (a payer or payee is a
    # (window, channel)), in window order, then by their lowest payer, as networkx listed them
    payer_ids, payer_of = np.unique(a_win * nodes + a_src, return_inverse=True)
    payee_ids, payee_of = np.unique(a_win * nodes + a_dst, return_inverse=True)
    n_payers = len(payer_ids)
    links = coo_matrix((np.ones(len(a_win), dtype=np.int8), (payer_of, n_payers + payee_of)),
                       shape=(n_payers + len(payee_ids),) * 2)
    n_blocks, block_of = connected_components(links, directed=False)
    lowest = np.full(n_blocks, n_payers, dtype=np.int64)
    np.minimum.at(lowest, block_of[:n_payers], np.arange(n_payers))  # every block has a payer
    by_block = np.argsort(block_of[payer_of], kind="stable")
    bounds = np.searchsorted(block_of[payer_of][by_block], np.arange(n_blocks + 1))
    found = []
    for b in np.argsort(lowest).tolist():
        pairs = by_block[bounds[b]:bounds[b + 1]]
        block = _peel(payer_of[pairs], payee_of[pairs], params, min_members)
        if block is None:
            continue
        payers = (payer_ids[block[0]] % nodes).tolist()  # ascending: one window, ids by channel
        payees = (payee_ids[block[1]] % nodes).tolist()
        if set(payers) & set(payees):
            continue
        w = int(payer_ids[block[0][0]] // nodes)
        first, last = np.searchsorted(l_win, [w, w + 1])
        w_src, w_dst, w_pos = l_src[first:last], l_dst[first:last], l_pos[first:last]
        mine = np.isin(w_src, payers) & np.isin(w_dst, payees)
        paid = unique_ints(w_src[mine] * nodes + w_dst[mine])  # distinct payer-payee pairs
        found.append((payers, payees, np.unique(w_pos[mine]), len(paid) / (len(payers) * len(payees))))
    return found


def _peel(payer: np.ndarray, payee: np.ndarray, params: PatternParams,
          min_members: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Drop the least connected channels until the block (its payer→payee pairs, as node numbers)
    is dense enough: (payers, payees) left, or None if it gets too small. Every channel of the
    lowest degree goes at once (which of equals goes first is no tie-break); a channel left with no
    pair still counts until the next round drops it (degree 0 is then the lowest)."""
    payers, payer = np.unique(payer, return_inverse=True)
    payees, payee = np.unique(payee, return_inverse=True)
    alive_p = np.ones(len(payers), dtype=bool)
    alive_q = np.ones(len(payees), dtype=bool)
    alive = np.ones(len(payer), dtype=bool)
    while True:
        n_p, n_q = int(alive_p.sum()), int(alive_q.sum())
        if n_p < params.bipartite_min_side or n_q < params.bipartite_min_side or n_p + n_q < min_members:
            return None
        if int(alive.sum()) >= params.bipartite_density * n_p * n_q:
            return payers[alive_p], payees[alive_q]
        deg_p = np.bincount(payer[alive], minlength=len(payers))
        deg_q = np.bincount(payee[alive], minlength=len(payees))
        low = int(np.concatenate([deg_p[alive_p], deg_q[alive_q]]).min())
        alive_p &= deg_p != low
        alive_q &= deg_q != low
        alive &= alive_p[payer] & alive_q[payee]
