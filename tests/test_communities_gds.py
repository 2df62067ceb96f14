"""Community detection and centrality pushed down into Neo4j GDS give the Python engines' answers on
the planted rings (skipped without a local Neo4j)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from planted_rings import nmi, planted_rings, rel

from graphbench.analytics.communities import detect_communities
from graphbench.analytics.projection import build_account_graph

# -- the same, pushed down into Neo4j GDS (skipped without a local Neo4j) -------------------------


def batch_from_tables(tables: dict[str, pd.DataFrame]):
    from graphbench.batch import GraphBatch, provenance

    batch, seen = GraphBatch(), set()
    for rel_type, table in tables.items():
        for row_number, row in enumerate(table.to_dict("records")):
            for node in (row["start"], row["end"]):
                if node not in seen:
                    seen.add(node)
                    batch.add_node(node, {}, provenance("test", 0, "0" * 64, None))
            properties = {k: v for k, v in row.items() if k not in ("start", "end")}
            batch.add_rel(rel_type, row["start"], row["end"], properties,
                          provenance("test", row_number, "0" * 64, None))
    return batch


@pytest.fixture()
def neo4j_rings(neo4j_store):
    tables, truth = planted_rings()
    tables["SAME_AS"] = rel([("Account:facebook:r0m0", "Account:facebook:r5m0"),
                             ("Account:facebook:r1m0", "Account:instagram:r1m3")],
                            score=[0.8, 0.9], status=["rejected", "confirmed"])
    tables["TRANSFERRED"] = rel([("PaymentChannel:paypal:ring2@pay.example", "PaymentChannel:wechat:w3")] * 2,
                                tx_id=["t1", "t2"], amount=[10.0, 20.0])
    tables["CROSS_POSTED_AS"] = rel([("Listing:marketplace:L041", "Listing:marketplace:L072")],
                                    method=["image"], score=[0.95])
    neo4j_store.upsert(batch_from_tables(tables))
    return neo4j_store, tables, truth


def test_gds_projection_has_the_python_weights(neo4j_rings):
    from graphbench.analytics import gds

    store, tables, _ = neo4j_rings
    python_graph = build_account_graph(tables)
    with gds.projected_account_graph(store.run) as projection:
        rows = store.run("CALL gds.graph.relationshipProperty.stream($name, 'weight') "
                         "YIELD sourceNodeId, targetNodeId, propertyValue "
                         "RETURN gds.util.asNode(sourceNodeId).id AS a, gds.util.asNode(targetNodeId).id AS b, "
                         "propertyValue AS weight", {"name": projection["name"]})
    assert projection["nodes"] == python_graph.n_nodes
    assert projection["relationships"] == 2 * python_graph.n_edges  # undirected: both directions
    server = pd.DataFrame(rows)
    server = server[server["a"] < server["b"]].set_index(["a", "b"])["weight"].sort_index()
    local = python_graph.evidence_frame().set_index(["a", "b"])["weight"].sort_index()
    assert server.index.equals(local.index)
    assert np.allclose(server.to_numpy(), local.to_numpy())


@pytest.mark.parametrize("engine", ["louvain", "leiden"])
def test_gds_finds_the_planted_rings(neo4j_rings, engine):
    from graphbench.analytics import gds

    store, _, truth = neo4j_rings
    with gds.projected_account_graph(store.run) as projection:
        result = gds.communities(store.run, projection["name"], engine=engine, seed=0)
        again = gds.communities(store.run, projection["name"], engine=engine, seed=0)
        names = {row["graphName"] for row in store.run("CALL gds.graph.list() YIELD graphName "
                                                        "RETURN graphName", {})}
        assert projection["name"] in names
    assert result.engine == f"gds_{engine}"
    assert nmi(result.membership, truth) >= 0.9
    assert result.membership == again.membership
    python_result = detect_communities(build_account_graph(
        {k: v for k, v in neo4j_rings[1].items()}), seed=0)
    assert result.modularity == pytest.approx(python_result.modularity, abs=0.01)
    assert projection["name"] not in {row["graphName"] for row in store.run(
        "CALL gds.graph.list() YIELD graphName RETURN graphName", {})}


def test_gds_centrality_matches_python(neo4j_rings):
    from graphbench.analytics import gds
    from graphbench.analytics.centrality import centrality_table

    store, tables, _ = neo4j_rings
    python_table = centrality_table(build_account_graph(tables)).table.set_index("id")
    with gds.projected_account_graph(store.run) as projection:
        table = gds.centrality(store.run, projection["name"])
        sampled = gds.betweenness(store.run, projection["name"], sampling_size=50, seed=1)
        parts = gds.components(store.run, projection["name"])
    assert list(table.columns) == ["id", "degree", "betweenness", "pagerank"]
    assert table["betweenness"].is_monotonic_decreasing
    joined = table.set_index("id").join(python_table, rsuffix="_py")
    assert np.allclose(joined["betweenness"], joined["betweenness_py"])
    assert np.allclose(joined["pagerank"], joined["pagerank_py"], atol=1e-4)
    assert (joined["degree"] == joined["degree_py"]).all()
    top = python_table["betweenness"].sort_values(ascending=False)
    estimate = sampled.set_index("id")["betweenness"]
    assert (estimate[top.index[:5]] / top.iloc[:5]).between(0.5, 2.0).all()  # scaled to the whole graph
    assert parts["component"].nunique() == len(parts.groupby("component"))
    assert parts["component"].min() == 0


def test_gds_communities_document(neo4j_rings):
    from graphbench.analytics import gds

    store, _, truth = neo4j_rings
    document = gds.communities_document(store.run, seed=0, min_size=2)
    assert document["engine"] == "gds_leiden" and document["modularity"] > 0.8
    membership = {m: c["id"] for c in document["communities"] for m in c["members"]}
    assert set(membership) == set(truth)  # no singletons in this graph
    assert nmi(membership, truth) >= 0.9
    for community in document["communities"]:
        assert set(community["key_members"]) <= set(community["members"])
        assert len(community["key_members"]) == min(5, community["size"])


def test_gds_on_an_empty_database(neo4j_store):
    from graphbench.analytics import gds

    document = gds.communities_document(neo4j_store.run)
    assert document["communities"] == [] and document["modularity"] == 0.0
