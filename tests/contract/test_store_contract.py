"""The store contract: every GraphStore method, on `memory:`, `file:` and Neo4j, with known answers, and the
same answers on every store (docs/stores.md).

One hand-made graph with known answers: a hub account linking to twelve others (neighbourhood truncation),
three channels and five transfers (transfers_of windows, last_only, limits), listings, a hashtag and a
species with common names (search in text and list properties), and a derived SAME_AS link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest

from graphbench.batch import GraphBatch, provenance
from graphbench.schema import NODE_TYPES, REL_TYPES
from graphbench.store import open_store
from graphbench.store.base import GraphStore, SupportsCypher, SupportsGds
from graphbench.store.named_queries import query_names

HUB = "Account:instagram:hub"
LINKED = [f"Account:instagram:a{i:02d}" for i in range(12)]
P1, P2, P3 = "PaymentChannel:paypal:p1@x.example", "PaymentChannel:paypal:p2@x.example", "PaymentChannel:btc:w3"
TRANSFERS = [("T1", P1, P2, 100.0, "2024-03-01T08:00:00Z"), ("T2", P1, P2, 50.5, "2024-03-02T08:00:00Z"),
             ("T3", P2, P3, 140.0, "2024-03-03T08:00:00Z"), ("T4", P1, P3, 7.25, "2024-03-04T08:00:00Z"),
             ("T5", P3, P1, 3.0, "2024-03-05T08:00:00Z")]
SEEN = "2024-06-01T00:00:00Z"


def contract_batch() -> GraphBatch:
    batch = GraphBatch()
    row = iter(range(1, 10_000))

    def prov() -> dict[str, Any]:
        n = next(row)
        return provenance("contract.csv", n, f"{n:064x}", SEEN)

    batch.add_node(HUB, {"platform": "instagram", "handle": "hub", "display_name": "The Hub", "followers": 1200,
                         "bio": "Rare reptiles, ask for PYTHON"}, prov())
    for i, account in enumerate(LINKED):
        props = {"platform": "instagram", "handle": account.rsplit(":", 1)[1], "display_name": f"Linked {i}"}
        if i % 3:  # some accounts have no follower count: whole numbers with gaps
            props["followers"] = 10 * i
        batch.add_node(account, props, prov())
        batch.add_rel("LINKS_TO", HUB, account, {}, prov())
    for n, title in enumerate(["Ball python, captive bred", "Tortoise shell bracelet", "Pangolin scales"], 1):
        listing = f"Listing:instagram:L{n}"
        batch.add_node(listing, {"platform": "instagram", "listing_id": f"L{n}", "title": title,
                                 "posted_at": f"2024-02-0{n}T00:00:00Z", "price": 10.0 * n, "currency": "USD"}, prov())
        batch.add_rel("POSTED", HUB, listing, {}, prov())
        batch.add_rel("TAGGED", listing, "Hashtag:rare", {}, prov())
    batch.add_node("Hashtag:rare", {"tag": "rare"}, prov())
    batch.add_node("Species:Manis javanica", {"scientific_name": "Manis javanica", "cites_appendix": "I",
                                              "common_names": ["Sunda pangolin", "Malayan pangolin"]}, prov())
    batch.add_rel("MENTIONS", "Listing:instagram:L3", "Species:Manis javanica",
                  {"term": "pangolin", "match": "common_name", "score": 1.0}, prov())
    for channel in (P1, P2, P3):
        kind, ident = channel.split(":", 2)[1:]
        batch.add_node(channel, {"channel_type": kind, "channel_id": ident}, prov())
    batch.add_rel("USES", HUB, P1, {}, prov())
    batch.add_rel("USES", LINKED[0], P2, {}, prov())
    batch.add_rel("USES", LINKED[0], P1, {}, prov())  # shared with the hub
    for tx_id, start, end, amount, ts in TRANSFERS:
        batch.add_rel("TRANSFERRED", start, end, {"tx_id": tx_id, "amount": amount, "currency": "USD", "ts": ts}, prov())
    batch.add_rel("SAME_AS", LINKED[0], LINKED[1], {"evidence": ["shared_phone"], "score": 0.9}, prov())
    return batch


def _contract_store(request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    if request.param == "neo4j":
        opened: GraphStore = request.getfixturevalue("neo4j_store")
    else:
        opened = open_store("memory:" if request.param == "memory" else f"file:{tmp_path / 'workspace'}")
    opened.upsert(contract_batch())
    opened.commit()
    return opened


@pytest.fixture(params=["memory", "file", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    """A store of each kind holding the contract graph, committed."""
    return _contract_store(request, tmp_path)


@pytest.fixture(params=["file", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def persisted_store(request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    """The stores another process can open (``memory:`` lives in one process only)."""
    return _contract_store(request, tmp_path)


@pytest.fixture
def reference() -> GraphStore:
    """The contract graph in a throw-away embedded store: what every store must answer."""
    opened = open_store("memory:")
    opened.upsert(contract_batch())
    return opened


def _sorted(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    table = table.sort_values(keys, kind="stable").reset_index(drop=True)
    return table.astype(object).where(table.notna(), None)


def _comparable(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain values, lists as tuples, in a fixed order: what two stores must agree on."""
    rows = _sorted(table, [c for c in ("id", "start", "end", "tx_id") if c in table.columns]).to_dict("records")
    return [{k: tuple(v) if hasattr(v, "__len__") and not isinstance(v, str) else v for k, v in row.items()}
            for row in rows]


