"""Analysis commands of the CLI (communities, centrality, trace, patterns, report, …).

Each command opens the store, reads the tables it needs, calls the pure analytics in
``graphbench.analytics`` and prints a table, or one JSON document with ``--json``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from graphbench.cli import _EXTENSIONS, audit, command, emit, open_from
from graphbench.errors import GraphbenchError

AddParser = Callable[[str, str], argparse.ArgumentParser]
# graphbench.analytics.patterns.KINDS, repeated so `--help` need not import numpy (a test keeps them equal)
PATTERN_KINDS = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack", "structuring")


def _arguments(add: AddParser) -> None:
    p = add("communities", "detect communities of accounts (who works together)")
    p.add_argument("--engine", default="auto",
                   help="auto (fastest of equal quality), louvain (python-louvain, reference), networkit, leiden, "
                        "leiden_cpm (small rings past the resolution limit), gds (inside Neo4j)")
    p.add_argument("--resolution", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--min-size", type=int, default=1, help="list only communities of at least this many accounts")
    p.add_argument("--sweep", action="store_true", help="print a resolution sweep instead")

    p = add("centrality", "degree, PageRank and betweenness of accounts, brokers between communities")
    p.add_argument("--top", type=int, default=0, help="only the N highest by betweenness (default: all)")
    p.add_argument("--pivots", type=int, default=512, help="betweenness sample size on graphs over 5,000 accounts")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--python", action="store_true", help="on Neo4j, pull the account graph and compute in Python "
                                                          "instead of in GDS")

    p = add("links", "paths and shared identifiers between two entities, or suggested links (Adamic-Adar)")
    p.add_argument("--from", dest="source", help="a node id")
    p.add_argument("--to", dest="target", help="a node id")
    p.add_argument("--k", type=int, default=3, help="how many shortest paths")
    p.add_argument("--max-hops", type=int, default=6)
    p.add_argument("--suggest", action="store_true", help="suggest likely same-operator / associate accounts")
    p.add_argument("--top", type=int, default=20)

    add("resolve", "recompute cross-posts and SAME_AS over the whole store (keeps analysts' verdicts)")

    p = add("same-as", "record an analyst's verdict on a SAME_AS link")
    p.add_argument("verdict", choices=["accept", "reject"])
    p.add_argument("a", help="an Account id")
    p.add_argument("b", help="the other Account id")

    p = add("trace", "follow the money from an account or payment channel, hop by hop in time order")
    p.add_argument("--from", dest="source", required=True, help="an Account or PaymentChannel id")
    p.add_argument("--direction", choices=["out", "in"], default="out")
    p.add_argument("--hops", type=int, default=3)
    p.add_argument("--since", help="ISO date/time: ignore transfers before")
    p.add_argument("--until", help="ISO date/time: ignore transfers after")
    p.add_argument("--tolerance", type=float, default=None,
                   help="amount tolerance per hop, e.g. 0.2 = within ±20%% of the incoming amount")
    p.add_argument("--max-transfers", type=int, default=10_000)

    p = add("patterns", "laundering patterns among transfers")
    p.add_argument("--kind", action="append", choices=PATTERN_KINDS, help="only this kind (repeatable)")

    p = add("risk", "explainable risk score per account from named indicators, with evidence")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--account", help="explain one account")

    p = add("trends", "listings over time, emerging hashtags and keywords, hotspots, courier routes")
    p.add_argument("--recent-days", type=int, default=60)

    p = add("report", "the cyber-alert report for enforcement agencies (Markdown, self-contained HTML or PDF)")
    p.add_argument("--format", choices=["md", "html", "pdf"], default="md")
    p.add_argument("--output", help="file to write (Markdown images go to <name>_files/); stdout for md/html")
    p.add_argument("--community", type=int, help="only this community (default engine, seed 0)")
    p.add_argument("--accounts", help="only these accounts (comma-separated ids)")
    p.add_argument("--since", help="ISO date/time")
    p.add_argument("--until", help="ISO date/time")
    p.add_argument("--title", default="Cyber-alert: online wildlife trafficking network")
    p.add_argument("--marking", default="TLP:AMBER", help="handling marking printed on every page")


_EXTENSIONS.append(_arguments)


def _account_graph(store: Any) -> tuple[Any, dict[str, Any]]:
    from graphbench.analytics.projection import PROJECTION_INPUTS, build_account_graph
    from graphbench.store.tables import read_tables

    tables = read_tables(store, (*PROJECTION_INPUTS, "MENTIONS", "LOCATED_IN", "Account"), provenance=False)
    return build_account_graph(tables, accounts=tables["Account"]), tables


@command("communities")
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
        for c in document["communities"][:40]:
            extra = ", ".join(c.get("species", [])[:3])
            key = c.get("key_members") or c["members"]
            print(f"  #{c['id']:<4} {c['size']:>4} accounts  key: {', '.join(key[:3])}  {extra}")
    emit(args, document, human)
    return 0


def _python_communities(store: Any, args: argparse.Namespace) -> dict[str, Any]:
    from graphbench.analytics.communities import detect_communities, resolution_sweep, summarise_communities

    graph, tables = _account_graph(store)
    if args.sweep:
        sweep = resolution_sweep(graph, engine=args.engine, seed=args.seed)
        return {"sweep": sweep.to_dict("records")}
    try:
        result = detect_communities(graph, engine=args.engine, resolution=args.resolution, seed=args.seed)
    except ValueError as exc:
        raise GraphbenchError(str(exc)) from None
    summaries = {s.community: s for s in summarise_communities(result, graph, tables, min_size=2)}
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


def _gds_communities(store: Any, args: argparse.Namespace) -> dict[str, Any]:
    if getattr(store, "kind", "") != "neo4j":
        raise GraphbenchError("engine gds runs inside Neo4j: give --store bolt://… or neo4j://…")
    from graphbench.analytics import gds

    return gds.communities_document(store.run, resolution=args.resolution, seed=args.seed,
                                    min_size=args.min_size)


@command("centrality")
def cmd_centrality(args: argparse.Namespace) -> int:
    from graphbench.analytics import gds
    from graphbench.analytics.centrality import brokers, centrality_table
    from graphbench.analytics.communities import detect_communities

    store = open_from(args)
    try:
        if gds.available(store) and not args.python:
            return _gds_centrality(store, args)
        graph, _ = _account_graph(store)
    finally:
        store.close()
    result = centrality_table(graph, pivots=args.pivots, seed=args.seed)
    table = result.table.head(args.top) if args.top else result.table
    broker_table = brokers(graph, detect_communities(graph, seed=args.seed).labels, result.table, top=20)
    document = {
        "betweenness": {"method": result.betweenness_method, "pivots": result.pivots,
                        "relative_error": result.relative_error},
        "nodes": [{"id": r.id, "degree": int(r.degree), "weighted_degree": float(r.weighted_degree),
                   "betweenness": float(r.betweenness), "betweenness_stderr": float(r.betweenness_stderr),
                   "pagerank": float(r.pagerank)} for r in table.itertuples(index=False)],
        "brokers": json.loads(broker_table.to_json(orient="records")),
    }
    audit(args, "centrality", {"top": args.top, "pivots": args.pivots}, json.dumps(document, default=str))

    def human() -> None:
        print(f"betweenness {result.betweenness_method} ({result.pivots} sources, "
              f"median relative error {result.relative_error:.1%})")
        print(table.head(args.top or 25)[["id", "degree", "betweenness", "pagerank"]].to_string(index=False))
    emit(args, document, human)
    return 0


@command("links")
def cmd_links(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from graphbench.analytics import links
    from graphbench.schema import REL_TYPES
    from graphbench.store.tables import read_tables

    if not args.suggest and not (args.source and args.target):
        raise GraphbenchError("links needs --from A --to B, or --suggest [--from ACCOUNT]")
    store = open_from(args)
    try:
        tables = read_tables(store, REL_TYPES, provenance=False)
    finally:
        store.close()
    if args.suggest:
        found = links.predict_links(tables, top=args.top, accounts=[args.source] if args.source else None)
        document: dict[str, Any] = {"suggestions": json.loads(found.to_json(orient="records"))}
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
            return
        if not document["paths"]:
            print(f"no path within {args.max_hops} hops")
        for path in document["paths"]:
            print(f"{path['hops']} hops: " + " → ".join(path["nodes"]))
        for row in document["shared"]:
            print(f"  shared {row['kind']}: {row['identifier']}")
    emit(args, document, human)
    return 0


@command("resolve")
def cmd_resolve(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from graphbench.resolve import resolve_store

    store = open_from(args)
    try:
        summary = asdict(resolve_store(store))
        getattr(store, "commit", lambda: None)()
    finally:
        store.close()
    audit(args, "resolve", {}, json.dumps(summary))
    emit(args, summary, lambda: print(", ".join(f"{k} {v}" for k, v in summary.items())))
    return 0


@command("same-as")
def cmd_same_as(args: argparse.Namespace) -> int:
    from graphbench.resolve import accept_same_as, reject_same_as

    store = open_from(args)
    try:
        (accept_same_as if args.verdict == "accept" else reject_same_as)(store, args.a, args.b)
        getattr(store, "commit", lambda: None)()
    finally:
        store.close()
    document = {"verdict": args.verdict, "a": args.a, "b": args.b}
    audit(args, "same-as", document, None)
    emit(args, document, lambda: print(f"SAME_AS {args.a} ~ {args.b}: {args.verdict}ed"))
    return 0


def _when(value: str | None) -> str | None:
    from graphbench import normalize

    if not value:
        return None
    try:
        return normalize.timestamp(value)
    except ValueError as exc:
        raise GraphbenchError(f"--since/--until: {exc}") from None


@command("trace")
def cmd_trace(args: argparse.Namespace) -> int:
    from graphbench.analytics.trace import trace
    from graphbench.store.tables import read_tables
    from graphbench.store_reads.trace_walk import trace_store

    options = {"direction": args.direction, "hops": args.hops, "since": _when(args.since),
               "until": _when(args.until), "amount_tolerance": args.tolerance, "max_transfers": args.max_transfers}
    store = open_from(args)
    try:
        if store.node(args.source) is None:
            raise GraphbenchError(f"no node {args.source!r} in the store (ids look like Account:platform:handle "
                                  "or PaymentChannel:type:id)")
        if store.kind == "neo4j":  # hop by hop: on a server with 100M transfers, read only what the trail reaches
            result = trace_store(store, [args.source], **options)
        else:  # the embedded table is on this machine already: one read and the integer index are faster
            tables = read_tables(store, ["TRANSFERRED", "USES"], provenance=False)
            result = trace(tables["TRANSFERRED"], [args.source], uses=tables["USES"], **options)
    finally:
        store.close()
    document = json.loads(json.dumps(result.to_dict(), default=str))
    audit(args, "trace", {"from": args.source, "direction": args.direction, "hops": args.hops},
          json.dumps(document))

    def human() -> None:
        print(f"{len(document['transfers'])} transfers from {document['first_ts']} to {document['last_ts']}; "
              f"money ends at {len(document['sinks'])} channels")
        for t in document["transfers"][:60]:
            print(f"  hop {t['hop']}  {t['ts']}  {t['from']} → {t['to']}  {t['amount']:,.2f} {t.get('currency') or ''}")
    emit(args, document, human)
    return 0


@command("patterns")
def cmd_patterns(args: argparse.Namespace) -> int:
    from graphbench.analytics.money_overview import transfer_table
    from graphbench.analytics.patterns import find_patterns

    store = open_from(args)
    try:
        transfers = transfer_table(store)  # only the columns the search uses
    finally:
        store.close()
    found = find_patterns(transfers, kinds=args.kind)
    document = json.loads(json.dumps({"patterns": [p.to_dict() for p in found]}, default=str))
    audit(args, "patterns", {"kind": args.kind}, json.dumps(document))

    def human() -> None:
        from collections import Counter

        counts = Counter(p["kind"] for p in document["patterns"])
        print(", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "no patterns")
        for p in document["patterns"][:60]:
            print(f"  {p['kind']:<15} {len(p['members']):>3} members  {p['amount']:>12,.2f}  "
                  f"{p['first_ts']} → {p['last_ts']}")
    emit(args, document, human)
    return 0


def _gds_centrality(store: Any, args: argparse.Namespace) -> int:
    from graphbench.analytics import gds

    with gds.projected_account_graph(store.run) as graph:
        nodes = graph["nodes"]
        sampling = args.pivots if nodes > 5_000 else None
        table = gds.centrality(store.run, graph["name"], sampling_size=sampling, seed=args.seed)
    store.close()
    table = table.head(args.top) if args.top else table
    document = {"betweenness": {"method": "gds_sampled" if sampling else "gds_exact", "pivots": sampling or nodes},
                "nodes": json.loads(table.to_json(orient="records"))}
    audit(args, "centrality", {"engine": "gds", "top": args.top}, json.dumps(document, default=str))
    emit(args, document, lambda: print(table.head(args.top or 25).to_string(index=False)))
    return 0


@command("risk")
def cmd_risk(args: argparse.Namespace) -> int:
    from graphbench.analytics.patterns import find_patterns
    from graphbench.analytics.risk import explain, score_accounts
    from graphbench.store.tables import read_tables

    store = open_from(args)
    try:
        tables = read_tables(store, provenance=False)
    finally:
        store.close()
    scores = score_accounts(tables, find_patterns(tables["TRANSFERRED"]))
    if args.account:
        indicators = explain(scores, args.account)
        document: dict[str, Any] = {"id": args.account, "score": min(100.0, sum(i.points for i in indicators)),
                                    "indicators": [i.__dict__ for i in indicators]}
    else:
        document = {"accounts": json.loads(scores.head(args.top).to_json(orient="records"))}
    audit(args, "risk", {"top": args.top, "account": args.account}, json.dumps(document, default=str))

    def human() -> None:
        if args.account:
            print(f"{args.account}: {document['score']:.0f} / 100")
            for i in document["indicators"]:
                print(f"  {i['name']:<32} {i['points']:>5}  {'; '.join(i['evidence'][:3])}")
            return
        for row in document["accounts"]:
            print(f"{row['score']:>6.1f}  {row['id']:<45} {', '.join(row['indicators'])}")
    emit(args, document, human)
    return 0


@command("trends")
def cmd_trends(args: argparse.Namespace) -> int:
    from graphbench.analytics import routes, trends
    from graphbench.store.tables import read_tables

    store = open_from(args)
    try:
        tables = read_tables(store, provenance=False)
    finally:
        store.close()

    def records(frame: Any) -> list[dict[str, Any]]:
        return json.loads(frame.to_json(orient="records", date_format="iso"))

    document = {
        "emerging_hashtags": records(trends.emerging_terms(tables, "hashtag", recent_days=args.recent_days)),
        "emerging_keywords": records(trends.emerging_terms(tables, "keyword", recent_days=args.recent_days)),
        "emerging_species": records(trends.emerging_terms(tables, "species", recent_days=args.recent_days)),
        "hotspots": records(trends.hotspots(tables)),
        "routes": records(routes.routes(tables).head(50)),
        "consumer_hubs": records(routes.consumer_hubs(tables)),
        "listings_by_platform": records(trends.listings_over_time(tables, by="platform")),
    }

    def human() -> None:
        for key in ("emerging_hashtags", "emerging_keywords", "emerging_species", "consumer_hubs"):
            print(key.replace("_", " "))
            for row in document[key][:10]:
                print("  " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "senders"))
    emit(args, document, human)
    return 0


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    import sys

    from graphbench.report import ReportScope, run_report

    if args.format == "pdf" and not args.output and not args.json:
        raise GraphbenchError("report --format pdf needs --output PATH")
    scope = ReportScope(accounts=[a.strip() for a in args.accounts.split(",")] if args.accounts else None,
                        community=args.community, since=_when(args.since), until=_when(args.until),
                        title=args.title, marking=args.marking)
    store = open_from(args)
    try:
        summary, data = run_report(store, scope, args.format, args.output)
    finally:
        store.close()
    audit(args, "report", {"format": args.format, "output": args.output, "scope": scope.describe()}, data)
    if args.json:
        emit(args, summary, lambda: None)
    elif args.output:
        print(f"wrote {args.output} ({args.format}, {len(data):,} bytes; {summary['evidence_items']} evidence items)")
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0
