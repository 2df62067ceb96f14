"""The account graph analyses pushed down into Neo4j Graph Data Science (GDS 2.13).

Nothing but results comes back to Python: the account graph is projected on the server with a Cypher
aggregation (``gds.graph.project`` as an aggregation function) whose query computes the same evidence
weights as :mod:`graphbench.analytics.projection` — shared identifiers down-weighted by 1/log2(d)
and cut above the same degrees, transfers between the accounts' channels, cross-posts, profile links and
SAME_AS links not rejected — then Louvain / Leiden / PageRank / betweenness / WCC run in GDS and stream
``(id, value)`` rows. Every function takes ``run(cypher, params) -> list[dict]`` (the Neo4j store's
``run``), so this module opens no connection itself.

Projections are named ``graphbench-accounts-<random>`` by default and dropped when done
(:func:`projected_account_graph`), so concurrent users do not collide.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from graphbench.analytics import verdicts
from graphbench.analytics.communities import CommunityResult, renumber_by_size
from graphbench.analytics.projection import EVIDENCE_WEIGHTS, MAX_SHARED_DEGREE
from graphbench.store.base import GraphStore, gds_available

Runner = Callable[[str, dict[str, Any]], list[dict[str, Any]]]

GDS_ENGINES = ("louvain", "leiden")
# Above this many accounts, betweenness follows shortest paths from a sample of source nodes only.
EXACT_BETWEENNESS_BELOW = 5_000
DEFAULT_SAMPLING_SIZE = 512

# Accounts joined by a shared identifier: (label, pattern from acc to z, weight key).
_SHARED = (
    ("shared_phone", "(acc:Account)-[:HAS_PHONE]->(z:Phone)"),
    ("shared_email", "(acc:Account)-[:HAS_EMAIL]->(z:Email)"),
    ("shared_channel", "(acc:Account)-[:USES]->(z:PaymentChannel)"),
    ("shared_channel", "(acc:Account)-[:POSTED]->(:Listing)-[:ACCEPTS]->(z:PaymentChannel)"),
    ("shared_hashtag", "(acc:Account)-[:POSTED]->(:Listing)-[:TAGGED]->(z:Hashtag)"),
)


def available(store: GraphStore) -> bool:
    """The push-down rule: on a store whose server has GDS, whole-graph algorithms run there."""
    return gds_available(store)


def account_graph_query() -> str:
    """The Cypher aggregation that projects the weighted, undirected account graph (params below)."""
    shared_kinds: dict[str, list[str]] = {}
    for kind, pattern in _SHARED:
        shared_kinds.setdefault(kind, []).append(pattern)
    branches = []
    for kind, patterns in shared_kinds.items():
        # every account using z, through any of the kind's patterns, counted once
        users = " UNION ".join(f"MATCH {p} RETURN z, acc" for p in patterns)
        branches.append(f"""
        CALL {{ {users} }}
        WITH z, collect(DISTINCT acc) AS accs
        WHERE size(accs) >= 2 AND size(accs) <= $caps.{kind}
        UNWIND accs AS a UNWIND accs AS b
        WITH a, b, size(accs) AS d WHERE a.id < b.id
        RETURN a, b, $weights.{kind} * log(2) / log(d) AS w""")
    branches.append("""
        MATCH (c1:PaymentChannel)-[t:TRANSFERRED]->(c2:PaymentChannel)
        WITH c1, c2, count(t) AS n
        // holders read outwards from the channel: "MATCH (o:Account) WHERE (o)-[:USES]->(c1) OR …" was
        // planned as a scan of every account per channel pair (22 s for the 643-account sample)
        CALL { WITH c1 UNWIND [(o:Account)-[:USES]->(c1) | o]
                              + [(o:Account)-[:POSTED]->(:Listing)-[:ACCEPTS]->(c1) | o] AS o
               RETURN collect(DISTINCT o) AS senders }
        CALL { WITH c2 UNWIND [(o:Account)-[:USES]->(c2) | o]
                              + [(o:Account)-[:POSTED]->(:Listing)-[:ACCEPTS]->(c2) | o] AS o
               RETURN collect(DISTINCT o) AS receivers }
        WITH senders, receivers, n WHERE size(senders) <= $caps.shared_channel
                                      AND size(receivers) <= $caps.shared_channel
        UNWIND senders AS x UNWIND receivers AS y
        WITH x, y, n WHERE x <> y
        WITH CASE WHEN x.id < y.id THEN x ELSE y END AS a, CASE WHEN x.id < y.id THEN y ELSE x END AS b, n
        WITH a, b, sum(n) AS n
        RETURN a, b, $weights.transfer * log(1 + n) / log(2) AS w""")
    branches.append("""
        MATCH (x:Account)-[:POSTED]->(:Listing)-[r:CROSS_POSTED_AS]->(:Listing)<-[:POSTED]-(y:Account)
        WHERE x <> y
        WITH CASE WHEN x.id < y.id THEN x ELSE y END AS a, CASE WHEN x.id < y.id THEN y ELSE x END AS b,
             coalesce(toFloat(r.score), 1.0) AS score
        WITH a, b, sum(score) AS s
        RETURN a, b, $weights.cross_post * log(1 + s) / log(2) AS w""")
    branches.append("""
        MATCH (a:Account)-[:LINKS_TO]-(b:Account) WHERE a.id < b.id
        WITH DISTINCT a, b
        RETURN a, b, $weights.profile_link AS w""")
    branches.append("""
        MATCH (x:Account)-[r:SAME_AS]->(y:Account)
        WHERE x <> y AND """ + verdicts.CYPHER_NOT_REJECTED + """
        WITH CASE WHEN x.id < y.id THEN x ELSE y END AS a, CASE WHEN x.id < y.id THEN y ELSE x END AS b,
             coalesce(toFloat(r.score), 1.0) AS score
        RETURN a, b, $weights.same_as * score AS w""")
    branches.append("""
        MATCH (a:Account) RETURN a, null AS b, 0.0 AS w""")
    union = "\n        UNION ALL".join(branches)
    return f"""
    CALL {{ {union}
    }}
    WITH a, b, sum(w) AS weight
    WHERE b IS NULL OR weight > 0
    WITH gds.graph.project($name, a, b,
           {{relationshipProperties: CASE WHEN b IS NULL THEN {{}} ELSE {{weight: weight}} END}},
           {{undirectedRelationshipTypes: ['*']}}) AS g
    RETURN g.graphName AS name, g.nodeCount AS nodes, g.relationshipCount AS relationships"""


def project_account_graph(run: Runner, name: str | None = None, weights: Mapping[str, float] | None = None,
                          max_shared_degree: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Project the account graph into GDS; returns ``{name, nodes, relationships}`` (undirected pairs
    count twice in ``relationships``)."""
    params = {
        "name": name or f"graphbench-accounts-{uuid.uuid4().hex[:8]}",
        "weights": {**EVIDENCE_WEIGHTS, **(weights or {})},
        "caps": {**MAX_SHARED_DEGREE, **(max_shared_degree or {})},
    }
    rows = run(account_graph_query(), params)
    if not rows:  # no Account at all: an empty projection cannot exist in GDS
        return {"name": params["name"], "nodes": 0, "relationships": 0}
    return rows[0]