def _picture(graph: nx.MultiDiGraph) -> tuple[list[tuple[str, str | None, Any]], list[tuple[str, str, str]]]:
    nodes = sorted((str(n), d.get("label"), d.get("truncated")) for n, d in graph.nodes(data=True))
    edges = sorted((str(s), str(e), str(d.get("type"))) for s, e, d in graph.edges(data=True))
    return nodes, edges


def test_every_store_is_a_graph_store_with_its_capabilities(store: GraphStore) -> None:
    assert isinstance(store, GraphStore)
    on_server = store.url.startswith(("bolt", "neo4j"))
    assert isinstance(store, SupportsCypher) == on_server
    assert isinstance(store, SupportsGds) == on_server


def test_stats_count_what_was_written(store: GraphStore) -> None:
    stats = store.stats()
    assert set(stats["nodes"]) == set(NODE_TYPES) and set(stats["relationships"]) == set(REL_TYPES)
    assert stats["nodes"]["Account"] == 13 and stats["nodes"]["PaymentChannel"] == 3
    assert stats["nodes"]["Listing"] == 3 and stats["nodes"]["Phone"] == 0
    assert stats["relationships"]["LINKS_TO"] == 12 and stats["relationships"]["TRANSFERRED"] == 5
    assert stats["relationships"]["SAME_AS"] == 1


def test_the_same_batch_twice_changes_nothing(store: GraphStore, reference: GraphStore) -> None:
    before = {label: _comparable(store.nodes(label)) for label in ("Account", "PaymentChannel", "Species")}
    rels_before = {t: _comparable(store.relationships(t)) for t in ("TRANSFERRED", "LINKS_TO", "SAME_AS")}
    store.upsert(contract_batch())
    store.commit()
    assert {label: _comparable(store.nodes(label)) for label in before} == before
    assert {t: _comparable(store.relationships(t)) for t in rels_before} == rels_before
    assert store.stats() == reference.stats()


def test_tables_with_columns_and_exclude(store: GraphStore, reference: GraphStore) -> None:
    picked = store.nodes("Account", columns=["handle", "nothing_like_this"])
    assert list(picked.columns) == ["id", "handle", "nothing_like_this"]
    assert picked["nothing_like_this"].isna().all() and len(picked) == 13
    left_out = store.nodes("Account", exclude=["handle", "sources", "id"])
    assert "id" in left_out.columns and "handle" not in left_out.columns and "sources" not in left_out.columns
    assert "display_name" in left_out.columns
    transfers = store.relationships("TRANSFERRED", columns=["tx_id", "amount"])
    assert list(transfers.columns) == ["start", "end", "tx_id", "amount"]
    assert list(store.relationships("LINKS_TO", columns=[]).columns) == ["start", "end"]
    # the same rows, values and dtypes of whole numbers with gaps, on every store
    followers = store.nodes("Account", columns=["followers"])
    assert str(followers["followers"].dtype) == str(reference.nodes("Account", columns=["followers"])["followers"].dtype)
    for label in ("Account", "Listing", "Species", "PaymentChannel"):
        assert _comparable(store.nodes(label)) == _comparable(reference.nodes(label)), label
    for rel_type in ("TRANSFERRED", "MENTIONS", "SAME_AS", "USES"):
        assert _comparable(store.relationships(rel_type)) == _comparable(reference.relationships(rel_type)), rel_type
    assert store.nodes("Phone").empty and list(store.nodes("Phone").columns)[:1] == ["id"]


