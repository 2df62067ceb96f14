"""Cycles with known answers: any start, simultaneous hops, 2 to 12 hops, found once, the same under
row order and renamed channels, and a clique bomb that stops within its work budget and says so."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from graphbench.analytics.patterns import PatternParams, find_patterns

T0 = pd.Timestamp("2024-03-01T00:00:00Z")


def pc(name: str) -> str:
    return f"PaymentChannel:wallet:{name}"


def rows(hops: list[tuple[str, str, float, float]], prefix: str = "T") -> pd.DataFrame:
    """(from, to, amount, day) → a TRANSFERRED table."""
    return pd.DataFrame([{"start": pc(a), "end": pc(b), "tx_id": f"{prefix}{i:04d}", "amount": amount,
                          "currency": "USD", "ts": (T0 + pd.Timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                         for i, (a, b, amount, day) in enumerate(hops)])


def ring(names: list[str], amount: float = 5000.0, start_day: float = 0.0, step: float = 0.5,
         keep: float = 0.98) -> list[tuple[str, str, float, float]]:
    return [(names[i], names[(i + 1) % len(names)], amount * keep ** i, start_day + step * i)
            for i in range(len(names))]


def cycles_of(table: pd.DataFrame, **overrides) -> list:
    return find_patterns(table, kinds=["cycle"], params=replace(PatternParams(), **overrides))


def test_a_cycle_whose_earliest_hop_leaves_the_highest_named_channel() -> None:
    found = cycles_of(rows(ring(["zz", "aa", "bb", "cc"])))
    assert [set(p.members) for p in found] == [{pc("zz"), pc("aa"), pc("bb"), pc("cc")}]
    assert len(found[0].tx_ids) == 4


def test_hops_in_one_time_step_are_simultaneous_and_found_once() -> None:
    # day-resolution data: every hop of the ring is stamped with the same day
    found = cycles_of(rows(ring(["m1", "m2", "m3", "m4", "m5"], step=0.0)))
    assert len(found) == 1
    assert sorted(found[0].tx_ids) == [f"T{i:04d}" for i in range(5)]


def test_two_and_ten_and_twelve_hop_cycles_but_not_thirteen() -> None:
    table = pd.concat([rows(ring(["p", "q"]), "A"),
                       rows(ring([f"ten{i}" for i in range(10)], step=0.2, keep=0.99), "B"),
                       rows(ring([f"twelve{i}" for i in range(12)], step=0.2, keep=0.99), "C"),
                       rows(ring([f"thirteen{i}" for i in range(13)], step=0.2, keep=0.99), "D")],
                      ignore_index=True)
    sizes = sorted(len(p.members) for p in cycles_of(table))
    assert sizes == [2, 10, 12]


def test_hops_back_in_time_or_too_far_apart_are_not_a_cycle() -> None:
    backwards = [(a, b, amount, 10 - day) for a, b, amount, day in ring(["b1", "b2", "b3", "b4"], step=1)]
    slow = ring(["s1", "s2", "s3"], step=9.0)  # 9 days between hops, more than cycle_max_hop_days
    assert cycles_of(rows(backwards + slow)) == []


def test_two_laps_of_one_ring_are_two_cycles_and_overlapping_laps_one() -> None:
    names = ["l1", "l2", "l3"]
    table = rows(ring(names, start_day=0) + ring(names, start_day=30))
    assert len(cycles_of(table)) == 2


def _key(patterns: list, rename: dict[str, str] | None = None) -> set:
    back = {v: k for k, v in (rename or {}).items()}
    return {(frozenset(back.get(m, m) for m in p.members), frozenset(p.tx_ids), p.amount, p.first_ts, p.score)
            for p in patterns}


def test_row_order_and_channel_names_do_not_change_the_cycles() -> None:
    rng = np.random.default_rng(3)
    hops = ring(["c1", "c2", "c3", "c4"], step=0.0) + ring(["d1", "d2", "d3"], start_day=2, step=0.0)
    for _ in range(60):  # same-day noise among the ring's channels and others
        a, b = rng.choice(["c1", "c2", "c3", "c4", "d1", "x1", "x2", "x3"], size=2, replace=False)
        hops.append((str(a), str(b), float(rng.choice([4900.0, 5000.0, 4800.0])), float(rng.integers(0, 5))))
    table = rows(hops)
    found = cycles_of(table)
    assert found.complete  # (a search cut by a budget may differ: it says so)
    expected = _key(found)
    assert {frozenset({pc("d1"), pc("d2"), pc("d3")})} <= {k[0] for k in expected}
    shuffled = table.sample(frac=1, random_state=1).reset_index(drop=True)
    assert _key(cycles_of(shuffled)) == expected
    names = sorted({*table["start"], *table["end"]})
    rename = dict(zip(names, [f"PaymentChannel:wallet:{i:03d}" for i in rng.permutation(len(names))], strict=True))
    renamed = table.assign(start=table["start"].map(rename), end=table["end"].map(rename))
    assert _key(cycles_of(renamed), rename) == expected


def test_a_clique_of_200_channels_stops_within_its_work_budget_and_says_so() -> None:
    """issue 19.4: 39,800 time-ordered transfers between every pair of 200 channels."""
    n = 200
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    table = pd.DataFrame({
        "start": [pc(f"k{a}") for a, _ in pairs], "end": [pc(f"k{b}") for _, b in pairs],
        "tx_id": [f"K{i:06d}" for i in range(len(pairs))], "amount": 1000.0, "currency": "USD",
        "ts": (T0 + pd.to_timedelta(np.arange(len(pairs)) * 10, unit="s")).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    params = replace(PatternParams(), cycle_work_budget=50_000)
    found = find_patterns(table, kinds=["cycle"], params=params)
    assert not found.complete
    assert any("stopped early" in note for note in found.notes)
    # the budget is checked after each start, whose own steps are bounded too
    assert params.cycle_work_budget <= found.work["cycle"] <= (params.cycle_work_budget
                                                              + params.search_budget * 4 * params.max_candidates)
    assert 0 < len(found) <= params.cycle_max_found
    keys = [frozenset(p.tx_ids) for p in found]
    assert len(keys) == len(set(keys))


def test_an_unordered_ring_of_equal_parallel_payments_is_found_only_when_order_is_relaxed() -> None:
    """AMLSim's "unordered" cycle: each member pays the next on its own random day within the run,
    the same sum at every hop, paid as several equal transfers; a ring with a hop never paid is no
    cycle in either mode (most AMLSim rings in its 20K sample are like that: docs/typologies.md)."""
    names = ["u1", "u2", "u3", "u4", "u5"]
    days = [40.0, 3.0, 27.0, 11.0, 33.0]  # not in ring order
    hops = [(names[i], names[(i + 1) % 5], 16.09, days[i]) for i in range(5) for _ in range(1 + i % 3)]
    broken = [(f"v{i}", f"v{(i + 1) % 5}", 23.5, days[i]) for i in range(5) if i != 2]
    table = rows(hops + broken)
    # the time-respecting search alone (rings of one sum, which find both by default in traffic
    # where such sums are rare, are tested in test_typologies_rings.py)
    assert cycles_of(table, one_sum_rings=False) == []
    found = cycles_of(table, one_sum_rings=False, cycle_time_ordered=False, cycle_max_hop_days=60,
                      cycle_window_days=60)
    assert [set(p.members) for p in found] == [{pc(n) for n in names}]
    assert sorted(found[0].tx_ids) == [f"T{i:04d}" for i in range(len(hops))]  # every parallel copy
