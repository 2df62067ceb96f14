"""Cycles: money that goes round and comes back, 2..12 hops, from any start, time-respecting.

A cycle is a sequence of transfers t1 … tk where each one leaves the channel the previous one
reached, the last returns to where t1 left, no channel is visited twice, times never decrease
(equal time steps are simultaneous), each hop is at most `cycle_max_hop_days` after the previous
one, all of it within `cycle_window_days`, and each hop passes on (1 - decay)..(1 + growth) of the
previous amount. A search starts from every transfer, so a cycle is found whichever hop is its
earliest and whatever its channels are called; it is reported once, by its set of transfers.

Work is bounded three ways (issue 19.4): at most `max_candidates` predecessors per transfer (the
nearest in time, whole time steps kept together), `search_budget` DFS steps per start and
`cycle_work_budget` candidate hops in total. When a bound cuts the search the result says so.
"""

from __future__ import annotations

import numpy as np

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies.base import DAY, Pattern, channel_life, make_pattern, money, span_days
from graphbench.analytics.typologies.hops import successor_pairs_cut
from graphbench.analytics.typologies.params import PatternParams


def cycles(index: TransferIndex, params: PatternParams) -> tuple[list[Pattern], list[str], int]:
    """Every cycle within the bounds, notes on any bound that cut the search, and the work spent
    (candidate hops examined).
    Score: 0.5 + half the share of the largest hop that the smallest one still carries."""
    pred, succ, tie_cut = successor_pairs_cut(
        index, params.cycle_max_hop_days, params.hop_amount_decay, params.hop_amount_growth,
        params.max_candidates, params.cycle_time_ordered, params.max_pairs)
    notes = [f"cycle: more than {params.max_pairs:,} candidate hops; simultaneous transfers at the "
             "candidate cut were split by position"] if tie_cut else []
    # parallel copies (same sender, receiver, time and amount: AMLSim pays each hop in several equal
    # transfers) are one hop to the search and all belong to the ring found; canonical order puts
    # them side by side
    n = len(index)
    copy = np.zeros(n, dtype=bool)
    copy[1:] = ((index.src[1:] == index.src[:-1]) & (index.dst[1:] == index.dst[:-1])
                & (index.ts[1:] == index.ts[:-1]) & (index.amount[1:] == index.amount[:-1]))
    if copy.any():
        keep = ~copy[pred] & ~copy[succ]
        pred, succ = pred[keep], succ[keep]
    has_copies = bool(copy.any())
    heads = np.append(np.flatnonzero(~copy), n)  # where each run of parallel copies starts; n closes the last
    if not len(pred):
        return [], notes, 0
    # the search runs over the transfers the candidate hops touch, renumbered 0.. in position order (so
    # every order below is the positions' order), read from numpy as Python numbers where the walk goes:
    # the work budget stops it long before 20M transfers' worth of Python lists would be used
    touched = np.zeros(n, dtype=bool)
    touched[pred] = True
    touched[succ] = True
    used = np.flatnonzero(touched)
    renumber = np.cumsum(touched) - 1
    del touched
    pred, succ = renumber[pred], renumber[succ]
    del renumber
    # the pairs come by successor (successor_pairs_cut makes them so): a stable sort by predecessor
    # is the (pred, succ) order
    nexts = succ[np.argsort(pred, kind="stable")]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(pred, minlength=len(used)))])
    del pred, succ
    window = int(params.cycle_window_days * DAY)
    src_of, dst_of, ts_of, amount_of = index.src[used], index.dst[used], index.ts[used], index.amount[used]
    # transfers between each pair of channels, either way: a 2-hop cycle between two channels that
    # also trade otherwise is their routine (friends settling up), not a ring
    n_nodes = len(index.nodes)
    keys, counts = np.unique(np.minimum(index.src, index.dst) * n_nodes + np.maximum(index.src, index.dst),
                             return_counts=True)
    pair_count = dict(zip(keys[counts > 2].tolist(), counts[counts > 2].tolist(), strict=True))
    # ... and between two channels with a life of their own, settling up is everyday: a 2-hop cycle
    # needs a channel whose whole life is within one cycle window (a mule made for it)
    first_seen, last_seen = channel_life(index)
    fresh = ((last_seen - first_seen) <= window).tolist()
    max_len, min_len = params.cycle_max_length, params.cycle_min_length
    seen: set[tuple[int, ...]] = set()
    rings: list[tuple[int, ...]] = []
    work, cut_starts, stopped = 0, 0, False
    for start in np.flatnonzero(np.diff(ptr) > 0):
        first = int(start)
        home, t_first, first_to, first_amount = (int(src_of[first]), int(ts_of[first]), int(dst_of[first]),
                                                 float(amount_of[first]))
        stack: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [(first, (first,), (home, first_to))]
        steps = 0
        while stack:
            if steps >= params.search_budget:
                cut_starts += 1
                break
            steps += 1
            last, path, visited = stack.pop()
            candidates = nexts[ptr[last]:ptr[last + 1]].tolist()
            work += len(candidates)
            for nxt in candidates:
                t_next = int(ts_of[nxt])
                if abs(t_next - t_first) > window:
                    continue
                if params.cycle_time_ordered and t_next < t_first:
                    continue
                to = int(dst_of[nxt])
                if to == home:
                    if len(path) == 1 and (abs(float(amount_of[nxt]) / first_amount - 1) <= params.cycle_refund_band
                                           or pair_count.get(min(home, first_to) * n_nodes
                                                             + max(home, first_to), 0) > 2
                                           or not (fresh[home] or fresh[first_to])):
                        continue  # a refund, a repaid loan, or two who trade routinely: not a ring
                    if len(path) + 1 >= min_len:
                        key = tuple(sorted(path + (nxt,)))
                        if key not in seen:
                            seen.add(key)
                            rings.append(key)
                    continue
                if to in visited or len(path) + 1 >= max_len:
                    continue
                stack.append((nxt, path + (nxt,), visited + (to,)))
        if work >= params.cycle_work_budget or len(rings) >= params.cycle_max_found:
            stopped = True
            break
    if stopped:
        notes.append(f"cycle: stopped early after {work:,} candidate hops and {len(rings):,} cycles "
                     f"(budgets: {params.cycle_work_budget:,} hops, {params.cycle_max_found:,} cycles); "
                     "the cycles found so far are reported")
    if cut_starts:
        notes.append(f"cycle: {cut_starts:,} start transfers reached the per-start budget "
                     f"({params.search_budget:,} steps); cycles through them may be missing")
    rings = [tuple(used[list(ring)].tolist()) for ring in rings]  # renumbering is monotone: still sorted
    if has_copies:  # each ring transfer stands for its run of copies: [x, the next run's start)
        rings = [tuple(q for x in ring for q in range(x, int(heads[np.searchsorted(heads, x, side="right")])))
                 for ring in rings]
    return [_ring_pattern(index, ring) for ring in _laps(index, rings)], notes, work