def test_one_node(store: GraphStore) -> None:
    hub = store.node(HUB)
    assert hub is not None and hub["label"] == "Account" and hub["id"] == HUB
    assert hub["followers"] == 1200 and hub["display_name"] == "The Hub"
    species = store.node("Species:Manis javanica")
    assert species is not None and list(species["common_names"]) == ["Sunda pangolin", "Malayan pangolin"]
    assert store.node("Account:instagram:nobody") is None
    assert store.node("NotALabel:x") is None


def test_neighbourhood_truncates_the_same_way_everywhere(store: GraphStore, reference: GraphStore) -> None:
    cut = store.neighbourhood(HUB, hops=1, limit=5, rel_types=["LINKS_TO"])
    # closest first is by id: the hub and a00..a03; the other 8 linked accounts are counted, not shown
    assert sorted(cut.nodes) == sorted([HUB, *LINKED[:4]])
    assert cut.nodes[HUB]["truncated"] == 8
    assert cut.nodes[LINKED[0]]["label"] == "Account"
    assert _picture(cut) == _picture(reference.neighbourhood(HUB, hops=1, limit=5, rel_types=["LINKS_TO"]))
    for hops, limit in ((1, 200), (2, 200), (2, 10), (2, 16)):
        assert _picture(store.neighbourhood(HUB, hops=hops, limit=limit)) == \
            _picture(reference.neighbourhood(HUB, hops=hops, limit=limit)), (hops, limit)
    whole = store.neighbourhood(HUB, hops=1, limit=200)
    assert "truncated" not in whole.nodes[HUB] and whole.number_of_nodes() == 1 + 12 + 3 + 1
    assert store.neighbourhood("Account:instagram:nobody").number_of_nodes() == 0


def test_search(store: GraphStore, reference: GraphStore) -> None:
    found = store.search("python")
    assert found["id"].tolist() == [HUB, "Listing:instagram:L1"]  # the bio, the title
    assert found.loc[1, "caption"] == "Ball python, captive bred"
    assert store.search("malayan pangolin")["id"].tolist() == ["Species:Manis javanica"]  # a list property
    assert store.search("PANGOLIN", labels=["Listing"])["id"].tolist() == ["Listing:instagram:L3"]
    assert len(store.search("instagram", limit=4)) == 4
    assert store.search("   ").empty and list(store.search("").columns) == ["id", "label", "caption"]
    for text in ("python", "a0", "pangolin", "p1@x", "zzz"):
        pd.testing.assert_frame_equal(store.search(text), reference.search(text), check_dtype=False)


def test_transfers_of_windows_and_last_only(store: GraphStore) -> None:
    def ids(table: pd.DataFrame) -> list[str]:
        return table["tx_id"].tolist()

    assert list(store.transfers_of([P1]).columns) == ["start", "end", "tx_id", "amount", "currency", "ts"]
    assert ids(store.transfers_of([P1])) == ["T1", "T2", "T4"]
    assert ids(store.transfers_of([P1, P2], limit=2)) == ["T1", "T2"]
    assert ids(store.transfers_of([P3], direction="in")) == ["T3", "T4"]
    assert ids(store.transfers_of([P1], since="2024-03-02T08:00:00Z", until="2024-03-03T23:59:59Z")) == ["T2"]
    assert ids(store.transfers_of([P1, P2], last_only=True)) == ["T3", "T4"]  # each channel's last out
    assert ids(store.transfers_of([P2, P3], direction="in", last_only=True)) == ["T1", "T3"]  # first in
    assert ids(store.transfers_of([P1], last_only=True, until="2024-03-02T12:00:00Z")) == ["T2"]
    assert store.transfers_of(["PaymentChannel:paypal:nobody"]).empty
    assert store.transfers_of([P1]).loc[0, "amount"] == 100.0


