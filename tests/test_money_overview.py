"""The Money page's overview gives the same, known answers on both stores: on Neo4j from Cypher
aggregates and index lookups, on the embedded store from its table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from graphbench.analytics.flows import aggregate_flows, channel_type_of
from graphbench.store import open_store
from graphbench.store.tables import read_tables
from graphbench.store_reads import money_overview
from loaders.load import load_dir

ROOT = Path(__file__).resolve().parents[1]

# paypal:a pays three times (the busiest payer), the mobile wallet twice, one transfer stays inside
# paypal; two transfers share a UTC day and one is stamped in another zone; one is in KES, which has no
# exchange rate: it stays a row of its own with no USD amount and is in no USD total
TRANSFERS = """tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency,reference
T1,2024-03-01T08:00:00Z,paypal,a@x.example,mobile_money,+856 20 27 005 955,100.50,USD,
T2,2024-03-01T23:59:59Z,paypal,a@x.example,mobile_money,+856 20 27 005 955,49.50,USD,
T3,2024-03-02T00:00:00Z,mobile_money,+856 20 27 005 955,btc,bc1qhhm2l9svd2l09g3lldc4kf2zc88mj954c7dvju,10,USD,
T4,2024-03-05T12:00:00+02:00,paypal,a@x.example,paypal,b@x.example,5,USD,
T5,2024-03-06T00:00:00Z,mobile_money,+856 20 27 005 955,btc,bc1qhhm2l9svd2l09g3lldc4kf2zc88mj954c7dvju,2.25,USD,
T6,2024-03-06T09:00:00Z,btc,bc1qhhm2l9svd2l09g3lldc4kf2zc88mj954c7dvju,iban,DE89370400440532013000,700,KES,
"""
PAYPAL_A = "PaymentChannel:paypal:a@x.example"
WALLET = "PaymentChannel:mobile_money:+8562027005955"


def _load(store, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "transactions.csv").write_text(TRANSFERS, encoding="utf-8")
    load_dir(store, folder, rejects_dir=tmp_path / "rejects")
    return store


def _check_known_answers(store) -> None:
    busiest = money_overview.busiest_payers(store, n=2)
    assert busiest.to_dict("records") == [{"channel": PAYPAL_A, "transfers": 3},
                                          {"channel": WALLET, "transfers": 2}]
    flows = money_overview.channel_type_flows(store)
    records = flows.to_dict("records")
    assert records[:2] == [
        {"source": "paypal", "target": "mobile_money", "currency": "USD", "amount": 150.0, "amount_base": 150.0,
         "count": 2},
        {"source": "mobile_money", "target": "btc", "currency": "USD", "amount": 12.25, "amount_base": 12.25,
         "count": 2},
    ]  # paypal → paypal stays inside its type: not a flow between types
    assert len(records) == 3 and records[2]["currency"] == "KES" and records[2]["amount"] == 700.0
    assert pd.isna(records[2]["amount_base"])
    days = money_overview.daily_amounts(store)
    # T4's 12:00+02:00 is 10:00 UTC on the 5th
    assert days.to_dict() == {dt.date(2024, 3, 1): 150.0, dt.date(2024, 3, 2): 10.0,
                              dt.date(2024, 3, 5): 5.0, dt.date(2024, 3, 6): 2.25}
    together = money_overview.overview(store, n=2)  # the page's one read gives the same three parts
    assert together.fx_notes == ["1 transfer(s) in KES have no exchange rate: left out of the USD amounts"]
    assert together.fx_label.startswith("≈ USD at ECB")
    pd.testing.assert_frame_equal(together.busiest_payers, busiest)
    pd.testing.assert_frame_equal(together.channel_type_flows, flows)
    pd.testing.assert_series_equal(together.daily_amounts, days)
    drawn = money_overview.transfers_by_id(store, ["T3", "T1", "T1", "nope"])
    assert drawn["tx_id"].tolist() == ["T1", "T3"]
    assert drawn.loc[0, "start"] == PAYPAL_A and drawn.loc[0, "end"] == WALLET and drawn.loc[0, "amount"] == 100.5


def test_embedded_overview_known_answers(tmp_path: Path) -> None:
    _check_known_answers(_load(open_store("memory:"), tmp_path))


def test_overview_agrees_with_the_whole_table_on_the_sample(sample_store) -> None:
    whole = read_tables(sample_store, ["TRANSFERRED"], provenance=False)["TRANSFERRED"]
    expected = aggregate_flows(whole, channel_type_of).between
    pd.testing.assert_frame_equal(money_overview.channel_type_flows(sample_store), expected)
    top = whole["start"].value_counts()
    assert money_overview.busiest_payers(sample_store, n=1)["transfers"].iloc[0] == top.iloc[0]


@pytest.mark.neo4j
def test_neo4j_overview_known_answers(neo4j_store, tmp_path: Path) -> None:
    _check_known_answers(_load(neo4j_store, tmp_path))


@pytest.mark.neo4j
def test_neo4j_overview_matches_the_embedded_store_on_the_sample(neo4j_sample, sample_store) -> None:
    neo4j_store = neo4j_sample  # the sample, loaded once for the tests that read it (tests/conftest.py)
    for part in ("busiest_payers", "channel_type_flows"):
        pd.testing.assert_frame_equal(getattr(money_overview, part)(neo4j_store),
                                      getattr(money_overview, part)(sample_store), check_dtype=False)
    server, embedded = money_overview.daily_amounts(neo4j_store), money_overview.daily_amounts(sample_store)
    assert server.index.tolist() == embedded.index.tolist()
    assert server.round(2).tolist() == embedded.round(2).tolist()
