"""Structuring: runs of just-under-threshold transfers from one source (or to one target).

Amounts are the index's base-currency amounts, so a threshold in USD applies to every currency.
"""

from __future__ import annotations

import numpy as np

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies.base import DAY, Pattern, make_pattern, money, span_days
from graphbench.analytics.typologies.params import PatternParams


def structuring(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """Each transfer within the window of the previous one. Score: how many (3x the minimum = full)."""
    low = params.reporting_threshold * (1 - params.structuring_band)
    under = np.flatnonzero((index.amount >= low) & (index.amount < params.reporting_threshold))
    if not len(under):
        return []
    window = params.structuring_window_days * DAY
    m = params.structuring_min_count
    found = []
    for side, codes in (("source", index.src), ("target", index.dst)):
        # per centre in time (positions are in time order), cut where a gap exceeds the window
        order = under[np.argsort(codes[under], kind="stable")]
        centre, times = codes[order], index.ts[order]
        cut = np.ones(len(order), dtype=bool)
        cut[1:] = (centre[1:] != centre[:-1]) | (np.diff(times) > window)
        starts = np.flatnonzero(cut)
        stops = np.append(starts[1:], len(order))
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
            if b - a < m:
                continue
            center = centre[a]
            pos = order[a:b]
            others = index.dst[pos] if side == "source" else index.src[pos]
            total = float(np.nansum(index.amount[pos]))
            reason = (f"{len(pos)} transfers of just under {money(index, params.reporting_threshold)} "
                      f"{'from' if side == 'source' else 'to'} {index.nodes[center]}, "
                      f"{money(index, total)} in {span_days(index, pos):.1f} days")
            found.append(make_pattern(index, "structuring", pos, min(1.0, len(pos) / (3 * m)), reason,
                                      center=int(center), members=list(np.unique(others))))
    return found
