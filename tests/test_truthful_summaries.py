"""Summaries that tell the truth: a popular channel is never a network's first channel, and a path never
runs through a country or a courier however small the data (the Links page's caption says so)."""

from __future__ import annotations

import pandas as pd

from graphbench.analytics.communities import detect_communities, summarise_communities
from graphbench.analytics.links import entity_graph, k_shortest_paths
from graphbench.analytics.popularity import max_accounts
from graphbench.analytics.projection import build_account_graph

ESCROW = "PaymentChannel:bank_account:MARKETPLACE-ESCROW-0001"


def rel(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["start", "end"])


def test_a_popular_channel_is_never_a_networks_first_channel() -> None:
    """Two rings of three sharing a phone each, with a private channel; every one of the many buyers,
    and every ring member, also pays the marketplace escrow (more often than their own channel)."""
    rings = {r: [f"Account:instagram:ring{r}m{i}" for i in range(3)] for r in (1, 2)}
    buyers = [f"Account:facebook:buyer{i}" for i in range(max_accounts("channel") + 10)]
    phones = [(m, f"Phone:+8490000000{r}") for r, members in rings.items() for m in members]
    uses = [(m, f"PaymentChannel:paypal:ring{r}@pay.example") for r, members in rings.items() for m in members]
    posted = [(m, f"Listing:instagram:{m[-7:]}-{j}") for members in rings.values() for m in members for j in range(3)]
    accepts = [(listing, ESCROW) for _, listing in posted]  # each listing takes the escrow: 3 uses per member
    uses += [(b, ESCROW) for b in buyers]
    tables = {"HAS_PHONE": rel(phones), "USES": rel(uses), "POSTED": rel(posted), "ACCEPTS": rel(accepts)}
    graph = build_account_graph(tables)
    result = detect_communities(graph, engine="louvain", seed=0)
    summaries = [s for s in summarise_communities(result, graph, tables, min_size=2)
                 if any(m.startswith("Account:instagram:ring") for m in s.key_members)]
    assert len(summaries) == 2
    for summary in summaries:
        ring = summary.key_members[0].split(":")[2][:5]  # ring1 / ring2
        assert summary.payment_channels == [f"PaymentChannel:paypal:{ring}@pay.example"]
        assert summary.popular == [ESCROW]  # shown apart, marked


def test_countries_and_couriers_never_carry_a_path() -> None:
    """alpha and delta ship from one city with one courier; bravo shares a phone with both. The only path
    that does not run through a place or a courier is via the phone."""
    a, b, d = (f"Account:instagram:{h}" for h in ("alpha", "bravo", "delta"))
    tables = {
        "SENT": rel([(a, "Shipment:dhl:1"), (d, "Shipment:dhl:2")]),
        "CARRIED_BY": rel([("Shipment:dhl:1", "Shipper:dhl"), ("Shipment:dhl:2", "Shipper:dhl")]),
        "FROM": rel([("Shipment:dhl:1", "Location:VN"), ("Shipment:dhl:2", "Location:VN")]),
        "LOCATED_IN": rel([(a, "Location:VN"), (d, "Location:VN")]),
        "HAS_PHONE": rel([(a, "Phone:+84900000001"), (b, "Phone:+84900000001"), (d, "Phone:+84900000002")]),
    }
    graph = entity_graph(tables)
    assert k_shortest_paths(graph, a, d, k=5) == []  # only places and a courier join them
    tables["HAS_PHONE"] = rel([(a, "Phone:+84900000001"), (d, "Phone:+84900000001")])
    paths = k_shortest_paths(entity_graph(tables), a, d, k=5)
    assert [p.nodes for p in paths] == [[a, "Phone:+84900000001", d]]
    # a place may still start or end a path
    assert k_shortest_paths(graph, a, "Location:VN", k=1)[0].nodes == [a, "Location:VN"]


def test_communities_are_named_by_top_member_and_species_and_ranked_by_risk() -> None:
    from graphbench.analytics.community_names import community_name, ranked_communities

    summaries = pd.DataFrame([
        {"community": 0, "size": 3, "key_members": "Account:instagram:big.shop; Account:x:b", "species": ""},
        {"community": 1, "size": 2, "key_members": "Account:facebook:pangolin.pal; Account:x:d",
         "species": "Species:Manis javanica; Species:Python regius"},
    ])
    membership = {"Account:instagram:big.shop": 0, "Account:x:b": 0, "Account:x:c": 0,
                  "Account:facebook:pangolin.pal": 1, "Account:x:d": 1}
    scores = pd.DataFrame({"id": ["Account:instagram:big.shop", "Account:facebook:pangolin.pal", "Account:x:d"],
                           "score": [10.0, 75.0, 45.0]})
    table = ranked_communities(summaries, membership, scores)
    assert table["community"].tolist() == [1, 0]  # two flagged members outrank a bigger, quiet community
    assert table["name"].tolist() == ["facebook:pangolin.pal +1 · Manis javanica", "instagram:big.shop +2 · no species named"]
    assert table["flagged"].tolist() == [2, 0] and table["top_risk"].tolist() == [75.0, 10.0]
    assert ranked_communities(summaries, membership, None)["community"].tolist() == [0, 1]  # no risk: by size
    assert community_name(["Account:tiktok:solo"], ["Species:Naja naja"], 1) == "tiktok:solo · Naja naja"
