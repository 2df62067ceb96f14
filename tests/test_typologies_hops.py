"""Successor hops (typologies/hops.py) and the shared helpers of base.py, on tables with known answers,
and the same pairs as the earlier implementation (kept here as the reference) on random traffic with
hubs and ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies import hops
from graphbench.analytics.typologies.base import DAY, channel_life, unique_ints

T0 = pd.Timestamp("2024-03-01T00:00:00Z")


def table(rows: list[tuple[str, str, float, float, str]]) -> pd.DataFrame:
    """(from, to, amount, hours after T0, tx_id) → a TRANSFERRED table."""
    return pd.DataFrame([{"start": a, "end": b, "tx_id": tx, "amount": amount, "currency": "USD",
                          "ts": (T0 + pd.Timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                         for a, b, amount, h, tx in rows])


def pairs(index: TransferIndex, *args: object) -> set[tuple[str, str]]:
    pred, succ = hops.successor_pairs(index, *args)
    return {(str(index.tx_id[p]), str(index.tx_id[s])) for p, s in zip(pred.tolist(), succ.tolist(), strict=True)}


def test_money_in_then_out_within_the_gap_and_the_amount_band() -> None:
    index = TransferIndex.from_frame(table([
        ("A", "M", 100.0, 0, "in"),
        ("M", "B", 90.0, 1, "kept 90 %"),
        ("M", "C", 50.0, 2, "half: outside the band"),
        ("M", "D", 95.0, 24 * 8, "eight days later: outside the gap"),
        ("M", "E", 99.0, -1, "before the money came"),
        ("X", "Y", 100.0, 1, "another channel"),
    ]))
    assert pairs(index, 7.0, 0.2, 0.02, 32) == {("in", "kept 90 %")}
    # not time-ordered: a hop may come first, within the gap either side
    assert pairs(index, 7.0, 0.2, 0.02, 32, False) == {("in", "kept 90 %"), ("in", "before the money came")}


def test_simultaneous_transfers_at_the_candidate_cut_are_kept_together() -> None:
    # three ins at the same hour, one out after them: a cut of 2 keeps the whole time step
    index = TransferIndex.from_frame(table([("A", "M", 100.0, 0, "a"), ("B", "M", 100.0, 0, "b"),
                                            ("C", "M", 100.0, 0, "c"), ("M", "Z", 95.0, 1, "out")]))
    assert pairs(index, 7.0, 0.2, 0.02, 2) == {("a", "out"), ("b", "out"), ("c", "out")}


def random_index(seed: int, n: int = 3000) -> TransferIndex:
    """Random traffic with hubs, repeated amounts and many equal time steps (day resolution)."""
    rng = np.random.default_rng(seed)
    nodes = np.array([f"PaymentChannel:wallet:c{i}" for i in range(150)], dtype=object)
    senders = np.where(rng.random(n) < 0.7, rng.integers(0, 150, n), rng.zipf(1.5, n) % 150)
    days = pd.to_datetime("2024-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    return TransferIndex.from_frame(pd.DataFrame({
        "start": nodes[senders], "end": nodes[rng.integers(0, 150, n)], "tx_id": [f"t{i}" for i in range(n)],
        "amount": rng.choice([100.0, 95.0, 90.0, 250.0, 80.0], n), "currency": "USD",
        "ts": days.strftime("%Y-%m-%dT%H:%M:%SZ")}))


def reference_pairs_cut(index: TransferIndex, max_gap_days: float, decay: float, growth: float,
                        max_candidates: int, time_ordered: bool = True,
                        max_pairs: int | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """The successor hops as cycles.py computed them before hops.py (numpy searchsorted over unsorted
    queries): the independent reference hops.py must agree with."""
    n = len(index)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), False
    gap = int(max_gap_days * DAY)
    t0 = int(index.ts.min())
    scale = int(index.ts.max()) - t0 + 2 * gap + 1
    in_key = index.dst[index.in_order] * scale + (index.in_ts - t0 + gap)
    base = index.src * scale + (index.ts - t0 + gap)
    lo = np.searchsorted(in_key, base - gap, side="left")
    hi = np.searchsorted(in_key, base + (gap if not time_ordered else 0), side="right")
    strict_lo, strict_hi = lo, hi
    if time_ordered:
        over = hi - lo > max_candidates
        edge = in_key[np.clip(hi - max_candidates, 0, len(in_key) - 1)]
        strict_lo = np.where(over, hi - max_candidates, lo)
        lo = np.where(over, np.searchsorted(in_key, edge, side="left"), lo)
    else:  # nearest in time on both sides
        half = max(max_candidates // 2, 1)
        mid = np.searchsorted(in_key, base, side="left")
        left = np.maximum(lo, mid - half)
        right = np.minimum(hi, mid + half)
        strict_lo, strict_hi = left, right
        lo = np.where(left > lo, np.searchsorted(in_key, in_key[np.clip(left, 0, len(in_key) - 1)], "left"), lo)
        hi = np.where(right < hi, np.searchsorted(in_key, in_key[np.clip(right - 1, 0, len(in_key) - 1)],
                                                  "right"), hi)
    cut = False
    if max_pairs is not None and int(np.maximum(hi - lo, 0).sum()) > max_pairs:
        lo, hi, cut = strict_lo, strict_hi, True
    counts = np.maximum(hi - lo, 0)
    succ = np.repeat(np.arange(n), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    pred = index.in_order[np.repeat(lo, counts) + offsets]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = index.amount[succ] / index.amount[pred]
    keep = (ratio >= 1 - decay) & (ratio <= 1 + growth) & (pred != succ)
    return pred[keep], succ[keep], cut


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("settings", [(7.0, 0.2, 0.02, 32, True, None), (7.0, 0.15, 0.05, 32, True, None),
                                      (20.0, 0.05, 0.05, 6, False, None), (7.0, 0.2, 0.02, 3, True, 500),
                                      (20.0, 0.05, 0.05, 3, False, 500)])
def test_the_same_pairs_as_the_reference(seed: int, settings: tuple) -> None:
    index = random_index(seed)
    expected = reference_pairs_cut(index, *settings)
    got = hops.successor_pairs_cut(index, *settings)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    assert got[2] == expected[2]
    if settings[-1] is not None:
        assert got[2], "the pair bound should have cut here: the test would prove less"


def test_channel_life_and_unique_ints() -> None:
    index = random_index(2)
    first = np.full(len(index.nodes), np.iinfo(np.int64).max)
    last = np.full(len(index.nodes), np.iinfo(np.int64).min)
    for ends in (index.src, index.dst):
        np.minimum.at(first, ends, index.ts)
        np.maximum.at(last, ends, index.ts)
    life = channel_life(index)
    assert np.array_equal(life[0], first) and np.array_equal(life[1], last)
    keys = np.random.default_rng(3).integers(-10**12, 10**12, 5000)
    keys = np.concatenate([keys, keys[:100]])
    assert np.array_equal(unique_ints(keys), np.unique(keys))
    assert unique_ints(np.array([7])).tolist() == [7] and unique_ints(np.array([], dtype=np.int64)).tolist() == []
