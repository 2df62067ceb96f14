"""Risk indicators, trends and routes on data with known answers: synthetic tables for the rules,
the sample's ground truth for the whole."""

from __future__ import annotations

import pandas as pd
import pytest

from graphbench.analytics import risk, routes, trends
from graphbench.analytics.patterns import find_patterns
from graphbench.store.tables import read_tables


def rel(pairs, **columns) -> pd.DataFrame:
    frame = pd.DataFrame(pairs, columns=["start", "end"])
    for key, values in columns.items():
        frame[key] = values
    return frame


def tiny_tables() -> dict[str, pd.DataFrame]:
    return {
        "POSTED": rel([("Account:ig:ivory", "Listing:ig:1"), ("Account:ig:ivory", "Listing:ig:2"),
                       ("Account:ig:pets", "Listing:ig:3"), ("Account:fb:ivory2", "Listing:fb:4")]),
        "MENTIONS": rel([("Listing:ig:1", "Species:Loxodonta africana"), ("Listing:ig:2", "Species:Manis javanica"),
                         ("Listing:ig:3", "Species:Python regius"), ("Listing:fb:4", "Species:Loxodonta africana")],
                        match=["code_word", "misspelling", "exact", "code_word"],
                        term=["white plastic", "Manis javanca", "Python regius", "white plastic"]),
        "Species": pd.DataFrame({"id": ["Species:Loxodonta africana", "Species:Manis javanica", "Species:Python regius"],
                                 "cites_appendix": ["I", "I", "II"]}),
        "CROSS_POSTED_AS": rel([("Listing:fb:4", "Listing:ig:1")]),
        "HAS_PHONE": rel([("Account:ig:ivory", "Phone:+1"), ("Account:ig:helper", "Phone:+1")]),
        "USES": rel([("Account:ig:ivory", "PaymentChannel:paypal:a@b.c")]),
        "Account": pd.DataFrame({"id": ["Account:ig:ivory", "Account:ig:pets", "Account:ig:star"],
                                 "followers": [100, 50, 250_000]}),
        "LINKS_TO": rel([("Account:ig:star", "Account:ig:ivory")]),
    }


def test_appendix_i_and_code_words_outrank_a_pet_seller() -> None:
    scores = risk.score_accounts(tiny_tables()).set_index("id")
    assert scores.loc["Account:ig:ivory", "score"] >= risk.FLAGGED_SCORE
    assert "Account:ig:pets" not in scores.index  # Appendix II, plainly named: nothing to flag


def test_each_indicator_names_its_evidence() -> None:
    tables = tiny_tables()
    patterns = [{"kind": "fan_in", "members": ["PaymentChannel:paypal:a@b.c"]}]
    scores = risk.score_accounts(tables, patterns)
    evidence = {i.name: i.evidence for i in risk.explain(scores, "Account:ig:ivory")}
    assert any("Listing:ig:1" in e for e in evidence["appendix_i_species"])
    assert evidence["code_words"] == ["Listing:ig:1: 'white plastic'"]
    assert evidence["misspelt_names"] == ["Listing:ig:2: 'Manis javanca'"]
    assert evidence["cross_posting"] == ["Listing:ig:1 = Listing:fb:4"]
    assert evidence["laundering_pattern"] == ["fan_in via PaymentChannel:paypal:a@b.c"]
    # second pass: who shares a phone with a flagged account, and who advertises for it
    helper = {i.name: i.evidence for i in risk.explain(scores, "Account:ig:helper")}
    assert helper["shares_identifiers_with_flagged"] == ["Phone:+1 with Account:ig:ivory"]
    star = {i.name: i.evidence for i in risk.explain(scores, "Account:ig:star")}
    assert star["influencer_for_flagged"] == ["links to Account:ig:ivory"]
    assert scores["score"].max() <= 100


def test_ring_accounts_top_the_risk_ranking(sample_store, ground_truth) -> None:
    tables = read_tables(sample_store)
    scores = risk.score_accounts(tables, find_patterns(tables["TRANSFERRED"]))
    ring_accounts = {a for ring in ground_truth["rings"] for a in ring["accounts"]}
    assert scores.head(50)["id"].isin(ring_accounts).mean() >= 0.8


def test_planted_bursting_hashtags_emerge_and_generic_ones_do_not(sample_store) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "sample_data" / "README.md").read_text(encoding="utf-8")
    emerging = trends.emerging_terms(read_tables(sample_store), "hashtag")
    found = set(emerging["term"])
    planted = {tag for tag in ("yuki_wild6", "royalluckyid") if f"#{tag}" in readme}
    assert planted and planted <= found
    assert not found & {"pets", "reptiles", "exoticpets", "forsale"}


def test_a_steady_term_does_not_burst_but_a_new_one_does() -> None:
    days = pd.date_range("2024-01-01", periods=300, freq="D")
    listings = pd.DataFrame({"id": [f"Listing:x:{i}" for i in range(300)], "posted_at": days.strftime("%Y-%m-%d"),
                             "platform": "x"})
    steady = [(f"Listing:x:{i}", "Hashtag:steady") for i in range(0, 300, 3)]
    burst = [(f"Listing:x:{i}", "Hashtag:burst") for i in range(260, 300)]
    tables = {"Listing": listings, "TAGGED": rel(steady + burst)}
    emerging = trends.emerging_terms(tables, "hashtag", recent_days=40)
    assert list(emerging["term"]) == ["burst"]


def test_routes_aggregate_by_courier_and_hubs_are_net_importers() -> None:
    shipments = pd.DataFrame({"id": [f"Shipment:dhl:{i}" for i in range(6)], "shipper": "dhl",
                              "weight_kg": 1.0, "shipped_at": [f"2024-01-0{i + 1}" for i in range(6)]})
    origins = ["VN", "ID", "TH", "VN", "CN", "VN"]
    destinations = ["CN", "CN", "CN", "CN", "VN", "US"]
    tables = {
        "Shipment": shipments,
        "FROM": rel([(f"Shipment:dhl:{i}", f"Location:{c}") for i, c in enumerate(origins)]),
        "TO": rel([(f"Shipment:dhl:{i}", f"Location:{c}") for i, c in enumerate(destinations)]),
        "SENT": rel([("Account:ig:a", "Shipment:dhl:0")]),
    }
    table = routes.routes(tables)
    top = table.iloc[0]
    assert (top["origin"], top["destination"], top["shipments"]) == ("VN", "CN", 2)
    assert table["shipments"].sum() == 6
    assert list(routes.consumer_hubs(tables)["country"]) == ["CN"]
    flows = routes.route_flows(tables)
    assert flows.set_index(["source", "target"]).loc[("VN", "CN"), "value"] == 2


def test_sample_ring_routes_are_found(sample_store, ground_truth) -> None:
    table = routes.routes(read_tables(sample_store))
    found = set(zip(table["origin"], table["destination"], strict=True))
    planted = {tuple(r) for ring in ground_truth["rings"] for r in ring["routes"]}
    assert len(planted & found) / len(planted) >= 0.9


@pytest.mark.parametrize("by", ["species", "platform", "country"])
def test_listings_over_time(sample_store, by: str) -> None:
    table = trends.listings_over_time(read_tables(sample_store), by=by)
    assert {"period", "group", "listings"} == set(table.columns) and table["listings"].sum() > 100
