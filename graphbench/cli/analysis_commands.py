"""Analysis commands: ``communities``, ``centrality``, ``links``, ``risk`` and ``trends``.

Each command opens the store, reads the tables it needs, calls the pure analytics in
``graphbench.analytics`` and prints a table, or one JSON document with ``--json``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from graphbench.cli.command import Command, all_argument, audit, emit, left_out, open_from, shown
from graphbench.cli.money_commands import fx_arguments
from graphbench.errors import GraphbenchError
from graphbench.store.base import GraphStore, SupportsGds


def _communities_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", default="auto",
                   help="auto (fastest of equal quality), louvain (python-louvain, reference), networkit, leiden, "
                        "leiden_cpm (small rings past the resolution limit), gds (inside Neo4j)")
    p.add_argument("--resolution", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--min-size", type=int, default=1, help="list only communities of at least this many accounts")
    p.add_argument("--sweep", action="store_true", help="print a resolution sweep instead")
    all_argument(p)


def _centrality_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--top", type=int, default=0, help="only the N highest by betweenness (default: all)")
    p.add_argument("--pivots", type=int, default=None,
                   help="on graphs over 5,000 accounts, use the pivot estimator with this many sources instead of "
                        "the bounded one (no guarantee; GDS: its sampling size, default 512)")
    p.add_argument("--epsilon", type=float, default=0.01,
                   help="KADABRA / weighted-path betweenness only: every figure within this of the exact one "
                        "(the default path sampler states an interval per figure instead)")
    p.add_argument("--delta", type=float, default=0.1, help="bounded betweenness: chance the bound fails")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--python", action="store_true", help="on Neo4j, pull the account graph and compute in Python "
                                                          "instead of in GDS")
    all_argument(p)


def _links_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="source", help="a node id")
    p.add_argument("--to", dest="target", help="a node id")
    p.add_argument("--k", type=int, default=3, help="how many shortest paths")
    p.add_argument("--max-hops", type=int, default=6)
    p.add_argument("--suggest", action="store_true", help="suggest likely same-operator / associate accounts")
    p.add_argument("--top", type=int, default=20, help="with --suggest: the N strongest suggestions")
    all_argument(p)


def _risk_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--account", help="explain one account")
    p.add_argument("--all", action="store_true", help="every account, in the table and in --json (overrides --top)")
    fx_arguments(p)  # the pattern indicators compare amounts


def _trends_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recent-days", type=int, default=60)
    all_argument(p)


def cmd_communities(args: argparse.Namespace) -> int:
    from graphbench.analytics import gds

    store = open_from(args)
    try:
        if args.engine == "gds" or (args.engine == "auto" and not args.sweep and gds.available(store)):
            document = _gds_communities(store, args)
        else:
            document = _python_communities(store, args)
    finally:
        store.close()
    audit(args, "communities", {"engine": args.engine, "resolution": args.resolution, "seed": args.seed},
          json.dumps(document, default=str))

    def human() -> None:
        if "sweep" in document:
            import pandas as pd

            print(pd.DataFrame(document["sweep"]).to_string(index=False))
            return
        print(f"engine {document['engine']}, modularity {document['modularity']:.4f}, "
              f"{len(document['communities'])} communities")
        communities = shown(document["communities"], 40, args)
        for c in communities:
            extra = ", ".join(c.get("species", [])[:3])
            key = c.get("key_members") or c["members"]
            print(f"  #{c['id']:<4} {c['size']:>4} accounts  key: {', '.join(key[:3])}  {extra}")
        left_out(len(communities), len(document["communities"]), "communities")
    emit(args, document, human)
    return 0


def _python_communities(store: GraphStore, args: argparse.Namespace) -> dict[str, Any]:
    from graphbench.analysis import Analysis
    from graphbench.analytics.communities import resolution_sweep, summarise_communities

    analysis = Analysis.of_store(store)
    graph = analysis.account_graph
    if args.sweep:
        sweep = resolution_sweep(graph, engine=args.engine, seed=args.seed)
        return {"sweep": sweep.to_dict("records")}
    try:
        result = analysis.communities(engine=args.engine, resolution=args.resolution, seed=args.seed)
    except ValueError as exc:
        raise GraphbenchError(str(exc)) from None
    summaries = {s.community: s for s in summarise_communities(result, graph, analysis.tables, min_size=2)}
    communities = []
    for community, members in enumerate(result.communities()):
        if len(members) < args.min_size:
            continue
        entry: dict[str, Any] = {"id": community, "size": len(members), "members": [str(m) for m in members]}
        summary = summaries.get(community)
        if summary is not None:
            entry.update({k: v for k, v in summary.__dict__.items() if k not in ("community", "size")})
        communities.append(entry)
    return {"engine": result.engine, "resolution": result.resolution, "seed": result.seed,
            "modularity": result.modularity, "seconds": result.seconds, "communities": communities}


def _gds_communities(store: GraphStore, args: argparse.Namespace) -> dict[str, Any]:
    from graphbench.store.base import SupportsGds

    if not isinstance(store, SupportsGds):
        raise GraphbenchError("engine gds runs inside Neo4j: give --store bolt://… or neo4j://…")
    from graphbench.analytics import gds

    return gds.communities_document(store.run, resolution=args.resolution, seed=args.seed,
                                    min_size=args.min_size)


def cmd_centrality(args: argparse.Namespace) -> int:
    from graphbench.analysis import Analysis
    from graphbench.analytics import gds
    from graphbench.analytics.centrality import brokers, centrality_table

    store = open_from(args)
    try:
        if gds.available(store) and not args.python:
            return _gds_centrality(store, args)
        analysis = Analysis.of_store(store)
        graph = analysis.account_graph
        communities = analysis.communities(seed=args.seed)
    finally:
        store.close()
    result = centrality_table(graph, pivots=args.pivots, seed=args.seed, epsilon=args.epsilon, delta=args.delta)
    table = result.table.head(args.top) if args.top and not args.all else result.table
    broker_table = brokers(graph, communities.labels, result.table, top=20)
    document = {
        "betweenness": {"method": result.betweenness_method, "pivots": result.pivots,
                        "relative_error": result.relative_error, "epsilon": result.epsilon, "delta": result.delta,
                        "samples_total": result.samples_total, "rounds": result.rounds},
        "nodes": [{"id": r.id, "degree": int(r.degree), "weighted_degree": float(r.weighted_degree),
                   "betweenness": float(r.betweenness), "betweenness_stderr": float(r.betweenness_stderr),
                   "pagerank": float(r.pagerank),
                   # the exact figure is in [low, high] (all nodes at once, probability 1 - delta); None: no interval
                   "betweenness_low": None if r.betweenness_low != r.betweenness_low else float(r.betweenness_low),
                   "betweenness_high": None if r.betweenness_high != r.betweenness_high else float(r.betweenness_high)}
                  for r in table.itertuples(index=False)],
        "brokers": json.loads(broker_table.to_json(orient="records")),
    }
    audit(args, "centrality", {"top": args.top, "pivots": args.pivots}, json.dumps(document, default=str))

    def human() -> None:
        if result.epsilon is not None:
            stated = "no bound" if result.relative_error is None else f"at most {result.relative_error:.1%}"
            print(f"betweenness {result.betweenness_method} ({result.pivots:,} node pairs): every figure within "
                  f"{result.epsilon:.3g} of the exact one with probability {1 - (result.delta or 0.0):.0%}; "
                  f"relative error of the top 20 {stated}")
        else:
            print(f"betweenness {result.betweenness_method} ({result.pivots} sources, "
                  f"median relative error {result.relative_error:.1%})")
        rows = result.table if args.all else table.head(args.top or 25)
        print(rows[["id", "degree", "betweenness", "pagerank"]].to_string(index=False))
        left_out(len(rows), len(result.table), "accounts",
                 "--top N or --all for more" if args.top else "--all or --json for the rest")
    emit(args, document, human)
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from graphbench.analytics import links
    from graphbench.schema import REL_TYPES
    from graphbench.store.tables import read_tables

    if not args.suggest and not (args.source and args.target):
        raise GraphbenchError("links needs --from A --to B, or --suggest [--from ACCOUNT]")
    store = open_from(args)
    try:
        for node in (args.source, args.target):  # "no such node" is not "no path"
            if node and store.node(node) is None:
                raise GraphbenchError(f"no node {node!r} in the store (ids name their label, such as "
                                      "Account:instagram:reptile.house)")
        tables = read_tables(store, REL_TYPES, provenance=False)
    finally:
        store.close()
    if args.suggest:
        found = links.predict_links(tables, top=None if args.all else args.top,
                                    accounts=[args.source] if args.source else None)
        document: dict[str, Any] = {"suggestions": json.loads(found.to_json(orient="records")),
                                    "candidates": int(found.attrs.get("candidates", len(found)))}
    else:
        graph = links.entity_graph(tables)
        paths = links.k_shortest_paths(graph, args.source, args.target, k=args.k, max_hops=args.max_hops)
        shared = (links.shared_identifiers(args.source, args.target, tables)
                  if args.source.startswith("Account:") and args.target.startswith("Account:") else None)
        document = {"from": args.source, "to": args.target,
                    "paths": [{"nodes": p.nodes, "hops": p.hops,
                               "steps": [[asdict(r) for r in step] for step in p.steps]} for p in paths],
                    "shared": [] if shared is None else shared.to_dict("records")}

    def human() -> None:
        if "suggestions" in document:
            for row in document["suggestions"]:
                print(f"{row['score']:.2f}  {row['a']}  ~  {row['b']}   via {', '.join(row['shared'][:3])}")
            left_out(len(document["suggestions"]), document["candidates"], "suggested pairs",
                     "--top N or --all for more")
            return
        if not document["paths"]:
            print(f"no path within {args.max_hops} hops")
        for path in document["paths"]:
            print(f"{path['hops']} hops: " + " → ".join(path["nodes"]))
        for row in document["shared"]:
            print(f"  shared {row['kind']}: {row['identifier']}")
    emit(args, document, human)
    return 0


def _gds_centrality(store: SupportsGds, args: argparse.Namespace) -> int:
    from graphbench.analytics import gds

    with gds.projected_account_graph(store.run) as graph:
        nodes = graph["nodes"]
        sampling = (args.pivots or 512) if nodes > 5_000 else None
        everyone = gds.centrality(store.run, graph["name"], sampling_size=sampling, seed=args.seed)
    table = everyone.head(args.top) if args.top and not args.all else everyone
    document = {"betweenness": {"method": "gds_sampled" if sampling else "gds_exact", "pivots": sampling or nodes},
                "nodes": json.loads(table.to_json(orient="records"))}
    audit(args, "centrality", {"engine": "gds", "top": args.top}, json.dumps(document, default=str))

    def human() -> None:
        rows = table if args.all else table.head(args.top or 25)
        print(rows.to_string(index=False))
        left_out(len(rows), len(everyone), "accounts",
                 "--top N or --all for more" if args.top else "--all or --json for the rest")
    emit(args, document, human)
    return 0


def cmd_risk(args: argparse.Namespace) -> int:
    from graphbench.analysis import Analysis
    from graphbench.analytics.risk import explain

    store = open_from(args)
    try:
        # the same scores as the report and the app show
        scores = Analysis.of_store(store, base_currency=args.base_currency, fx_file=args.fx_rates).risk
    finally:
        store.close()
    if args.account:
        indicators = explain(scores, args.account)
        document: dict[str, Any] = {"id": args.account, "score": min(100.0, sum(i.points for i in indicators)),
                                    "indicators": [i.__dict__ for i in indicators]}
    else:
        rows = scores if args.all else scores.head(args.top)
        document = {"accounts": json.loads(rows.to_json(orient="records")), "total": len(scores)}
    audit(args, "risk", {"top": args.top, "account": args.account}, json.dumps(document, default=str))

    def human() -> None:
        if args.account:
            print(f"{args.account}: {document['score']:.0f} / 100")
            for i in document["indicators"]:
                print(f"  {i['name']:<32} {i['points']:>5}  {'; '.join(i['evidence'][:3])}")
            return
        for row in document["accounts"]:
            print(f"{row['score']:>6.1f}  {row['id']:<45} {', '.join(row['indicators'])}")
        left_out(len(document["accounts"]), document["total"], "accounts", "--top N or --all for more")
    emit(args, document, human)
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    from graphbench.analysis import Analysis
    from graphbench.analytics import routes, trends

    def records(frame: Any) -> list[dict[str, Any]]:
        return json.loads(frame.to_json(orient="records", date_format="iso"))

    store = open_from(args)
    try:
        analysis = Analysis.of_store(store)
        tables, shipments = analysis.tables, analysis.shipment_routes
        every_route = routes.routes(tables, shipments=shipments)
        document: dict[str, Any] = {
            "emerging_hashtags": records(trends.emerging_terms(tables, "hashtag", recent_days=args.recent_days)),
            "emerging_keywords": records(trends.emerging_terms(tables, "keyword", recent_days=args.recent_days)),
            "emerging_species": records(trends.emerging_terms(tables, "species", recent_days=args.recent_days)),
            "hotspots": records(trends.hotspots(tables)),
            "routes": records(every_route if args.all else every_route.head(50)),
            "routes_total": len(every_route),  # the JSON says what it left out too
            "consumer_hubs": records(routes.consumer_hubs(tables, shipments=shipments)),
            "listings_by_platform": records(trends.listings_over_time(tables, by="platform")),
        }
    finally:
        store.close()

    def human() -> None:
        for key in ("emerging_hashtags", "emerging_keywords", "emerging_species", "consumer_hubs"):
            print(key.replace("_", " "))
            rows = shown(document[key], 10, args)
            for row in rows:
                print("  " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "senders"))
            left_out(len(rows), len(document[key]), key.replace("_", " "))
        left_out(len(document["routes"]), document["routes_total"], "routes in --json", "--all for every one")
    emit(args, document, human)
    return 0


COMMANDS = (
    Command("communities", "detect communities of accounts (who works together)",
            cmd_communities, _communities_arguments),
    Command("centrality", "degree, PageRank and betweenness of accounts, brokers between communities",
            cmd_centrality, _centrality_arguments),
    Command("links", "paths and shared identifiers between two entities, or suggested links (Adamic-Adar)",
            cmd_links, _links_arguments),
    Command("risk", "explainable risk score per account from named indicators, with evidence",
            cmd_risk, _risk_arguments),
    Command("trends", "listings over time, emerging hashtags and keywords, hotspots, courier routes",
            cmd_trends, _trends_arguments),
)
