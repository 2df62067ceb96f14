"""Betweenness estimators against a reference: time, stated error and actual error on the top 20.

    .venv/bin/python benchmarks/bench_centrality.py [--edges 100000 1000000] [--reference-pivots 2000]
        [--estimators path_sampling kadabra pivots] [--graphs scale_free planted]

Graphs (integer ids, built with numpy): a scale-free one (Barabási–Albert, 5 edges per new node: hubs
carry the paths, as brokers do) and the planted-partition graph of bench_communities.py (equal
communities, flat betweenness: nobody stands out). Per graph and estimator (path sampling with a
Clopper–Pearson interval per figure, the default; KADABRA; the 512-pivot estimator): wall time of the
betweenness alone, samples (the reported round's / all rounds'), the estimator's own statement (delta,
epsilon and the relative error it states for the top 20; the pivot estimator's median relative standard
error), the actual relative error of the 20 highest reference figures, and how many of the estimator's
top 20 have the reference figure inside their stated interval. The reference is exact Brandes (igraph)
up to ``--exact-below`` edges, above it a long pivot run (``--reference-pivots`` sources, unbiased, its
own standard error printed beside it; kept in benchmarks/out/ and reused, it takes many minutes). The
load average is recorded beside each row (the machine is shared). Prints a Markdown table and writes
benchmarks/out/bench_centrality.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

OUT = ROOT / "benchmarks" / "out"


def scale_free(n_edges: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    import networkit as nk

    nk.setSeed(seed, False)
    per_node = 5
    graph = nk.generators.BarabasiAlbertGenerator(per_node, max(per_node + 1, n_edges // per_node), per_node).generate()
    edges = np.array(list(graph.iterEdges()), dtype=np.int64)
    return edges[:, 0], edges[:, 1], graph.numberOfNodes()


def planted(n_edges: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    from bench_communities import planted_partition

    source, target, truth = planted_partition(n_edges, seed)
    return source, target, len(truth)


def account_graph(source: np.ndarray, target: np.ndarray, n: int):  # noqa: ANN201 - AccountGraph
    from graphbench.analytics.projection import AccountGraph

    lo, hi = np.minimum(source, target), np.maximum(source, target)
    keep = lo != hi
    packed = np.unique(lo[keep] * n + hi[keep])
    return AccountGraph.from_edges(np.arange(n), packed // n, packed % n, np.ones(len(packed)))


def reference(graph, exact: bool, pivots: int, key: str) -> tuple[np.ndarray, np.ndarray, str, float]:  # noqa: ANN001
    from graphbench.analytics.centrality import centrality_table

    kept = OUT / f"reference_{key}_{'exact' if exact else pivots}.npz"
    if kept.exists():
        saved = np.load(kept)
        return saved["truth"], saved["stderr"], str(saved["how"]), float(saved["seconds"])
    started = time.perf_counter()
    if exact:
        result = centrality_table(graph, exact_below=graph.n_nodes + 1)
    else:
        result = centrality_table(graph, exact_below=0, pivots=pivots, batches=8, seed=99)
    table = result.table.sort_values("id")
    how = "exact (igraph Brandes)" if exact else f"{pivots} pivots"
    found = (table["betweenness"].to_numpy(), table["betweenness_stderr"].to_numpy(), how,
             time.perf_counter() - started)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(kept, truth=found[0], stderr=found[1], how=found[2], seconds=found[3])
    return found


def measure(name: str, graph, truth: np.ndarray, truth_err: np.ndarray, estimator: str) -> dict:  # noqa: ANN001
    from graphbench.analytics.centrality import centrality_table

    load = os.getloadavg()[0]
    if estimator == "pivots":
        result = centrality_table(graph, exact_below=0, pivots=512, seed=0)
    else:
        result = centrality_table(graph, exact_below=0, seed=0, estimator=estimator)
    table = result.table.sort_values("id")
    estimate = table["betweenness"].to_numpy()
    top = np.argsort(-truth, kind="stable")[:20]
    relative = np.abs(estimate[top] - truth[top]) / truth[top]
    own_top = np.argsort(-estimate, kind="stable")[:20]
    found = set(own_top.tolist())
    low, high = table["betweenness_low"].to_numpy(), table["betweenness_high"].to_numpy()
    inside = int(np.sum((low[own_top] <= truth[own_top]) & (truth[own_top] <= high[own_top])))
    return {
        "graph": name, "nodes": graph.n_nodes, "edges": graph.n_edges, "estimator": result.betweenness_method,
        "seconds": round(result.seconds_betweenness, 2), "samples": result.pivots,
        "samples_total": result.samples_total or result.pivots, "rounds": result.rounds,
        "inside_interval": None if estimator == "pivots" else inside, "load_average": round(load, 2),
        "epsilon": result.epsilon, "delta": result.delta, "stated_relative": result.relative_error,
        "actual_relative_median": float(np.median(relative)), "actual_relative_max": float(relative.max()),
        "top20_found": len(found & set(top.tolist())),
        "reference_relative_stderr": float(np.median(truth_err[top] / truth[top])),
        "b20": float(truth[top[-1]]),
    }


def markdown(rows: list[dict]) -> str:
    lines = ["| graph | edges | estimator | seconds | samples (reported / all) | epsilon / delta | "
             "stated rel. error top 20 | actual rel. error top 20 (median / max) | reference inside interval | "
             "top 20 found | b_20 | reference | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        eps = f"{r['epsilon']:.3g} / {r['delta']:g}" if r["epsilon"] is not None else "—"
        stated = "no bound" if r["stated_relative"] is None else f"{r['stated_relative']:.1%}"
        inside = "—" if r["inside_interval"] is None else f"{r['inside_interval']}/20"
        lines.append(f"| {r['graph']} | {r['edges']:,} | {r['estimator']} | {r['seconds']:.1f} | "
                     f"{r['samples']:,} / {r['samples_total']:,} | {eps} | {stated} | "
                     f"{r['actual_relative_median']:.1%} / {r['actual_relative_max']:.1%} | {inside} | "
                     f"{r['top20_found']}/20 | {r['b20']:.2e} | {r['reference']} | {r['load_average']} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--graphs", nargs="+", default=["scale_free", "planted"])
    parser.add_argument("--exact-below", type=int, default=200_000, help="edges; exact reference up to here")
    parser.add_argument("--reference-pivots", type=int, default=2000)
    parser.add_argument("--estimators", nargs="+", default=["path_sampling", "kadabra", "pivots"])
    args = parser.parse_args()
    builders = {"scale_free": scale_free, "planted": planted}
    rows = []
    for size in args.edges:
        for name in args.graphs:
            graph = account_graph(*builders[name](size))
            exact = graph.n_edges <= args.exact_below
            print(f"{name} {graph.n_edges:,} edges: reference …", file=sys.stderr, flush=True)
            truth, truth_err, how, seconds = reference(graph, exact, args.reference_pivots, f"{name}_{size}")
            for estimator in args.estimators:
                print(f"  {estimator} …", file=sys.stderr, flush=True)
                row = measure(name, graph, truth, truth_err, estimator)
                row["reference"] = f"{how}, {seconds:.0f} s"
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
                OUT.mkdir(parents=True, exist_ok=True)  # after each row: a long run stopped keeps what it measured
                (OUT / "bench_centrality.json").write_text(json.dumps({"rows": rows}, indent=2))
    table = markdown(rows)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_centrality.json").write_text(json.dumps({"rows": rows, "markdown": table}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