def _laps(index: TransferIndex, rings: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Cycles over the same channels that share a transfer are one (the laps of one ring mixed);
    disjoint laps stay apart. Grouped by channel set, unions over shared transfers."""
    by_nodes: dict[tuple[int, ...], list[int]] = {}
    for i, ring in enumerate(rings):
        pos = np.asarray(ring)
        by_nodes.setdefault(tuple(sorted(set(index.src[pos].tolist()))), []).append(i)
    merged: list[tuple[int, ...]] = []
    for members in by_nodes.values():
        groups: list[set[int]] = []
        for i in members:
            joined = set(rings[i])
            touching = [g for g in groups if g & joined]
            for g in touching:
                joined |= g
                groups.remove(g)
            groups.append(joined)
        merged.extend(tuple(sorted(g)) for g in groups)
    return sorted(merged)


def _ring_pattern(index: TransferIndex, ring: tuple[int, ...]) -> Pattern:
    pos = np.asarray(ring, dtype=np.int64)
    amounts = index.amount[pos]
    kept = float(np.nanmin(amounts) / np.nanmax(amounts)) if np.nanmax(amounts) > 0 else 0.0
    nodes = sorted(set(index.src[pos].tolist()))
    hops = len(pos) if len(pos) == len(nodes) else f"{len(pos)} transfers over {len(nodes)}"
    reason = (f"money went round {len(nodes)} channels ({hops} hops) in {span_days(index, pos):.1f} days, "
              f"{money(index, float(np.nanmax(amounts)))} at the start and {kept:.0%} of it still moving at "
              "the end")
    # no centre: which hop is "first" among simultaneous ones would be a tie-break
    return make_pattern(index, "cycle", pos, 0.5 + 0.5 * min(kept, 1.0), reason, members=nodes)
