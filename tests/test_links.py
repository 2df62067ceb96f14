"""Paths between entities, shared identifiers and link prediction on planted data."""

from __future__ import annotations

import pandas as pd
import pytest

from graphbench.analytics.links import (
    entity_graph,
    k_shortest_paths,
    predict_links,
    shared_identifiers,
    shortest_path,
)


def rel(rows: list[tuple[str, str]], **properties: list) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["start", "end"])
    for name, values in properties.items():
        table[name] = values
    return table


A, B, C, D = (f"Account:instagram:{h}" for h in ("alpha", "bravo", "charlie", "delta"))


@pytest.fixture()
def tables() -> dict[str, pd.DataFrame]:
    """alpha and bravo share a phone; bravo pays charlie; everyone (and 300 fans) tags #pets;
    alpha and delta ship the same route with the same courier."""
    fans = [f"Account:tiktok:fan{i}" for i in range(300)]
    posted = [(A, "Listing:x:1"), (B, "Listing:x:2"), (C, "Listing:x:3"), (D, "Listing:x:4")]
    posted += [(fan, f"Listing:tiktok:{i}") for i, fan in enumerate(fans)]
    return {
        "HAS_PHONE": rel([(A, "Phone:+84900000001"), (B, "Phone:+84900000001")]),
        "HAS_EMAIL": rel([(C, "Email:c@mail.example")]),
        "USES": rel([(B, "PaymentChannel:paypal:b@pay.example"), (C, "PaymentChannel:paypal:c@pay.example")]),
        "TRANSFERRED": rel([("PaymentChannel:paypal:b@pay.example", "PaymentChannel:paypal:c@pay.example")],
                           tx_id=["T1"], amount=[250.0], source_file=["tx.csv"]),
        "POSTED": rel(posted),
        "TAGGED": rel([(listing, "Hashtag:pets") for _, listing in posted]),
        "MENTIONS": rel([("Listing:x:1", "Species:Manis javanica"), ("Listing:x:4", "Species:Manis javanica")]),
        "SENT": rel([(A, "Shipment:dhl:1"), (D, "Shipment:dhl:2")]),
        "CARRIED_BY": rel([("Shipment:dhl:1", "Shipper:dhl"), ("Shipment:dhl:2", "Shipper:dhl")]),
        "FROM": rel([("Shipment:dhl:1", "Location:VN:hanoi"), ("Shipment:dhl:2", "Location:VN:hanoi")]),
        "TO": rel([("Shipment:dhl:1", "Location:CN"), ("Shipment:dhl:2", "Location:CN")]),
        "Account": pd.DataFrame({"id": [A, B, C, D]}),  # node tables are ignored by the path graph
    }


def test_shortest_path_returns_the_relationships_on_the_way(tables):
    graph = entity_graph(tables)
    path = shortest_path(graph, A, "PaymentChannel:paypal:c@pay.example")
    assert path is not None
    assert path.nodes == [A, "Phone:+84900000001", B, "PaymentChannel:paypal:b@pay.example",
                          "PaymentChannel:paypal:c@pay.example"]
    assert [step[0].type for step in path.steps] == ["HAS_PHONE", "HAS_PHONE", "USES", "TRANSFERRED"]
    transfer = path.steps[-1][0]
    assert (transfer.start, transfer.end) == ("PaymentChannel:paypal:b@pay.example",
                                              "PaymentChannel:paypal:c@pay.example")
    assert transfer.properties == {"tx_id": "T1", "amount": 250.0}  # provenance left out


def test_hubs_do_not_carry_paths(tables):
    graph = entity_graph(tables)
    # alpha–#pets–charlie is 4 hops, but #pets has 304 listings: the path goes by phone and money
    path = shortest_path(graph, A, C)
    assert "Hashtag:pets" not in path.nodes
    assert path.hops == 5
    assert shortest_path(graph, A, C, hub_degree=10_000).hops == 4
    # a hub may still be an end of the path
    assert shortest_path(graph, A, "Hashtag:pets").hops == 2


def test_max_hops_bounds_the_search(tables):
    graph = entity_graph(tables)
    assert shortest_path(graph, A, C, max_hops=4) is None
    assert shortest_path(graph, A, "Account:instagram:nobody") is None


def test_k_shortest_paths_come_shortest_first(tables):
    graph = entity_graph(tables)
    # alpha and delta meet through the species (4 hops); the courier, the origin and the destination
    # join them too, but places and couriers never carry a path (issue 14); #pets is a hub; nothing
    # else joins them within 6 hops
    paths = k_shortest_paths(graph, A, D, k=10, max_hops=6)
    assert [p.hops for p in paths] == [4]
    assert {p.nodes[2] for p in paths} == {"Species:Manis javanica"}
    assert all(len(set(p.nodes)) == len(p.nodes) for p in paths)  # simple paths
    assert len(k_shortest_paths(graph, A, D, k=1)) == 1
    with_hub = k_shortest_paths(graph, A, D, k=10, max_hops=6, hub_degree=10_000)
    assert [p.nodes[2] for p in with_hub].count("Hashtag:pets") == 1


