"""Fans and bursts: fan_in, fan_out and gather_scatter.

A fan is a burst: >= k distinct counterparties at one centre inside a window, several times what
the centre's own rate around the window predicts (steady hubs are busy, not bursting; a fresh
channel with no traffic around predicts 0 and so is never exempt), and not the centre's routine
(a payroll run pays the same people every month; smurfs are one-off hands).
Windows are chosen by time only (a window starts at the first transfer of its time step), so no
tie-break between simultaneous transfers changes a result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies.base import DAY, Pattern, distinct_degrees, make_pattern, memo, money, span_days
from graphbench.analytics.typologies.params import PatternParams


@dataclass
class Burst:
    center: int
    positions: np.ndarray  # transfers in the window
    counterparts: np.ndarray  # distinct counterpart codes
    ratio: float  # distinct counterparts / count expected from the centre's rate outside the window


def bursts(index: TransferIndex, incoming: bool, k: int, window_days: float, params: PatternParams,
           amount_tolerance: float | None = None) -> list[Burst]:
    """Non-overlapping windows where >= k distinct one-off counterparties hit one centre in a burst
    (fans and gather-scatter ask for the same ones: computed once per index)."""
    return memo(index, ("bursts", incoming, k, window_days, params, amount_tolerance),
                lambda: _bursts(index, incoming, k, window_days, params, amount_tolerance))


def _bursts(index: TransferIndex, incoming: bool, k: int, window_days: float, params: PatternParams,
            amount_tolerance: float | None) -> list[Burst]:
    ptr, order, times = (index.in_ptr, index.in_order, index.in_ts) if incoming else \
        (index.out_ptr, index.out_order, index.out_ts)
    counterpart = index.src if incoming else index.dst
    # transfers with a business hub (an escrow paying thousands, a merchant paid by thousands) are
    # neither smurfs nor mules: they count neither in a burst nor in the rate it is measured against
    business = hubs(index, params.fan_hub_degree, paying=incoming)[counterpart[order]]
    if business.any():
        centres_all = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
        order, times = order[~business], times[~business]
        ptr = np.concatenate([[0], np.cumsum(np.bincount(centres_all[~business], minlength=len(ptr) - 1))])
    if not len(order):
        return []
    window = int(window_days * DAY)
    baseline = int(params.burst_baseline_days * DAY)
    centers = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    t0, t1 = int(index.ts.min()), int(index.ts.max())
    key = centers * (t1 - t0 + 2 * (window + baseline) + 1) + (times - t0 + window + baseline)
    # every window starts at the first transfer of its time step: simultaneous ones are all in
    firsts = np.searchsorted(key, key, side="left")
    ends = np.searchsorted(key, key + window, side="right")
    counts = ends - firsts
    # only a window that starts a time step and holds >= k transfers can pass (distinct
    # counterparts <= transfers): everything below is computed at those anchors alone, the rest
    # of a steady hub's transfers cost nothing (values elsewhere are never read)
    anchor = np.flatnonzero((firsts == np.arange(len(key))) & (counts >= k))
    a_key, a_counts = key[anchor], counts[anchor]
    # the centre's own rate in the `baseline` days either side of the window (local, so a channel
    # whose business grows or has seasons is compared with its own recent past); near the ends of
    # the data only part of the baseline exists: divide by the part that does
    around_lo = np.zeros(len(key), dtype=np.int64)
    around_hi = np.zeros(len(key), dtype=np.int64)
    around_lo[anchor] = np.searchsorted(key, a_key - baseline, side="left")
    around_hi[anchor] = np.searchsorted(key, a_key + window + baseline, side="right")
    # near the ends of the channel's own observed life only part of the baseline exists: divide by
    # the part that does (its own life, not the table's span, so unrelated traffic elsewhere in
    # time changes nothing)
    sizes = np.diff(ptr)
    own = centers[anchor]
    life_lo = times[ptr[:-1][own]].astype(np.int64)
    life_hi = times[ptr[1:][own] - 1].astype(np.int64)
    anchor_ts = times[anchor].astype(np.int64)
    covered = (np.minimum(anchor_ts + window + baseline, life_hi) - np.maximum(anchor_ts - baseline, life_lo)
               - window)
    a_expected = (around_hi[anchor] - around_lo[anchor] - a_counts) * window / np.maximum(covered, window)
    # a local baseline of 0 on a channel that does trade, just not in these weeks, is noise: its
    # whole-life rate outside the window is the floor (a fresh channel's is 0 too)
    total = sizes[own]
    a_expected = np.maximum(a_expected, (total - a_counts) * window / np.maximum(life_hi - life_lo - window, window))
    expected = np.zeros(len(key))
    expected[anchor] = a_expected
    # the tests below use the rate over the burst's own span s (at least a day). Vectorised bound:
    # for s in (s_i, s_i+1] of the grid 1, 2, 4, … days, the count is at most the count over s_i+1
    # and the expected count at least the rate times s_i; an anchor no grid step can pass is dropped
    # (the Poisson tail only where the cheap tests pass and no earlier step passed already)
    rate = a_expected / window
    a_hopeful = np.zeros(len(anchor), dtype=bool)
    spans = [DAY * 2 ** i for i in range(8) if DAY * 2 ** i < window] + [window]
    for low, high in zip([DAY, *spans[:-1]], spans, strict=True):
        upto = np.searchsorted(key, a_key + high, side="right") - firsts[anchor]
        lam = rate * low
        ask = np.flatnonzero(~a_hopeful & (upto >= k) & (upto >= params.burst_factor * lam))
        a_hopeful[ask] = _chance(upto[ask], lam[ask]) <= params.burst_p_value
    hopeful = np.zeros(len(key), dtype=bool)
    hopeful[anchor[a_hopeful]] = True
    found: list[Burst] = []
    for c in np.unique(centers[hopeful]).tolist():
        a, b = int(ptr[c]), int(ptr[c + 1])
        cps = counterpart[order[a:b]]
        anchors = np.flatnonzero(hopeful[a:b])
        next_free = 0
        for i in anchors.tolist():
            if i < next_free:
                continue
            # a stretch whose counterparties are mostly the centre's routine (a payroll run) is
            # skipped before any window is weighed: the final test below would drop it anyway
            stretch = np.unique(cps[i:int(ends[a + i] - a)])
            lo, hi = int(around_lo[a + i] - a), int(around_hi[a + i] - a)
            if np.isin(stretch, np.concatenate([cps[lo:i], cps[int(ends[a + i] - a):hi]])).mean() >= params.routine_share:
                next_free = int(ends[a + i] - a)
                continue
            # the most significant window among the hopeful anchors overlapping this one
            best = _best_window(cps, times[a:b], anchors[(anchors >= i) & (anchors < ends[a + i] - a)],
                                ends[a:b] - a, expected[a:b] / window, k)
            if best is None:
                next_free = int(ends[a + i] - a)
                continue
            start, stop, best_d, lam = best
            next_free = stop
            ratio = best_d / lam if lam > 0 else float("inf")
            if ratio < params.burst_factor or _chance(best_d, lam) > params.burst_p_value:
                continue
            positions = order[a + start:a + stop]
            if amount_tolerance is not None:
                amounts = index.amount[positions]
                median = float(np.median(amounts))
                positions = positions[np.abs(amounts - median) <= amount_tolerance * median]
            members = np.unique(counterpart[positions])
            if len(members) < k:
                continue
            # routine: counterparties that also dealt with the centre around the window
            lo, hi = int(around_lo[a + start] - a), int(around_hi[a + start] - a)
            around = np.concatenate([cps[lo:start], cps[stop:hi]])
            if np.isin(members, around).mean() >= params.routine_share:
                continue
            found.append(Burst(c, positions, members, ratio))
    return found


def hubs(index: TransferIndex, degree: int, paying: bool) -> np.ndarray:
    """Per node code: True for channels that pay (``paying``) or are paid by more than ``degree``
    distinct others in the whole table."""
    payees, payers = distinct_degrees(index)
    return (payees if paying else payers) > degree


def _best_window(cps: np.ndarray, times: np.ndarray, anchors: np.ndarray, ends: np.ndarray,
                 rates: np.ndarray, k: int) -> tuple[int, int, int, float] | None:
    """(start, stop, distinct, expected) of the least likely window starting at one of ``anchors``
    and ending at the end of a time step within its window: the burst's own span, not the longest
    window, is what its rate is measured over (a stray payment next to a burst does not hide it)."""
    best: tuple[float, int, int, int, float] | None = None  # (p, -distinct, start, -stop, expected)
    for j in anchors.tolist():
        stop = int(ends[j])
        window_cps = cps[j:stop]
        # distinct counterparties so far, at each transfer of the window (first sightings, cumulated)
        _, first_seen = np.unique(window_cps, return_index=True)
        new = np.zeros(len(window_cps), dtype=np.int64)
        new[first_seen] = 1
        distinct = np.cumsum(new)
        t = times[j:stop]
        # a window ends only at the end of a time step
        closes = np.ones(len(t), dtype=bool)
        closes[:-1] = t[1:] != t[:-1]
        ok = closes & (distinct >= k)
        if not ok.any():
            continue
        lam = float(rates[j]) * np.maximum((t - t[0]).astype(np.float64), DAY)
        chance = np.asarray(_chance(distinct, lam))
        # least likely first, then most counterparties, then the longest window
        e = int(np.lexsort((-np.arange(len(t)), -distinct, np.where(ok, chance, np.inf)))[0])
        key = (float(chance[e]), -int(distinct[e]), j, -(j + e + 1), float(lam[e]))
        best = key if best is None or key < best else best
    return None if best is None else (best[2], -best[3], -best[1], best[4])


def _chance(observed: np.ndarray | int, expected: np.ndarray | float) -> np.ndarray | float:
    """P(X >= observed) for X ~ Poisson(expected): how often the channel's own rate gives this many
    by chance (0 when it has no traffic around the window)."""
    return gammainc(np.maximum(observed, 1), np.maximum(expected, 0.0))


def _rate(ratio: float) -> str:
    return "with no such traffic in the weeks around" if ratio == float("inf") else f"{ratio:.0f}x its usual rate"


def fans(index: TransferIndex, params: PatternParams, incoming: bool) -> list[Pattern]:
    """Score: half from how many counterparties (2k = full), half from how bursty (10x = full)."""
    kind = "fan_in" if incoming else "fan_out"
    k = params.fan_min_counterparties
    out = []
    for burst in bursts(index, incoming, k, params.fan_window_days, params, params.fan_amount_tolerance):
        total = float(np.nansum(index.amount[burst.positions]))
        who = "payers sent" if incoming else "payees received"
        centre = index.nodes[burst.center]
        reason = (f"{len(burst.counterparts)} {who} {money(index, total)} {'to' if incoming else 'from'} "
                  f"{centre} within {span_days(index, burst.positions):.1f} days, {_rate(burst.ratio)}")
        score = 0.5 * min(1.0, len(burst.counterparts) / (2 * k)) + 0.5 * min(1.0, burst.ratio / 10)
        out.append(make_pattern(index, kind, burst.positions, score, reason, center=burst.center,
                                members=list(burst.counterparts)))
    return out


def gather_scatter(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """In-burst then out-burst at one centre passing on keep_min..keep_max of what came in.
    Score: the share passed on, times how full both sides are (2k each = full)."""
    k = params.gs_min_counterparties
    ins = bursts(index, True, k, params.gs_window_days, params)
    outs_at: dict[int, list[Burst]] = {}
    for burst in bursts(index, False, k, params.gs_window_days, params):
        outs_at.setdefault(burst.center, []).append(burst)
    delay = params.gs_max_delay_days * DAY
    found = []
    for gather in ins:
        g_first, g_last = index.ts[gather.positions[0]], index.ts[gather.positions[-1]]
        for scatter in outs_at.get(gather.center, []):
            s_first = index.ts[scatter.positions[0]]
            if not g_first <= s_first <= g_last + delay:
                continue
            got = float(np.nansum(index.amount[gather.positions]))
            kept = float(np.nansum(index.amount[scatter.positions])) / got if got else 0.0
            if not params.relay_keep_min <= kept <= params.relay_keep_max:
                continue
            fullness = min(1.0, len(gather.counterparts) / (2 * k)) * min(1.0, len(scatter.counterparts) / (2 * k))
            positions = np.concatenate([gather.positions, scatter.positions])
            reason = (f"{len(gather.counterparts)} payers sent {money(index, got)} to {index.nodes[gather.center]}, "
                      f"which paid {kept:.0%} of it on to {len(scatter.counterparts)} others within "
                      f"{span_days(index, positions):.1f} days")
            found.append(make_pattern(index, "gather_scatter", positions, 0.5 + 0.5 * fullness * min(kept, 1.0),
                                      reason, center=gather.center,
                                      members=list(gather.counterparts) + list(scatter.counterparts)))
            break
    return found
