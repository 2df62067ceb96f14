"""Structuring: runs of just-under-threshold transfers from one source (or to one target).

Amounts are the index's base-currency amounts, so a threshold in USD applies to every currency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
        frame = pd.DataFrame({"center": codes[under], "pos": under, "ts": index.ts[under]})
        for center, group in frame.groupby("center", sort=True):
            if len(group) < m:
                continue
            times = group["ts"].to_numpy()
            run = np.concatenate([[0], np.cumsum(np.diff(times) > window)])
            for _, chunk in group.groupby(run):
                if len(chunk) < m:
                    continue
                pos = chunk["pos"].to_numpy()
                others = index.dst[pos] if side == "source" else index.src[pos]
                total = float(np.nansum(index.amount[pos]))
                reason = (f"{len(pos)} transfers of just under {money(index, params.reporting_threshold)} "
                          f"{'from' if side == 'source' else 'to'} {index.nodes[center]}, "
                          f"{money(index, total)} in {span_days(index, pos):.1f} days")
                found.append(make_pattern(index, "structuring", pos, min(1.0, len(pos) / (3 * m)), reason,
                                          center=int(center), members=list(np.unique(others))))
    return found