def _named_cases() -> dict[str, list[dict[str, Any]]]:
    return {
        "neighbourhood": [{"node": HUB, "hops": "1", "limit": "5"}, {"node": LINKED[0], "hops": "2"}],
        "shared_identifiers": [{"account": HUB}, {"account": LINKED[0]}],
        "listings_with_hashtag": [{"tag": "#RARE"}],
        "transfers_out": [{"channel": P1}, {"channel": P1, "limit": "1"}],
        "transfers_in": [{"channel": P3}],
        "account_listings": [{"account": HUB}],
        "species_listings": [{"species": "manis JAVANICA"}],
        "busiest_payers": [{"limit": "2"}, {}],
        "channel_type_flows": [{}],
        "daily_amounts": [{}],
        "transfers_by_id": [{"ids": "T3;T1;T1;nope"}, {"ids": ["T5"]}],
        "channel_holders": [{"ids": [P1, P3, "PaymentChannel:paypal:nobody"]}],
    }


def test_every_named_query_answers_as_the_reference(store: GraphStore, reference: GraphStore) -> None:
    cases = _named_cases()
    assert sorted(cases) == query_names()  # a new query needs a case here
    for name, params_list in cases.items():
        hits = 0
        for params in params_list:
            rows = store.run_named(name, params)
            assert rows == reference.run_named(name, params), (name, params)
            hits += bool(rows)
        assert hits, f"{name} found nothing: the comparison would be empty"
    assert store.run_named("busiest_payers", {"limit": "2"}) == [{"channel": P1, "transfers": 3},
                                                              {"channel": P3, "transfers": 1}]  # tie: by id
    assert store.run_named("channel_type_flows", {}) == [  # per currency and day; paypal → paypal left out
        {"source": "btc", "target": "paypal", "currency": "USD", "day": "2024-03-05", "amount": 3.0, "count": 1},
        {"source": "paypal", "target": "btc", "currency": "USD", "day": "2024-03-03", "amount": 140.0, "count": 1},
        {"source": "paypal", "target": "btc", "currency": "USD", "day": "2024-03-04", "amount": 7.25, "count": 1}]
    assert [r["tx_id"] for r in store.run_named("transfers_by_id", {"ids": "T3;T1;T1;nope"})] == ["T1", "T3"]


def test_set_rel_property_and_delete_derived(store: GraphStore) -> None:
    store.set_rel_property("SAME_AS", LINKED[0], LINKED[1], "status", "rejected")
    store.commit()
    links = store.relationships("SAME_AS", columns=["status", "score"])
    assert links[["start", "end", "status", "score"]].values.tolist() == [[LINKED[0], LINKED[1], "rejected", 0.9]]
    with pytest.raises(KeyError):
        store.set_rel_property("SAME_AS", LINKED[1], LINKED[0], "status", "rejected")  # no such direction
    with pytest.raises(ValueError):
        store.delete_derived("LINKS_TO")  # loaded from sources: never dropped
    store.delete_derived("SAME_AS")
    store.commit()
    assert store.relationships("SAME_AS").empty and store.stats()["relationships"]["LINKS_TO"] == 12


def test_commit_makes_writes_visible_to_a_new_reader(persisted_store: GraphStore) -> None:
    store = persisted_store
    batch = GraphBatch()
    batch.add_node("Hashtag:fresh", {"tag": "fresh"}, provenance("contract.csv", 999, "f" * 64, SEEN))
    with store.write_lock():
        store.upsert(batch)
        with store.write_lock():  # re-entrant: a load inside a unit of work
            store.commit()
    reader = open_store(store.url)
    try:
        assert reader.node("Hashtag:fresh") is not None
        assert reader.stats()["nodes"]["Hashtag"] == 2
    finally:
        if not isinstance(reader, SupportsCypher):
            reader.close()
