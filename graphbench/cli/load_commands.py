"""Commands that write to the store: ``load``, ``resolve`` and ``same-as``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from graphbench.cli.command import Command, audit, emit, open_from


def _load_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("directory")
    p.add_argument("--mapping", help="YAML column mapping for exports in other formats")
    p.add_argument("--rejects", default="rejects", help="folder for the rejects files (default ./rejects)")
    p.add_argument("--no-resolve", action="store_true", help="skip cross-post detection and entity resolution")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--bulk", action="store_true",
                   help="first load into an EMPTY Neo4j through neo4j-admin import (stops and restarts the local "
                        "server; docs/stores.md)")
    p.add_argument("--neo4j-home", help="with --bulk: the server's Neo4j home (default GRAPHBENCH_NEO4J_HOME or .neo4j)")


def cmd_load(args: argparse.Namespace) -> int:
    from loaders.load import load_dir

    if args.bulk:
        return _bulk_load(args)
    store = open_from(args, create=True)  # the one command that may create a store
    try:
        progress = None if args.json or args.quiet else _progress_bar()
        report = load_dir(store, args.directory, mapping=args.mapping, rejects_dir=args.rejects,
                          progress=progress, resolve=not args.no_resolve)
    finally:
        store.close()

    audit(args, "load", {"directory": str(args.directory), "mapping": args.mapping}, json.dumps(report.to_json()))

    def human() -> None:
        for f in report.files:
            if f.refused:
                print(f"{f.file:<28} {f.kind:<14} refused: {f.refused}")
                continue
            note = f"  → {f.rejects_file}" if f.rejects_file else ""
            print(f"{f.file:<28} {f.kind:<14} rows {f.rows:>9,}  loaded {f.loaded:>9,}  rejected {f.rejected:>6,}"
                  f"  warnings {f.warnings:>6,}{note}")
        if report.resolution:
            print("resolution: " + ", ".join(f"{k} {v}" for k, v in report.resolution.items()))
    emit(args, report.to_json(), human)
    return 0


def _bulk_load(args: argparse.Namespace) -> int:
    from graphbench import settings
    from graphbench.errors import GraphbenchError
    from graphbench.store import NEO4J_SCHEMES, open_store
    from graphbench.store.neo4j_bulk import LocalNeo4j, bulk_load

    url = args.store or settings.store_url()
    if not url.startswith(NEO4J_SCHEMES):
        raise GraphbenchError(f"--bulk loads into Neo4j only; the store is {settings.redact(url)}")
    report, figures = bulk_load(
        url, args.directory, open_server=lambda: open_store(url, configured=True),
        server=LocalNeo4j.from_settings(url, args.neo4j_home), database=settings.neo4j_database() or "neo4j",
        mapping=args.mapping, rejects_dir=args.rejects,
        progress=None if args.json or args.quiet else _progress_bar(), resolve=not args.no_resolve)
    document = {**report.to_json(), "bulk": figures.to_json()}
    audit(args, "load", {"directory": str(args.directory), "mapping": args.mapping, "bulk": True}, json.dumps(document))

    def human() -> None:
        bulk = document["bulk"]
        print(f"bulk import: {bulk['nodes']:,} nodes, {bulk['relationships']:,} relationships; "
              f"{bulk['records_per_second'] or 0:,} records/s end to end "
              f"({bulk['records_per_second_neo4j'] or 0:,}/s for CSVs, import and schema)")
        print(f"seconds: staging {bulk['seconds_parse']}, CSVs {bulk['seconds_csv']}, stop {bulk['seconds_stop']}, "
              f"neo4j-admin import {bulk['seconds_import']}, start {bulk['seconds_start']}, "
              f"schema {bulk['seconds_schema']}")
    emit(args, document, human)
    return 0


def _progress_bar() -> Callable[[str, int, int], None]:
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(name: str, done: int, expected: int) -> None:
        bar = bars.get(name)
        if bar is None:
            bar = bars[name] = tqdm(total=max(expected, 1), desc=name, unit="rows", leave=True, file=sys.stderr)
        bar.total = max(bar.total, done)
        bar.n = done
        bar.refresh()
        if done >= expected:
            bar.close()

    return update


def _resolve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("python", "spark"), default="python",
                   help="where cross-posts are found: in this process, or on Apache Spark (same links)")
    p.add_argument("--spark-master", help="with --engine spark: spark://HOST:7077, yarn, k8s://… "
                                          "(default GRAPHBENCH_SPARK_MASTER or local[*])")


def cmd_resolve(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from graphbench.resolve import resolve_store

    spark = None
    if getattr(args, "engine", "python") == "spark":
        from graphbench.resolve.spark_run import spark_session

        spark = spark_session(args.spark_master)  # before the store: a missing Java is one sentence
    store = open_from(args)
    try:
        if spark is not None:
            from graphbench.resolve.spark_run import resolve_store_spark

            summary = asdict(resolve_store_spark(store, spark))
        else:
            summary = asdict(resolve_store(store))
        store.commit()
    finally:
        store.close()
        if spark is not None:
            spark.stop()
    audit(args, "resolve", {"engine": getattr(args, "engine", "python")}, json.dumps(summary))
    emit(args, summary, lambda: print(", ".join(f"{k} {v}" for k, v in summary.items())))
    return 0


def _same_as_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("verdict", choices=["accept", "reject"])
    p.add_argument("a", help="an Account id")
    p.add_argument("b", help="the other Account id")


def cmd_same_as(args: argparse.Namespace) -> int:
    from graphbench.resolve import accept_same_as, reject_same_as

    store = open_from(args)
    try:
        (accept_same_as if args.verdict == "accept" else reject_same_as)(store, args.a, args.b)
        store.commit()
    finally:
        store.close()
    document = {"verdict": args.verdict, "a": args.a, "b": args.b}
    audit(args, "same-as", document, None)
    emit(args, document, lambda: print(f"SAME_AS {args.a} ~ {args.b}: {args.verdict}ed"))
    return 0


COMMANDS = (
    Command("load", "load a folder of exports (CSV / JSON Lines) into the store", cmd_load, _load_arguments),
    Command("resolve", "recompute cross-posts and SAME_AS over the whole store (keeps analysts' verdicts)",
            cmd_resolve, _resolve_arguments),
    Command("same-as", "record an analyst's verdict on a SAME_AS link", cmd_same_as, _same_as_arguments),
)
