"""Money trails: time order, tolerance, windows, hop limits, sinks — and a brute-force twin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graphbench.analytics.trace import TransferIndex, trace


def pc(name: str) -> str:
    return f"PaymentChannel:paypal:{name}"


def transfers_table(rows: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame([
        {"start": pc(a), "end": pc(b), "tx_id": tx, "amount": amount, "currency": "USD",
         "ts": f"2024-03-{day}Z"}
        for tx, a, b, amount, day in rows
    ])


# A pays B 100 on the 5th; B passes 95 to C on the 6th; B's earlier payment to D (4th) cannot carry
# A's money. C pays E 30 (a different sum) and F 90 on the 7th/8th; F pays G on the 20th.
CHAIN = transfers_table([
    ("T1", "a", "b", 100.0, "05T10:00:00"),
    ("T2", "b", "c", 95.0, "06T10:00:00"),
    ("T0", "b", "d", 50.0, "04T10:00:00"),
    ("T3", "c", "e", 30.0, "07T10:00:00"),
    ("T4", "c", "f", 90.0, "08T10:00:00"),
    ("T5", "f", "g", 88.0, "20T10:00:00"),
    ("T6", "x", "c", 500.0, "09T10:00:00"),  # into C after the money left: not on A's trail
])


def test_follows_money_forward_in_time_order() -> None:
    result = trace(CHAIN, [pc("a")], hops=3)
    assert result.transfers["tx_id"].tolist() == ["T1", "T2", "T3", "T4"]
    assert result.transfers["hop"].tolist() == [1, 2, 3, 3]
    assert result.transfers["from"].tolist() == [pc("a"), pc("b"), pc("c"), pc("c")]
    assert result.first_ts == "2024-03-05T10:00:00Z"
    assert result.last_ts == "2024-03-08T10:00:00Z"
    assert result.sinks == [pc("e")]  # F goes on (to G) but the hop limit stopped the trace
    assert result.open_ends == [pc("f")]
    assert not result.truncated


def test_totals_per_endpoint() -> None:
    totals = trace(CHAIN, [pc("a")], hops=3).totals.set_index("node")
    assert totals.loc[pc("b"), "received"] == 100.0
    assert totals.loc[pc("b"), "sent"] == 95.0
    assert totals.loc[pc("c"), "sent"] == 120.0
    assert totals.loc[pc("c"), "n_sent"] == 2
    assert totals.loc[pc("a"), "first_hop"] == 0
    assert totals.loc[pc("f"), "first_hop"] == 3


def test_amount_tolerance_drops_hops_that_change_the_sum() -> None:
    result = trace(CHAIN, [pc("a")], hops=4, amount_tolerance=0.2)
    assert result.transfers["tx_id"].tolist() == ["T1", "T2", "T4", "T5"]
    assert result.sinks == [pc("g")]


def test_hop_limit_and_window() -> None:
    one = trace(CHAIN, [pc("a")], hops=1)
    assert one.transfers["tx_id"].tolist() == ["T1"]
    assert one.open_ends == [pc("b")]
    windowed = trace(CHAIN, [pc("a")], hops=5, until="2024-03-07T12:00:00Z")
    assert windowed.transfers["tx_id"].tolist() == ["T1", "T2", "T3"]
    assert windowed.sinks == [pc("e")]  # C's payment to F falls after the window
    late = trace(CHAIN, [pc("b")], hops=5, since="2024-03-06T00:00:00Z")
    assert "T0" not in late.transfers["tx_id"].tolist()


def test_backward_trace_mirrors_time_rule() -> None:
    result = trace(CHAIN, [pc("f")], direction="in", hops=3)
    # F got money from C on the 8th; C had it from B (6th), B from A (5th). X's payment into C on the
    # 9th came after and cannot be F's money.
    assert result.transfers["tx_id"].tolist() == ["T1", "T2", "T4"]
    assert result.sinks == [pc("a")]  # where the money came from


def test_account_start_resolves_to_its_channels() -> None:
    uses = pd.DataFrame({"start": ["Account:instagram:seller", "Account:instagram:other"],
                         "end": [pc("b"), pc("x")]})
    result = trace(CHAIN, ["Account:instagram:seller"], hops=1, uses=uses)
    assert result.start_channels == [pc("b")]
    assert sorted(result.transfers["tx_id"]) == ["T0", "T2"]


def test_unknown_start_and_max_transfers() -> None:
    assert trace(CHAIN, [pc("nobody")]).transfers.empty
    capped = trace(CHAIN, [pc("a")], hops=3, max_transfers=2)
    assert capped.truncated
    assert capped.transfers["tx_id"].tolist() == ["T1", "T2"]
    assert capped.sinks == []  # nothing unexplored is called a sink
    with pytest.raises(ValueError):
        trace(CHAIN, [pc("a")], direction="sideways")  # type: ignore[arg-type]


def reference_trace(table: pd.DataFrame, start: str, hops: int, tolerance: float | None) -> dict[str, int]:
    """Brute force: every time-respecting path of up to ``hops`` transfers; tx → shortest hop."""
    rows = table.assign(when=pd.to_datetime(table["ts"], utc=True)).to_dict("records")
    best: dict[str, int] = {}

    def walk(node: str, after: pd.Timestamp | None, amount: float | None, hop: int) -> None:
        if hop > hops:
            return
        for row in rows:
            if row["start"] != node or (after is not None and row["when"] < after):
                continue
            if tolerance is not None and amount is not None and abs(row["amount"] - amount) > tolerance * amount:
                continue
            if row["tx_id"] not in best or best[row["tx_id"]] > hop:
                best[row["tx_id"]] = hop
            walk(row["end"], row["when"], row["amount"], hop + 1)

    walk(start, None, None, 1)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("tolerance", [None, 0.3])
def test_matches_brute_force_on_random_graphs(seed: int, tolerance: float | None) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    table = pd.DataFrame({
        "start": [pc(f"n{i}") for i in rng.integers(0, 12, n)],
        "end": [pc(f"n{i}") for i in rng.integers(0, 12, n)],
        "tx_id": [f"T{i:03d}" for i in range(n)],
        "amount": rng.choice([100.0, 110.0, 150.0, 300.0], n),
        "currency": "USD",
        "ts": [f"2024-01-{d:02d}T00:00:00Z" for d in rng.integers(1, 10, n)],  # many ties in time
    })
    index = TransferIndex.from_frame(table)
    result = trace(index, [pc("n0")], hops=4, amount_tolerance=tolerance)
    got = dict(zip(result.transfers["tx_id"], result.transfers["hop"], strict=True))
    assert got == reference_trace(table, pc("n0"), 4, tolerance)
    times = pd.to_datetime(result.transfers["ts"])
    assert times.is_monotonic_increasing