def drop_projection(run: Runner, name: str) -> None:
    run("CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName", {"name": name})


@contextmanager
def projected_account_graph(run: Runner, **options: Any) -> Iterator[dict[str, Any]]:
    """``with projected_account_graph(run) as graph: louvain(run, graph["name"])`` — dropped on exit."""
    graph = project_account_graph(run, **options)
    try:
        yield graph
    finally:
        if graph["nodes"]:
            drop_projection(run, graph["name"])


def communities(run: Runner, graph_name: str, engine: str = "leiden", resolution: float = 1.0, seed: int = 0,
                concurrency: int = 1) -> CommunityResult:
    """Louvain or Leiden in GDS on a projection; membership streamed back, modularity from
    ``gds.modularity.stats`` (weighted, γ = 1, the definition :mod:`communities` uses).

    GDS Louvain has no resolution parameter (only 1.0 is accepted) and no seed; with
    ``concurrency=1`` it repeats itself. Leiden takes both (``gamma``, ``randomSeed``).
    """
    if engine not in GDS_ENGINES:
        raise ValueError(f"unknown GDS community engine {engine!r}; known: {', '.join(GDS_ENGINES)}")
    prop = f"community_{uuid.uuid4().hex[:8]}"
    config: dict[str, Any] = {"relationshipWeightProperty": "weight", "mutateProperty": prop,
                              "concurrency": concurrency}
    if engine == "leiden":
        config.update({"gamma": float(resolution), "randomSeed": int(seed)})
    elif resolution != 1.0:
        raise ValueError("GDS Louvain has no resolution parameter; use engine 'leiden' for a resolution")
    started = time.perf_counter()
    run(f"CALL gds.{engine}.mutate($name, $config) YIELD communityCount RETURN communityCount",
        {"name": graph_name, "config": config})
    seconds = time.perf_counter() - started
    try:
        rows = run("CALL gds.graph.nodeProperty.stream($name, $prop) YIELD nodeId, propertyValue "
                   "RETURN gds.util.asNode(nodeId).id AS id, propertyValue AS community ORDER BY id",
                   {"name": graph_name, "prop": prop})
        quality = run("CALL gds.modularity.stats($name, {communityProperty: $prop, "
                      "relationshipWeightProperty: 'weight'}) YIELD modularity RETURN modularity",
                      {"name": graph_name, "prop": prop})
    finally:
        run("CALL gds.graph.nodeProperties.drop($name, [$prop]) YIELD graphName RETURN graphName",
            {"name": graph_name, "prop": prop})
    ids = [row["id"] for row in rows]
    labels = renumber_by_size(np.asarray([row["community"] for row in rows], dtype=np.int64))
    return CommunityResult(membership=dict(zip(ids, labels.tolist(), strict=True)),
                           modularity=float(quality[0]["modularity"]) if quality else 0.0,
                           engine=f"gds_{engine}", resolution=resolution, seed=seed, labels=labels,
                           seconds=seconds)


