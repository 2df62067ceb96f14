"""Flows between groups: sums, counts, self-flows apart, windows, unknown ends, channel keys."""

from __future__ import annotations

import pandas as pd
import pytest

from graphbench.analytics.flows import aggregate_flows, channel_keys, channel_type_of

TRANSFERS = pd.DataFrame({
    "start": ["PaymentChannel:paypal:a", "PaymentChannel:paypal:a", "PaymentChannel:btc:b",
              "PaymentChannel:btc:b", "PaymentChannel:iban:c", "PaymentChannel:paypal:z"],
    "end": ["PaymentChannel:btc:b", "PaymentChannel:btc:b", "PaymentChannel:iban:c",
            "PaymentChannel:btc:d", "PaymentChannel:paypal:a", "PaymentChannel:paypal:a"],
    "tx_id": ["T1", "T2", "T3", "T4", "T5", "T6"],
    "amount": [100.0, 50.0, 140.0, 10.0, 30.0, 5.0],
    "currency": ["USD"] * 5 + ["EUR"],
    "ts": ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z",
           "2024-01-04T00:00:00Z", "2024-02-01T00:00:00Z", "2024-02-02T00:00:00Z"],
})
COMMUNITY = {"PaymentChannel:paypal:a": "ring1", "PaymentChannel:btc:b": "ring1",
             "PaymentChannel:btc:d": "ring1", "PaymentChannel:iban:c": "ring2"}


def rows(frame: pd.DataFrame) -> set[tuple]:
    """Rows without the base-currency column (tests/test_fx.py checks conversion)."""
    return set(frame.drop(columns="amount_base").itertuples(index=False, name=None))


def test_between_and_within_groups() -> None:
    flows = aggregate_flows(TRANSFERS, COMMUNITY)
    assert rows(flows.between) == {("ring1", "ring2", "USD", 140.0, 1), ("ring2", "ring1", "USD", 30.0, 1),
                                   ("unknown", "ring1", "EUR", 5.0, 1)}
    assert flows.between["amount"].tolist() == [140.0, 30.0, 5.0]  # largest first
    assert rows(flows.within) == {("ring1", "USD", 160.0, 3)}
    assert flows.currencies == ["EUR", "USD"]


def test_callable_key_window_currency_and_unknown_dropped() -> None:
    by_type = aggregate_flows(TRANSFERS, channel_type_of, currency="USD", until="2024-01-31T23:59:59Z")
    assert rows(by_type.between) == {("paypal", "btc", "USD", 150.0, 2), ("btc", "iban", "USD", 140.0, 1)}
    assert rows(by_type.within) == {("btc", "USD", 10.0, 1)}
    dropped = aggregate_flows(TRANSFERS, COMMUNITY, unknown=None, min_amount=50)
    assert rows(dropped.between) == {("ring1", "ring2", "USD", 140.0, 1)}


def test_channel_type_of() -> None:
    assert channel_type_of("PaymentChannel:paypal:x:y@mail.example") == "paypal"
    assert channel_type_of("odd") == "odd"


def test_channel_keys_from_accounts() -> None:
    uses = pd.DataFrame({
        "start": ["Account:ig:a1", "Account:ig:a2", "Account:ig:a1", "Account:ig:b1", "Account:ig:a2"],
        "end": ["PaymentChannel:paypal:a", "PaymentChannel:paypal:a", "PaymentChannel:escrow:e",
                "PaymentChannel:escrow:e", "PaymentChannel:escrow:e"],
    })
    groups = {"Account:ig:a1": "ring1", "Account:ig:a2": "ring1", "Account:ig:b1": "ring2"}
    assert channel_keys(uses, groups) == {"PaymentChannel:paypal:a": "ring1", "PaymentChannel:escrow:e": "shared"}
    assert channel_keys(uses, groups, shared=None)["PaymentChannel:escrow:e"] == "ring1"
    assert channel_keys(uses.iloc[0:0], groups) == {}


def test_sample_flows_balance(sample_store) -> None:
    transfers = sample_store.relationships("TRANSFERRED")
    flows = aggregate_flows(transfers, channel_type_of)
    both = pd.concat([flows.between, flows.within])
    for currency, written in transfers.groupby("currency")["amount"].sum().items():  # per currency, never across
        assert both.loc[both["currency"] == currency, "amount"].sum() == pytest.approx(written, rel=1e-9)
    assert (flows.between["source"] != flows.between["target"]).all()
    assert flows.currencies == ["CNY", "USD"] and flows.fx.unknown == {}
