"""Fans, relays and blocks with known answers: a fresh mule is not exempt, a week-long fan is found,
payroll, busy merchants and escrows are not patterns, launderers who also shop are still found, and
every pattern explains itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graphbench.analytics.patterns import find_patterns, patterns_frame

T0 = pd.Timestamp("2024-01-01T00:00:00Z")


def pc(name: str) -> str:
    return f"PaymentChannel:wallet:{name}"


class Book:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def pay(self, a: str, b: str, amount: float, day: float, currency: str = "USD") -> str:
        tx = f"TX{len(self.rows):07d}"
        self.rows.append({"start": pc(a), "end": pc(b), "tx_id": tx, "amount": round(float(amount), 2),
                          "currency": currency, "ts": (T0 + pd.Timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")})
        return tx

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)


def background(book: Book, rng: np.random.Generator, days: int = 180) -> None:
    """A merchant paid by thousands, a payroll paying 150 people monthly, an escrow, shoppers."""
    for day in range(days):
        for _ in range(rng.poisson(30)):
            book.pay(f"shopper{rng.integers(3000)}", "merchant", rng.lognormal(3.5, 0.7), day + rng.random())
        for _ in range(rng.poisson(15)):
            book.pay(f"buyer{rng.integers(2000)}", "escrow", rng.lognormal(4.5, 0.6), day + rng.random())
        for _ in range(rng.poisson(10)):
            book.pay("escrow", f"seller{rng.integers(300)}", rng.lognormal(4.8, 0.5), day + rng.random())
    for month in range(days // 30):
        for person in range(150):
            book.pay("payroll", f"employee{person}", 2500 + 10 * person, 30 * month + 25 + person / 1000)


@pytest.fixture(scope="module")
def world() -> tuple[Book, dict[str, list[str]]]:
    rng = np.random.default_rng(11)
    book = Book()
    background(book, rng)
    planted: dict[str, list[str]] = {}
    # a fresh mule: no history at all, 6 smurfs within two days
    planted["fresh"] = [book.pay(f"smurf{i}", "fresh_mule", rng.uniform(800, 3000), 50 + 0.3 * i) for i in range(6)]
    # a week-long fan-in into a quiet channel that had ordinary traffic months before
    book.pay("old_friend", "slow_collector", 120, 5)
    planted["week"] = [book.pay(f"weekly{i}", "slow_collector", rng.uniform(500, 900), 100 + 1.1 * i)
                       for i in range(6)]
    # a launderer who also shops at the merchant every few days distributes to 6 mules in a day
    for day in range(0, 180, 3):
        book.pay("launderer", "merchant", rng.lognormal(3.5, 0.5), day + 0.5)
    planted["shopper_fan"] = [book.pay("launderer", f"dropmule{i}", rng.uniform(900, 1500), 120 + 0.1 * i)
                              for i in range(6)]
    # scatter-gather through mules that also shop
    txs = []
    for i in range(4):
        sent = rng.uniform(2000, 3000)
        txs.append(book.pay("sg_boss", f"shopmule{i}", sent, 140 + 0.2 * i))
        txs.append(book.pay(f"shopmule{i}", "sg_sink", sent * 0.95, 141 + 0.3 * i))
        for day in range(0, 180, 4):
            book.pay(f"shopmule{i}", "merchant", rng.lognormal(3.5, 0.5), day + 0.7)
    planted["sg"] = txs
    # a bipartite block in three currencies
    planted["bipartite"] = [book.pay(f"bp_from{i}", f"bp_to{j}", rng.uniform(3000, 4000), 160 + 0.1 * i + 0.02 * j,
                                     currency=("USD", "EUR", "GBP")[j])
                            for i in range(2) for j in range(3)]
    return book, planted


@pytest.fixture(scope="module")
def found(world):
    book, _ = world
    uses = pd.DataFrame({"start": ["Account:x:boss", "Account:x:boss2"], "end": [pc("sg_boss"), pc("sg_boss")]})
    return find_patterns(book.table(), accounts=uses)


def _with(found: list, kind: str, txs: list[str]) -> list:
    return [p for p in found if p.kind == kind and set(txs) <= set(p.tx_ids)]


def test_a_fresh_mule_is_not_exempt(world, found) -> None:
    (fan,) = _with(found, "fan_in", world[1]["fresh"])
    assert fan.center == pc("fresh_mule")
    assert "6 payers" in fan.reason and "fresh_mule" in fan.reason


def test_a_fan_spread_over_a_week_is_found(world, found) -> None:
    assert _with(found, "fan_in", world[1]["week"])


def test_a_launderer_who_also_shops_is_still_found(world, found) -> None:
    (fan,) = _with(found, "fan_out", world[1]["shopper_fan"])
    assert pc("merchant") not in fan.members  # the shopping is not part of it


def test_scatter_gather_through_mules_that_shop(world, found) -> None:
    (sg,) = _with(found, "scatter_gather", world[1]["sg"])
    assert set(sg.members) == {pc("sg_boss"), pc("sg_sink"), *(pc(f"shopmule{i}") for i in range(4))}
    assert sg.accounts == ["Account:x:boss", "Account:x:boss2"]


def test_bipartite_block_with_amounts_per_currency(world, found) -> None:
    (block,) = _with(found, "bipartite", world[1]["bipartite"])
    assert set(block.members) == {pc("bp_from0"), pc("bp_from1"), pc("bp_to0"), pc("bp_to1"), pc("bp_to2")}
    assert set(block.amount_by_currency) == {"USD", "EUR", "GBP"}


def test_merchant_payroll_and_escrow_are_not_patterns(found) -> None:
    for name in ("merchant", "payroll", "escrow"):
        assert not [p for p in found if pc(name) in p.members], name
    assert all(p.kind != "fan_out" or p.center != pc("payroll") for p in found)


def test_nothing_but_the_planted(world, found) -> None:
    planted = {tx for txs in world[1].values() for tx in txs}
    assert all(set(p.tx_ids) & planted for p in found), [p.reason for p in found if not set(p.tx_ids) & planted]


def test_top_ranks_across_kinds_and_rows_explain(found, world) -> None:
    book, _ = world
    top = find_patterns(book.table(), top=3)
    assert len(top) == 3
    assert [p.score for p in top] == sorted((p.score for p in found), reverse=True)[:3]
    frame = patterns_frame(found)
    assert {"kind", "members", "amount", "first_ts", "last_ts", "score", "reason", "accounts"} <= set(frame.columns)
    assert frame["reason"].str.len().gt(20).all()