def pagerank(run: Runner, graph_name: str, damping: float = 0.85) -> pd.DataFrame:
    """``id, pagerank`` (weighted, scaled to sum to 1 like igraph / networkx), highest first."""
    rows = run("CALL gds.pageRank.stream($name, {relationshipWeightProperty: 'weight', dampingFactor: $d}) "
               "YIELD nodeId, score RETURN gds.util.asNode(nodeId).id AS id, score AS pagerank "
               "ORDER BY pagerank DESC, id", {"name": graph_name, "d": damping})
    table = pd.DataFrame(rows, columns=["id", "pagerank"])
    total = table["pagerank"].sum()
    if total > 0:
        table["pagerank"] = table["pagerank"] / total  # GDS scores sum to about n
    return table


def betweenness(run: Runner, graph_name: str, sampling_size: int | None = None, seed: int = 0) -> pd.DataFrame:
    """``id, betweenness`` (hops; normalised like networkx), highest first.

    ``sampling_size`` source nodes are followed when given (GDS's Brandes-Pich sampling, scaled to the
    whole graph); otherwise exact below :data:`EXACT_BETWEENNESS_BELOW` nodes and
    :data:`DEFAULT_SAMPLING_SIZE` above.
    """
    n = int(run("CALL gds.graph.list($name) YIELD nodeCount RETURN nodeCount", {"name": graph_name})[0]["nodeCount"])
    if sampling_size is None and n >= EXACT_BETWEENNESS_BELOW:
        sampling_size = DEFAULT_SAMPLING_SIZE
    config: dict[str, Any] = {}
    if sampling_size is not None and sampling_size < n:
        config = {"samplingSize": int(sampling_size), "samplingSeed": int(seed)}
    rows = run("CALL gds.betweenness.stream($name, $config) YIELD nodeId, score "
               "RETURN gds.util.asNode(nodeId).id AS id, score AS betweenness ORDER BY betweenness DESC, id",
               {"name": graph_name, "config": config})
    table = pd.DataFrame(rows, columns=["id", "betweenness"])
    # GDS counts each undirected pair once (like igraph) and does not scale a sample up: scale by
    # n / sources, then divide by the pairs not including the node.
    sources = config.get("samplingSize", n)
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    table["betweenness"] = table["betweenness"] * scale * n / max(sources, 1)
    return table


def components(run: Runner, graph_name: str) -> pd.DataFrame:
    """``id, component`` (weakly connected components), components numbered by size (0 = largest)."""
    rows = run("CALL gds.wcc.stream($name) YIELD nodeId, componentId "
               "RETURN gds.util.asNode(nodeId).id AS id, componentId AS component ORDER BY id",
               {"name": graph_name})
    table = pd.DataFrame(rows, columns=["id", "component"])
    table["component"] = renumber_by_size(table["component"].to_numpy())
    return table


def centrality(run: Runner, graph_name: str, sampling_size: int | None = None, seed: int = 0) -> pd.DataFrame:
    """``id, degree, betweenness, pagerank``, highest betweenness first (the CLI's centrality shape)."""
    table = betweenness(run, graph_name, sampling_size, seed).merge(pagerank(run, graph_name), on="id")
    count = run("CALL gds.degree.stream($name) YIELD nodeId, score "
                "RETURN gds.util.asNode(nodeId).id AS id, toInteger(score) AS degree", {"name": graph_name})
    table = table.merge(pd.DataFrame(count, columns=["id", "degree"]), on="id")
    table = table.sort_values(["betweenness", "pagerank"], ascending=False, kind="stable")
    return table[["id", "degree", "betweenness", "pagerank"]].reset_index(drop=True)


def communities_document(run: Runner, engine: str = "leiden", resolution: float = 1.0, seed: int = 0,
                         min_size: int = 1, key_members: int = 5) -> dict[str, Any]:
    """The ``communities --json`` document computed in GDS: project, detect, rank members by PageRank, drop."""
    with projected_account_graph(run) as graph:
        if not graph["nodes"]:
            return {"engine": f"gds_{engine}", "resolution": resolution, "seed": seed, "modularity": 0.0,
                    "communities": []}
        result = communities(run, graph["name"], engine=engine, resolution=resolution, seed=seed)
        rank = pagerank(run, graph["name"]).set_index("id")["pagerank"]
    groups = result.communities(min_size=min_size)
    entries = []
    for members in groups:
        community = result.membership[members[0]]
        ranked = sorted(members, key=lambda m: (-rank.get(m, 0.0), str(m)))
        entries.append({"id": community, "size": len(members), "members": [str(m) for m in members],
                        "key_members": [str(m) for m in ranked[:key_members]]})
    return {"engine": result.engine, "resolution": resolution, "seed": seed, "modularity": result.modularity,
            "seconds": result.seconds, "communities": entries}
