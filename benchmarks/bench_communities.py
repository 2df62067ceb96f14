"""Community engines side by side on planted-partition graphs with known communities.

    .venv/bin/python benchmarks/bench_communities.py [--sizes 10000 100000 1000000] [--louvain-limit 300]

For each size (edges) and engine: wall time of the engine call (conversion from the integer edge
arrays included), modularity (recomputed the same way for every engine), NMI against the planted
communities, and peak memory the run added (ru_maxrss of a fresh process, after the graph was built).
GDS (Louvain on a projection of the same graph in the local Neo4j, NEO4J_URI / NEO4J_PASSWORD;
``--skip-neo4j`` leaves it out) is timed on the algorithm call, its projection and PageRank beside it.
Then PageRank and pivot-sampled betweenness times (igraph, via graphbench.analytics.centrality).
Every measurement runs in its own process, one at a time. Prints one Markdown table with ratios
against python-louvain and writes the figures to benchmarks/out/bench_communities.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
ENGINES = ("louvain", "networkit", "networkit_parallel", "leiden", "leiden_cpm", "gds")
# CPM's resolution is a density: between the planted communities' (~0.16) and the background's (~1/n).
CPM_RESOLUTION = 0.05
MEAN_DEGREE = 10
COMMUNITY_SIZE = 50
MIXING = 0.2  # share of edges that leave their community


def planted_partition(n_edges: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges (source, target) and the community of each node: equal communities of 50, 20% mixing."""
    rng = np.random.default_rng(seed)
    n_nodes = max(COMMUNITY_SIZE * 2, 2 * n_edges // MEAN_DEGREE)
    truth = np.arange(n_nodes) // COMMUNITY_SIZE
    n_groups = truth.max() + 1
    draw = int(n_edges * 1.5)  # duplicates and self-loops are dropped below
    inside = rng.random(draw) >= MIXING
    group = rng.integers(0, n_groups, draw)
    first = np.where(inside, group * COMMUNITY_SIZE + rng.integers(0, COMMUNITY_SIZE, draw),
                     rng.integers(0, n_nodes, draw))
    second = np.where(inside, group * COMMUNITY_SIZE + rng.integers(0, COMMUNITY_SIZE, draw),
                      rng.integers(0, n_nodes, draw))
    first, second = np.minimum(first, second), np.maximum(first, second)
    keep = first != second
    pairs = np.unique(first[keep] * n_nodes + second[keep])
    pairs = rng.permutation(pairs)[:n_edges]
    return pairs // n_nodes, pairs % n_nodes, truth


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure_engine(n_edges: int, engine: str) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    from graphbench.analytics.communities import detect_communities
    from graphbench.analytics.projection import AccountGraph

    source, target, truth = planted_partition(n_edges)
    graph = AccountGraph.from_edges(np.arange(len(truth)), source, target)
    if engine == "gds":
        return _gds(graph, truth)
    warm_up = AccountGraph.from_edges(np.arange(4), np.array([0, 1, 2]), np.array([1, 2, 3]))
    detect_communities(warm_up, engine="networkit" if engine == "networkit_parallel" else engine)  # imports
    before = peak_mb()
    if engine == "networkit_parallel":
        result, seconds, repeatable = _networkit_parallel(graph)
    else:
        resolution = CPM_RESOLUTION if engine == "leiden_cpm" else 1.0
        result = detect_communities(graph, engine=engine, resolution=resolution, seed=0)
        seconds, repeatable = result.seconds, None
    return {"edges": graph.n_edges, "nodes": graph.n_nodes, "engine": engine, "seconds": seconds,
            "modularity": result.modularity, "communities": result.n_communities,
            "nmi": float(normalized_mutual_info_score(truth, result.labels)),
            "peak_mb_added": peak_mb() - before, "repeatable": repeatable}


def _networkit_parallel(graph: object) -> tuple[object, float, bool]:
    """PLM on every core, as networkit runs by default: faster, but is it repeatable under a seed?"""
    import networkit as nk

    from graphbench.analytics.communities import CommunityResult, modularity, renumber_by_size

    partitions = []
    seconds = 0.0
    for _ in range(2):
        nk.engineering.setSeed(0, True)
        started = time.perf_counter()
        algorithm = nk.community.PLM(graph.to_networkit(), refine=True, gamma=1.0, par="balanced")
        algorithm.run()
        seconds = seconds or time.perf_counter() - started
        partitions.append(renumber_by_size(algorithm.getPartition().getVector()))
    labels = partitions[0]
    result = CommunityResult({}, modularity(graph, labels), "networkit_parallel", 1.0, 0, labels, seconds)
    return result, seconds, bool(np.array_equal(partitions[0], partitions[1]))


def _gds(graph: Any, truth: np.ndarray) -> dict:
    """GDS Louvain on the same graph, projected from integer edge lists (no database nodes): the time is
    the algorithm's stream call once the projection exists (what push-down costs per run); projecting
    and GDS PageRank are timed beside it. Memory is the server's, so GDS's own estimate is given."""
    from neo4j import GraphDatabase
    from sklearn.metrics import normalized_mutual_info_score

    from graphbench.analytics.communities import modularity, renumber_by_size

    driver = GraphDatabase.driver(os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"),  # set by main
                                  auth=(os.environ.get("NEO4J_USER", "neo4j"),
                                        os.environ.get("NEO4J_PASSWORD", "graphbench-dev")),
                                  notifications_min_severity="OFF")
    name = "graphbench_bench_communities"
    edges = np.column_stack([graph.source, graph.target, graph.weight]).tolist()
    project = ("UNWIND $edges AS e WITH gds.graph.project($name, toInteger(e[0]), toInteger(e[1]), "
               "{relationshipProperties: {weight: e[2]}}, {undirectedRelationshipTypes: ['*']}) AS g "
               "RETURN g.nodeCount")
    drop = "CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName"
    config = {"relationshipWeightProperty": "weight", "concurrency": os.cpu_count() or 1}
    with driver.session() as session:
        session.run(drop, name=name).consume()
        # the server compiles GDS's code paths on first use: a tiny graph first, untimed
        session.run(project, name=name, edges=[[0, 1, 1.0], [1, 2, 1.0], [2, 0, 1.0]]).consume()
        session.run("CALL gds.louvain.stream($name, $config) YIELD nodeId RETURN count(*)", name=name,
                    config=config).consume()
        session.run(drop, name=name).consume()
        started = time.perf_counter()
        session.run(project, name=name, edges=edges).consume()
        project_s = time.perf_counter() - started
        started = time.perf_counter()
        rows = session.run("CALL gds.louvain.stream($name, $config) YIELD nodeId, communityId "
                           "RETURN collect([nodeId, communityId]) AS found", name=name, config=config).single()
        seconds = time.perf_counter() - started
        estimate = session.run("CALL gds.louvain.stream.estimate($name, $config) YIELD bytesMax RETURN bytesMax",
                               name=name, config=config).single()["bytesMax"]
        started = time.perf_counter()
        session.run("CALL gds.pageRank.stream($name, {concurrency: $c}) YIELD nodeId RETURN count(*)",
                    name=name, c=config["concurrency"]).consume()
        pagerank_s = time.perf_counter() - started
        session.run(drop, name=name).consume()
    driver.close()
    labels = np.arange(graph.n_nodes) + graph.n_nodes  # a node with no edge is its own community
    found = np.array(rows["found"], dtype=np.int64).reshape(-1, 2)
    labels[found[:, 0]] = found[:, 1]
    labels = renumber_by_size(labels)
    return {"edges": graph.n_edges, "nodes": graph.n_nodes, "engine": "gds", "seconds": seconds,
            "modularity": modularity(graph, labels), "communities": int(labels.max()) + 1,
            "nmi": float(normalized_mutual_info_score(truth, labels)), "peak_mb_added": estimate / 2**20,
            "memory_is": "GDS estimate (server)", "project_seconds": project_s, "pagerank_seconds": pagerank_s,
            "repeatable": None}


def measure_centrality(n_edges: int, pivots: int) -> dict:
    from graphbench.analytics.centrality import centrality_table
    from graphbench.analytics.projection import AccountGraph

    source, target, truth = planted_partition(n_edges)
    graph = AccountGraph.from_edges(np.arange(len(truth)), source, target)
    centrality_table(AccountGraph.from_edges(np.arange(4), np.array([0, 1, 2]), np.array([1, 2, 3])))  # imports
    before = peak_mb()
    result = centrality_table(graph, exact_below=0, pivots=pivots, seed=0)
    return {"edges": graph.n_edges, "nodes": graph.n_nodes, "pagerank_seconds": result.seconds_pagerank,
            "betweenness_seconds": result.seconds_betweenness, "pivots": result.pivots,
            "betweenness_relative_error": result.relative_error, "peak_mb_added": peak_mb() - before}


def in_fresh_process(args: list[str], timeout: float) -> dict | None:
    """Run this script on one measurement in its own process; None when it ran out of time."""
    try:
        done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=timeout,
                              check=True, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(rows: list[dict], centrality: list[dict]) -> str:
    lines = ["| edges | nodes | engine | time s | × faster than python-louvain | modularity | Δ modularity | NMI "
             "| communities | peak MB added | MB ratio |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sorted({r["size"] for r in rows}):
        group = [r for r in rows if r["size"] == size]
        reference = next((r for r in group if r["engine"] == "louvain" and "skipped" not in r), None)
        for r in group:
            if "skipped" in r:
                lines.append(f"| {size:,} | | {r['engine']} | skipped: {r['skipped']} | | | | | | | |")
                continue
            speed = f"{reference['seconds'] / r['seconds']:.1f}" if reference else "n/a"
            delta = f"{r['modularity'] - reference['modularity']:+.4f}" if reference else "n/a"
            memory = (f"{r['peak_mb_added'] / reference['peak_mb_added']:.2f}"
                      if reference and reference["peak_mb_added"] > 0 else "n/a")
            engine = r["engine"] + (" (repeatable)" if r.get("repeatable") else
                                    " (not repeatable)" if r.get("repeatable") is False else "")
            if r["engine"] == "gds":
                engine += (f" (projection {r['project_seconds']:.1f} s not counted; PageRank "
                           f"{r['pagerank_seconds']:.2f} s; MB = GDS estimate, server side)")
            lines.append(f"| {r['edges']:,} | {r['nodes']:,} | {engine} | {r['seconds']:.2f} | {speed} | "
                         f"{r['modularity']:.4f} | {delta} | {r['nmi']:.3f} | {r['communities']:,} | "
                         f"{r['peak_mb_added']:.0f} | {memory} |")
    lines += ["", "| edges | nodes | PageRank s (igraph) | sampled betweenness s | pivots | stated rel. error "
              "(top 20) | peak MB added |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for c in centrality:
        lines.append(f"| {c['edges']:,} | {c['nodes']:,} | {c['pagerank_seconds']:.2f} | "
                     f"{c['betweenness_seconds']:.2f} | {c['pivots']} | {c['betweenness_relative_error']:.1%} | "
                     f"{c['peak_mb_added']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--louvain-limit", type=float, default=300.0,
                        help="seconds python-louvain may take on one graph before it is skipped")
    parser.add_argument("--engine-limit", type=float, default=600.0,
                        help="seconds any other engine may take on one graph")
    parser.add_argument("--pivots", type=int, default=256)
    parser.add_argument("--skip-neo4j", action="store_true", help="leave GDS out (no Neo4j server)")
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
                        help="the server GDS runs on (env NEO4J_URI)")
    parser.add_argument("--one", nargs=2, metavar=("EDGES", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--centrality", type=int, metavar="EDGES", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_engine(int(args.one[0]), args.one[1])))
        return
    if args.centrality:
        print(json.dumps(measure_centrality(args.centrality, args.pivots)))
        return

    rows: list[dict] = []
    centrality: list[dict] = []
    louvain_seconds_per_edge = 0.0
    engines = [e for e in ENGINES if not (args.skip_neo4j and e == "gds")]
    os.environ["NEO4J_URI"] = args.neo4j  # read by the measuring processes
    for size in args.sizes:
        for engine in engines:
            limit = args.engine_limit
            if engine == "louvain":
                expected = louvain_seconds_per_edge * size * 1.2
                if expected > args.louvain_limit:
                    rows.append({"size": size, "engine": engine,
                                 "skipped": f"expected {expected:.0f} s > {args.louvain_limit:.0f} s"})
                    continue
                limit = args.louvain_limit
            print(f"{size:,} edges: {engine} …", file=sys.stderr, flush=True)
            measured = in_fresh_process(["--one", str(size), engine], limit)
            if measured is None:
                rows.append({"size": size, "engine": engine, "skipped": f"over {limit:.0f} s"})
                continue
            if engine == "louvain":
                louvain_seconds_per_edge = measured["seconds"] / size
            rows.append({"size": size, **measured})
        print(f"{size:,} edges: centrality …", file=sys.stderr, flush=True)
        measured = in_fresh_process(["--centrality", str(size), "--pivots", str(args.pivots)], 3600.0)
        if measured is not None:
            centrality.append(measured)

    table = markdown(rows, centrality)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "cpus": len(__import__("os").sched_getaffinity(0))}
    (OUT / "bench_communities.json").write_text(json.dumps(
        {"machine": machine, "planted": {"mean_degree": MEAN_DEGREE, "community_size": COMMUNITY_SIZE,
                                         "mixing": MIXING}, "engines": rows, "centrality": centrality,
         "markdown": table}, indent=2))
    (OUT / "bench_communities.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
