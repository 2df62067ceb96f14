"""Rings of one sum (AMLSim's unordered rings, open or closed) with known answers: found in any
time order and whatever the channels are called, open rings reported, not 2-hop pass-throughs,
not amounts that everyone pays, not sums that change from hop to hop, and reported once when the
time-respecting search also finds the ring."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from graphbench.analytics.patterns import PatternParams, find_patterns

T0 = pd.Timestamp("2024-03-01T00:00:00Z")


def pc(name: str) -> str:
    return f"PaymentChannel:bank_account:{name}"


def background(seed: int = 3, channels: int = 400, transfers: int = 3000) -> list[tuple[str, str, float, float]]:
    """Random payments between ordinary channels, random cents, over 150 days."""
    rng = np.random.default_rng(seed)
    a = rng.integers(channels, size=transfers)
    b = (a + 1 + rng.integers(channels - 1, size=transfers)) % channels
    amounts = np.round(rng.uniform(150, 600, size=transfers), 2)
    days = rng.uniform(0, 150, size=transfers)
    return [(f"n{x}", f"n{y}", float(v), float(d)) for x, y, v, d in zip(a, b, amounts, days, strict=True)]


def table(hops: list[tuple[str, str, float, float]], currency: str = "USD") -> pd.DataFrame:
    return pd.DataFrame([{"start": pc(a), "end": pc(b), "tx_id": f"T{i:05d}", "amount": amount,
                          "currency": currency, "ts": (T0 + pd.Timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                         for i, (a, b, amount, day) in enumerate(hops)])


def cycles(frame: pd.DataFrame, **overrides) -> list:
    return find_patterns(frame, kinds=["cycle"], params=replace(PatternParams(), **overrides))


def unordered_ring(names: list[str], amount: float, days: list[float], copies: int = 1,
                   unpaid: set[int] = frozenset()) -> list[tuple[str, str, float, float]]:
    """Each member pays the next ``amount`` (``copies`` equal transfers) on its own day; hops in
    ``unpaid`` never happen."""
    return [(names[i], names[(i + 1) % len(names)], amount, days[i])
            for i in range(len(names)) if i not in unpaid for _ in range(copies)]


RING = ["r1", "r2", "r3", "r4", "r5"]
DAYS = [90.0, 12.0, 133.0, 40.0, 71.0]  # no time order: money cannot go round in time


def test_a_closed_ring_of_one_sum_in_no_time_order_is_a_cycle() -> None:
    found = cycles(table(background() + unordered_ring(RING, 16.09, DAYS, copies=3)))
    assert [set(p.members) for p in found] == [{pc(n) for n in RING}]
    assert len(found[0].tx_ids) == 15  # three equal copies per hop, all of the ring
    assert "closed ring" in found[0].reason and "16.09" in found[0].reason


def test_an_open_ring_is_reported_with_the_channels_of_its_chain() -> None:
    # member r3 never paid r4: r4 → r5 → r1 → r2 → r3 is left, four hops of one sum
    found = cycles(table(background() + unordered_ring(RING, 23.47, DAYS, unpaid={2})))
    assert [set(p.members) for p in found] == [{pc(n) for n in RING}]
    assert "open ring" in found[0].reason
    assert found[0].amount == round(4 * 23.47, 2)


def test_two_hops_of_one_sum_are_a_pass_through_not_a_ring() -> None:
    hops = background() + [("buyer", "escrow", 77.77, 3.0), ("escrow", "seller", 77.77, 5.0)]
    assert cycles(table(hops)) == []


def test_an_amount_that_everyone_pays_is_not_evidence() -> None:
    # 100.00 paid along 300 random hops: chains of it form by chance among 400 channels
    rng = np.random.default_rng(5)
    common = [(f"n{a}", f"n{(a + 1 + rng.integers(399)) % 400}", 100.0, float(rng.uniform(0, 150)))
              for a in rng.integers(400, size=300)]
    assert cycles(table(background() + common)) == []
    # ... while the same chain of a rare sum is found
    assert len(cycles(table(background() + unordered_ring(RING, 512.33, DAYS, unpaid={4})))) == 1


def test_a_sum_that_changes_at_a_hop_breaks_the_chain() -> None:
    hops = [(RING[i], RING[i + 1], 44.44 if i != 2 else 44.45, DAYS[i]) for i in range(4)]
    assert cycles(table(background() + hops)) == []


def test_hops_further_apart_than_the_window_do_not_chain() -> None:
    # any three consecutive hops span 200 days, more than the half-year window
    hops = unordered_ring(RING, 61.06, [0.0, 100.0, 200.0, 300.0, 0.0], unpaid={4})
    assert cycles(table(background() + hops)) == []
    assert len(cycles(table(background() + hops), ring_window_days=400.0)) == 1


def test_two_chains_of_one_sum_far_apart_in_time_are_each_a_ring() -> None:
    # r1 → r2 → r3 → r4 in the first days and r4 → r5 → r6 → r7 ten months later: together they
    # span more than the window, each alone is a chain of 3 hops
    names = ["r1", "r2", "r3", "r4", "r5", "r6", "r7"]
    days = [0.0, 5.0, 10.0, 300.0, 305.0, 310.0]
    hops = [(names[i], names[i + 1], 73.21, days[i]) for i in range(6)]
    found = cycles(table(background() + hops))
    assert [set(p.members) for p in found] == [{pc(n) for n in names}]
    assert len(found[0].tx_ids) == 6


def test_other_currencies_are_other_sums() -> None:
    frame = table(unordered_ring(RING, 16.09, DAYS, unpaid={0}))
    frame.loc[1, "currency"] = "EUR"  # 16.09 EUR is not 16.09 USD
    assert cycles(frame) == []


def test_a_time_respecting_ring_of_one_sum_is_reported_once() -> None:
    days = [10.0, 10.5, 11.0, 11.5, 12.0]
    found = cycles(table(background() + unordered_ring(RING, 999.99, days)))
    assert len(found) == 1 and "no time order" not in found[0].reason


def test_switched_off_it_finds_nothing_unordered() -> None:
    frame = table(background() + unordered_ring(RING, 16.09, DAYS, copies=2))
    assert cycles(frame, one_sum_rings=False) == []


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), unpaid=st.sampled_from([set(), {0}, {3}]))
def test_row_order_and_channel_names_do_not_change_the_rings(seed: int, unpaid: set[int]) -> None:
    hops = background(seed=seed % 50, transfers=800) + unordered_ring(RING, 31.31, DAYS, copies=2, unpaid=unpaid)
    frame = table(hops)
    rng = np.random.default_rng(seed)
    names = sorted(set(frame["start"]) | set(frame["end"]))
    renamed = dict(zip(names, [f"PaymentChannel:bank_account:z{v}" for v in rng.permutation(len(names))], strict=True))
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    shuffled[["start", "end"]] = shuffled[["start", "end"]].replace(renamed)

    def key(found: list, names_map: dict[str, str] | None = None) -> list:
        back = {v: k for k, v in (names_map or {}).items()}
        return sorted((sorted(back.get(m, m) for m in p.members), sorted(p.tx_ids), p.score) for p in found)

    assert key(cycles(frame)) == key(cycles(shuffled), renamed)
