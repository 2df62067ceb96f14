"""Typology searches cut into groups find what they find uncut.

So that 20M transfers never make their big arrays at once, ``bipartite._blocks`` searches the windows in
groups of about ``WINDOW_GROUP_ROWS`` transfers and ``relays.relay_episodes`` the channels in groups of
about ``CHANNEL_GROUP_ROWS`` transfer ends, and ``hops.successor_pairs_cut`` makes its candidate hops
``CANDIDATE_GROUP`` at a time; every step is per window / per channel, so any cut must give
the same blocks, episodes and stacks in the same order (data: benchmarks/typology_generator.py, planted
bipartite blocks, stacks and relays among background traffic).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from typology_generator import generate  # noqa: E402

from graphbench.analytics.trace import TransferIndex  # noqa: E402
from graphbench.analytics.typologies.bipartite import _blocks  # noqa: E402
from graphbench.analytics.typologies.params import PatternParams  # noqa: E402
from graphbench.analytics.typologies.relays import relay_episodes, stacks  # noqa: E402


def _index(size: str, seed: int) -> TransferIndex:
    t = generate(size, seed=seed).transactions
    return TransferIndex.from_frame(t.assign(start=t.from_type + ":" + t.from_id, end=t.to_type + ":" + t.to_id,
                                             ts=t.timestamp))


@pytest.mark.parametrize(("size", "seed", "days"), [("tiny", 3, 7.0), ("tiny", 5, 2.0), ("small", 3, 30.0)])
def test_any_cut_into_window_groups_finds_the_same_blocks(size: str, seed: int, days: float) -> None:
    index = _index(size, seed)
    params = PatternParams(bipartite_window_days=days)
    whole = _blocks(index, params, 4, group_rows=10**9)
    assert len(whole) >= 5  # the generator plants blocks: a cut that lost them would show
    for rows in (1, 37, 1000):
        cut = _blocks(index, params, 4, group_rows=rows)
        assert [(b[0], b[1], b[3]) for b in cut] == [(b[0], b[1], b[3]) for b in whole]
        assert all(np.array_equal(a[2], b[2]) for a, b in zip(cut, whole, strict=True))


@pytest.mark.parametrize(("size", "seed"), [("tiny", 3), ("small", 8)])
def test_any_cut_into_channel_groups_finds_the_same_relays_and_stacks(size: str, seed: int) -> None:
    index = _index(size, seed)
    params = PatternParams()
    whole = relay_episodes(index, params, group_rows=10**9)
    found = [p.to_dict() for p in stacks(index, whole, params)]
    assert len(whole.table) >= 20 and len(found) >= 2  # planted relays and stacks
    assert whole.table["relay"].all() and (whole.out_episode >= 0).any() and (whole.in_episode >= 0).any()
    for rows in (1, 50, 2_000):
        cut = relay_episodes(index, params, group_rows=rows)
        assert cut.table.equals(whole.table)
        assert np.array_equal(cut.out_episode, whole.out_episode) and np.array_equal(cut.in_episode, whole.in_episode)
        assert [p.to_dict() for p in stacks(index, cut, params)] == found


@pytest.mark.parametrize("window", [3.0, 150.0])
def test_candidate_hops_made_in_slices_are_the_hops_made_at_once(window: float, monkeypatch) -> None:
    from graphbench.analytics.typologies import hops

    index = _index("small", 8)
    whole = hops.successor_pairs_cut(index, window, 0.1, 0.05, 32, window < 100, 8_000_000)
    assert len(whole[0]) > 1000
    for group in (1, 997):
        monkeypatch.setattr(hops, "CANDIDATE_GROUP", group)
        cut = hops.successor_pairs_cut(index, window, 0.1, 0.05, 32, window < 100, 8_000_000)
        assert np.array_equal(cut[0], whole[0]) and np.array_equal(cut[1], whole[1]) and cut[2] == whole[2]