def test_shared_identifiers(tables):
    shared = shared_identifiers(A, D, tables)
    assert shared.to_dict("records") == [
        {"kind": "hashtag", "identifier": "Hashtag:pets"},
        {"kind": "species", "identifier": "Species:Manis javanica"},
        {"kind": "shipper", "identifier": "Shipper:dhl"},
        {"kind": "route", "identifier": "Location:VN:hanoi → Location:CN"},
    ]
    assert shared_identifiers(A, B, tables)["identifier"].tolist() == ["Phone:+84900000001", "Hashtag:pets"]
    assert shared_identifiers(B, C, tables)["kind"].tolist() == ["hashtag"]


def hidden_partner_tables() -> dict[str, pd.DataFrame]:
    """Target shares a rare phone and a rare wallet with its hidden partner; ten decoys each share two
    common hashtags (used by 30 accounts) with it; one account is already SAME_AS-linked."""
    target, partner, known = "Account:x:target", "Account:y:partner", "Account:z:known"
    decoys = [f"Account:x:decoy{i}" for i in range(10)]
    crowd = [f"Account:x:crowd{i}" for i in range(20)]
    posted, tagged = [], []
    for i, account in enumerate([target, *decoys, *crowd]):
        posted.append((account, f"Listing:x:{i}"))
        tagged += [(f"Listing:x:{i}", "Hashtag:reptiles"), (f"Listing:x:{i}", "Hashtag:forsale")]
    return {
        "POSTED": rel(posted), "TAGGED": rel(tagged),
        "HAS_PHONE": rel([(target, "Phone:+1555"), (partner, "Phone:+1555"), (known, "Phone:+1555")]),
        "USES": rel([(target, "PaymentChannel:btc:w1"), (partner, "PaymentChannel:btc:w1")]),
        "SAME_AS": rel([(target, known)], status=["confirmed"]),
    }


@pytest.mark.parametrize("method", ["adamic_adar", "resource_allocation"])
def test_link_prediction_ranks_the_hidden_partner_first(method):
    tables = hidden_partner_tables()
    found = predict_links(tables, method=method, accounts=["Account:x:target"], top=5)
    assert found["a"].eq("Account:x:target").all()
    assert found["b"].iloc[0] == "Account:y:partner"
    assert found["shared"].iloc[0] == ["PaymentChannel:btc:w1", "Phone:+1555"]  # rarest first
    assert "Account:z:known" not in set(found["b"])  # already linked
    assert found["score"].is_monotonic_decreasing


def test_link_prediction_scores_are_adamic_adar():
    import math

    found = predict_links(hidden_partner_tables(), top=1000)
    pairs = found.set_index(["a", "b"])["score"]
    assert pairs[("Account:x:target", "Account:y:partner")] == pytest.approx(1 / math.log(2) + 1 / math.log(3))
    decoy_pair = pairs[("Account:x:decoy0", "Account:x:decoy1")]
    assert decoy_pair == pytest.approx(2 / math.log(31))
    assert found.iloc[0][["a", "b"]].tolist() == ["Account:x:target", "Account:y:partner"]


def test_link_prediction_kinds_and_caps():
    tables = hidden_partner_tables()
    only_hashtags = predict_links(tables, kinds=["hashtag"], accounts=["Account:x:target"])
    assert "Account:y:partner" not in set(only_hashtags["b"])
    capped = predict_links(tables, max_identifier_degree=5, accounts=["Account:x:target"])
    assert capped["b"].tolist() == ["Account:y:partner"]
    with pytest.raises(ValueError):
        predict_links(tables, method="jaccard")
    assert predict_links({}).empty


def test_sample_same_operator_accounts_are_predicted(sample_store, ground_truth):
    """Before entity resolution (SAME_AS left out), the top predictions are same-operator pairs."""
    from graphbench.analytics.projection import PROJECTION_INPUTS

    tables = {t: sample_store.relationships(t) for t in PROJECTION_INPUTS if t != "SAME_AS"}
    operators = [op["accounts"] for op in ground_truth["operators"] if len(op["accounts"]) >= 2]
    same_operator = {frozenset((a, b)) for accounts in operators for a in accounts for b in accounts if a != b}

    def precision(found: pd.DataFrame) -> float:
        return sum(frozenset((a, b)) in same_operator for a, b in zip(found["a"], found["b"], strict=True)) / len(found)

    assert precision(predict_links(tables, top=50)) >= 0.9
    strong = predict_links(tables, top=60, kinds=["phone", "email", "channel"])
    assert len(strong) == 60 and precision(strong) >= 0.95
