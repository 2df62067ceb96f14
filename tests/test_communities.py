"""Account graph projection and community detection on graphs whose communities are known."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from planted_rings import RING_SIZE, RINGS, nmi, planted_rings, rel

from graphbench.analytics.communities import (
    DEFAULT_ENGINE,
    ENGINES,
    detect_communities,
    modularity,
    renumber_by_size,
    resolution_sweep,
    summarise_communities,
)
from graphbench.analytics.projection import AccountGraph, account_identifiers, build_account_graph


@pytest.fixture(scope="module")
def rings() -> tuple[dict[str, pd.DataFrame], dict[str, int], AccountGraph]:
    tables, truth = planted_rings()
    return tables, truth, build_account_graph(tables)



# -- projection --------------------------------------------------------------------------------


def test_projection_weights_shared_identifiers_and_drops_popular_ones(rings):
    _, truth, graph = rings
    assert graph.n_nodes == len(truth)
    edges = graph.evidence_frame().set_index(["a", "b"])
    pair = edges.loc[("Account:facebook:r0m0", "Account:instagram:r0m1")]
    # channel used by 5 accounts: 2.5 / log2(5); phone on 2: 3.0; hashtag #ring0 on 5: 0.5 / log2(5)
    assert pair["shared_channel"] == pytest.approx(2.5 / np.log2(5))
    assert pair["shared_phone"] == pytest.approx(3.0)
    assert pair["shared_hashtag"] == pytest.approx(0.5 / np.log2(5))
    # #pets and the escrow channel (100 accounts each) join nobody: no pair without other evidence
    same_ring = [truth[a] == truth[b] for a, b in edges.index]
    cross = edges[[not s for s in same_ring]]
    assert (cross["profile_link"] > 0).all()
    assert (cross["shared_channel"] == 0).all() and (cross["shared_hashtag"] == 0).all()


def test_projection_reads_transfers_cross_posts_and_unrejected_same_as():
    tables = {
        "USES": rel([("Account:x:a", "PaymentChannel:p:1"), ("Account:x:b", "PaymentChannel:p:2")]),
        "TRANSFERRED": rel([("PaymentChannel:p:1", "PaymentChannel:p:2")] * 3, tx_id=["t1", "t2", "t3"]),
        "POSTED": rel([("Account:x:c", "Listing:x:1"), ("Account:x:d", "Listing:x:2")]),
        "CROSS_POSTED_AS": rel([("Listing:x:1", "Listing:x:2")], score=[1.0]),
        "SAME_AS": rel([("Account:x:a", "Account:x:c"), ("Account:x:b", "Account:x:d")],
                       score=[0.9, 0.9], status=["confirmed", "rejected"]),
    }
    graph = build_account_graph(tables, accounts=pd.DataFrame({"id": ["Account:x:lonely"]}))
    edges = graph.evidence_frame().set_index(["a", "b"])
    assert edges.loc[("Account:x:a", "Account:x:b"), "transfer"] == pytest.approx(1.5 * np.log2(4))
    assert edges.loc[("Account:x:c", "Account:x:d"), "cross_post"] == pytest.approx(2.0)
    assert edges.loc[("Account:x:a", "Account:x:c"), "same_as"] == pytest.approx(3.0 * 0.9)
    assert ("Account:x:b", "Account:x:d") not in edges.index  # the analyst rejected it
    assert "Account:x:lonely" in graph.index


def test_projection_of_nothing_is_empty():
    graph = build_account_graph({})
    assert graph.n_nodes == 0 and graph.n_edges == 0
    assert detect_communities(graph).membership == {}


def test_account_identifiers_include_channels_and_hashtags_of_listings(rings):
    tables, _, _ = rings
    uses = account_identifiers(tables)
    mine = set(uses[uses["account"] == "Account:facebook:r3m0"]["identifier"])
    assert {"PaymentChannel:wechat:w3", "Hashtag:ring3", "Phone:+8490000003"} <= mine


def test_converters_agree(rings):
    _, _, graph = rings
    assert graph.to_networkx().number_of_edges() == graph.n_edges
    assert graph.to_igraph().ecount() == graph.n_edges
    assert graph.to_networkit().numberOfEdges() == graph.n_edges
    assert graph.to_networkx().size(weight="weight") == pytest.approx(graph.weight.sum())


# -- communities ------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_planted_rings_recovered(rings, engine):
    _, truth, graph = rings
    resolution = 0.5 if engine == "leiden_cpm" else 1.0
    result = detect_communities(graph, engine=engine, resolution=resolution, seed=0)
    assert nmi(result.membership, truth) >= 0.9


def test_popular_hashtag_and_escrow_do_not_merge_rings():
    tables, truth = planted_rings(noise_links=0)
    result = detect_communities(build_account_graph(tables), seed=0)
    assert result.n_communities == RINGS
    assert nmi(result.membership, truth) == pytest.approx(1.0)


def test_the_degree_cut_is_what_keeps_a_half_popular_hashtag_out():
    tables, _ = planted_rings(noise_links=0)
    tagged = tables["TAGGED"]
    # #pets only on the first ten rings' listings (a block of 50 accounts, not the uniform background),
    # heavily weighted, and no ring hashtags
    half = tagged[(tagged["end"] == "Hashtag:pets") & tagged["start"].str.contains(r"L0\d")]
    tables = {**tables, "TAGGED": half}
    assert detect_communities(build_account_graph(tables, weights={"shared_hashtag": 40.0}),
                              seed=0).n_communities == RINGS
    uncut = build_account_graph(tables, weights={"shared_hashtag": 40.0},
                                max_shared_degree={"shared_hashtag": 10_000})
    assert detect_communities(uncut, seed=0).n_communities < RINGS


def karate() -> nx.Graph:
    return nx.Graph(nx.karate_club_graph().edges())  # unweighted: networkx's copy carries weights


def test_karate_modularity_with_default_engine():
    assert detect_communities(karate(), seed=0).modularity >= 0.418


def test_default_engine_matches_reference_louvain():
    graph = AccountGraph.from_networkx(karate())
    default = detect_communities(graph, seed=0)
    reference = detect_communities(graph, engine="louvain", seed=0)
    assert default.engine == DEFAULT_ENGINE
    assert abs(default.modularity - reference.modularity) <= 0.01


@pytest.mark.parametrize("engine", ENGINES)
def test_seeded_runs_repeat(rings, engine):
    _, _, graph = rings
    first = detect_communities(graph, engine=engine, seed=3)
    again = detect_communities(graph, engine=engine, seed=3)
    assert first.membership == again.membership


def test_modularity_is_computed_like_networkx(rings):
    _, _, graph = rings
    result = detect_communities(graph, engine="louvain", seed=0)
    expected = nx.community.modularity(graph.to_networkx(), result.communities(), weight="weight")
    assert result.modularity == pytest.approx(expected)
    assert modularity(graph, np.zeros(graph.n_nodes, dtype=int)) == pytest.approx(0.0)


def test_communities_numbered_by_size():
    assert renumber_by_size([7, 7, 3, 9, 9, 9]).tolist() == [1, 1, 2, 0, 0, 0]


def test_cpm_escapes_the_resolution_limit():
    # 30 five-cliques in a ring, one edge between neighbours: modularity merges cliques, CPM does not.
    graph = nx.ring_of_cliques(30, 5)
    modularity_result = detect_communities(graph, engine="louvain", seed=0)
    cpm_result = detect_communities(graph, engine="leiden_cpm", resolution=0.5, seed=0)
    assert cpm_result.n_communities == 30
    assert modularity_result.n_communities < 30


def test_resolution_sweep_finds_more_communities_at_higher_resolution(rings):
    _, _, graph = rings
    sweep = resolution_sweep(graph, resolutions=(0.05, 1.0, 8.0), seed=0)
    assert list(sweep["resolution"]) == [0.05, 1.0, 8.0]
    assert sweep["communities"].is_monotonic_increasing
    assert sweep["communities"].iloc[0] < RINGS <= sweep["communities"].iloc[-1]


def test_summaries_describe_each_ring(rings):
    tables, truth, graph = rings
    result = detect_communities(build_account_graph(planted_rings(noise_links=0)[0]), seed=0)
    summaries = summarise_communities(result, build_account_graph(planted_rings(noise_links=0)[0]), tables)
    assert len(summaries) == RINGS
    for summary in summaries:
        ring = truth[summary.key_members[0]]
        assert summary.size == RING_SIZE
        assert summary.species == [f"Species:Species {ring}"]
        # the marketplace escrow every ring pays is popular (issue 14): never a ring's first channel, kept apart
        assert summary.payment_channels[0] == f"PaymentChannel:paypal:ring{ring}@pay.example"
        assert "PaymentChannel:escrow:market" not in summary.payment_channels
        assert "PaymentChannel:escrow:market" in summary.popular
        assert f"PaymentChannel:wechat:w{ring}" in summary.payment_channels
        assert summary.hashtags == [f"Hashtag:ring{ring}"]  # #pets, which all 100 accounts use, is popular
        assert set(summary.popular) == {"PaymentChannel:escrow:market", "Hashtag:pets"}
        assert summary.platforms == ["facebook", "instagram"]
        assert summary.countries == [f"C{ring % 4}"]
        assert summary.brokers == []  # no ties outside without noise links
        # the two phone sharers carry the most weight inside
        assert set(summary.key_members[:2]) == {f"Account:facebook:r{ring}m0", f"Account:instagram:r{ring}m1"}


def test_summaries_name_brokers(rings):
    tables, _, graph = rings
    result = detect_communities(graph, seed=0)
    linked = set(tables["LINKS_TO"]["start"]) | set(tables["LINKS_TO"]["end"])
    brokers = {b for s in summarise_communities(result, graph, tables) for b in s.brokers}
    assert brokers and brokers <= linked


@pytest.fixture(scope="module")
def sample_graph(sample_store):
    from graphbench.analytics.projection import PROJECTION_INPUTS

    tables = {t: sample_store.relationships(t) for t in (*PROJECTION_INPUTS, "MENTIONS", "LOCATED_IN")}
    return tables, build_account_graph(tables, accounts=sample_store.nodes("Account"))


@pytest.mark.parametrize("engine", ENGINES)
def test_sample_rings_come_out_whole_and_apart(sample_graph, ground_truth, engine):
    """Every planted ring of the sample data is one community, and no two rings share one."""
    _, graph = sample_graph
    ring_of = {a: ring["id"] for ring in ground_truth["rings"] for a in ring["accounts"]}
    result = detect_communities(graph, engine=engine, resolution=0.5 if engine == "leiden_cpm" else 1.0, seed=0)
    communities_of_ring: dict[str, set[int]] = {}
    for account, ring in ring_of.items():
        communities_of_ring.setdefault(ring, set()).add(result.membership[account])
    assert all(len(c) == 1 for c in communities_of_ring.values())
    assert len(set.union(*communities_of_ring.values())) == len(ground_truth["rings"])


def test_sample_popular_identifiers_join_nobody(sample_graph, ground_truth):
    """The escrow channel and generic hashtags add no weight: the graph is the same without them."""
    tables, graph = sample_graph
    popular = set(ground_truth["popular_identifiers"])
    without = {name: table[~table["end"].isin(popular)] for name, table in tables.items()}
    assert sum(len(tables[n]) - len(without[n]) for n in tables) > 100  # they are really used
    pruned = build_account_graph(without, accounts=pd.DataFrame({"id": graph.ids}))
    kinds = ["shared_channel", "shared_hashtag"]
    full = graph.evidence_frame().set_index(["a", "b"])[kinds]
    full = full[(full > 0).any(axis=1)]
    reduced = pruned.evidence_frame().set_index(["a", "b"])[kinds]
    reduced = reduced[(reduced > 0).any(axis=1)]
    pd.testing.assert_frame_equal(full.sort_index(), reduced.sort_index())


def test_sample_summaries_name_ring_species(sample_graph, ground_truth):
    tables, graph = sample_graph
    result = detect_communities(graph, seed=0)
    summaries = {s.community: s for s in summarise_communities(result, graph, tables, top=6)}
    for ring in ground_truth["rings"]:
        summary = summaries[result.membership[ring["accounts"][0]]]
        named = {s.removeprefix("Species:") for s in summary.species}
        assert named & set(ring["species"]), (ring["id"], summary.species)
