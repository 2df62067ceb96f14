"""One contract, two stores: the same files give the same graph, and every named query gives the
same rows, in the embedded store and in the real Neo4j server."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphbench.export.jsonl import generate_jsonl
from graphbench.store import open_store
from graphbench.store.named_queries import query_names
from loaders.load import load_dir

MINI = Path(__file__).parent / "fixtures" / "mini"
pytestmark = pytest.mark.neo4j


def _params_for(store, name: str) -> list[dict[str, str]]:
    """Parameters that hit real data: taken from the loaded graph itself."""
    accounts = sorted(store.nodes("Account")["id"])
    channels = sorted(store.nodes("PaymentChannel")["id"])
    tags = sorted(store.nodes("Hashtag")["id"])
    species = sorted(store.nodes("Species")["id"])
    tx_ids = sorted(store.relationships("TRANSFERRED", ["tx_id"])["tx_id"])
    return {
        "neighbourhood": [{"node": a, "hops": h, "limit": "500"} for a in accounts[:3] for h in ("1", "2")],
        "shared_identifiers": [{"account": a} for a in accounts],
        "listings_with_hashtag": [{"tag": "#" + t.split(":", 1)[1].upper()} for t in tags],
        "transfers_out": [{"channel": c} for c in channels],
        "transfers_in": [{"channel": c} for c in channels],
        "account_listings": [{"account": a} for a in accounts],
        "species_listings": [{"species": s.split(":", 1)[1].lower()} for s in species],
        "busiest_payers": [{"limit": "2"}, {}],
        "channel_type_flows": [{}],
        "daily_amounts": [{}],
        "transfers_by_id": [{"ids": ";".join(tx_ids[:3] + ["nope"])}, {"ids": tx_ids}],
        "channel_holders": [{"ids": ";".join(channels[:5] + ["PaymentChannel:paypal:nobody"])}, {"ids": channels}],
    }[name]


@pytest.fixture
def both(neo4j_store, tmp_path: Path):
    embedded = open_store("memory:")
    load_dir(embedded, MINI, rejects_dir=tmp_path / "a")
    load_dir(neo4j_store, MINI, rejects_dir=tmp_path / "b")
    return embedded, neo4j_store


@pytest.fixture(scope="module")
def both_read(neo4j_session_store, neo4j_emptier, tmp_path_factory: pytest.TempPathFactory):
    """As ``both``, loaded once for the named-query tests, which only read (a load each cost ~2.5 s)."""
    neo4j_emptier(neo4j_session_store)
    embedded = open_store("memory:")
    load_dir(embedded, MINI, rejects_dir=tmp_path_factory.mktemp("a"))
    load_dir(neo4j_session_store, MINI, rejects_dir=tmp_path_factory.mktemp("b"))
    return embedded, neo4j_session_store


def test_same_files_give_the_same_graph(both) -> None:
    embedded, neo4j = both
    lines = list(generate_jsonl(embedded))
    assert lines and list(generate_jsonl(neo4j)) == lines
    assert embedded.stats() == neo4j.stats()


def test_loading_twice_changes_nothing_in_neo4j(both, tmp_path: Path) -> None:
    _, neo4j = both
    before = list(generate_jsonl(neo4j))
    load_dir(neo4j, MINI, rejects_dir=tmp_path / "c")
    assert list(generate_jsonl(neo4j)) == before


@pytest.mark.parametrize("name", query_names())
def test_named_query_parity(both_read, name: str) -> None:
    embedded, neo4j = both_read
    cases = _params_for(embedded, name)
    assert cases, f"no parameters found for {name}"
    hits = 0
    for params in cases:
        rows = embedded.run_named(name, params)
        assert neo4j.run_named(name, params) == rows, params
        hits += bool(rows)
    assert hits, f"{name} returned no rows for any parameter: the parity check would be empty"


def test_constraints_exist(neo4j_store) -> None:
    rows = neo4j_store.read("SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type")
    unique = {(r["labelsOrTypes"][0], tuple(r["properties"])) for r in rows if "UNIQUE" in r["type"]}
    from graphbench.schema import NODE_TYPES

    for label in NODE_TYPES:
        assert (label, ("id",)) in unique


def test_sample_data_gives_the_same_graph_in_both_stores(neo4j_store, sample_store, tmp_path: Path) -> None:
    import graphbench.store.neo4j_writes as neo4j_module

    # the sample's batches are split into several chunks written at once (nodes, then relationships)
    assert neo4j_module.WRITERS > 1 and neo4j_module.MIN_CHUNK < 5_000
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    load_dir(neo4j_store, sample, rejects_dir=tmp_path / "first")
    expected = list(generate_jsonl(sample_store))
    actual = list(generate_jsonl(neo4j_store))
    assert len(actual) == len(expected)
    assert actual == expected
    # again, now through the merge path (every key exists) in parallel chunks: nothing changes
    load_dir(neo4j_store, sample, rejects_dir=tmp_path / "again")
    assert list(generate_jsonl(neo4j_store)) == expected
