"""Commands about the store itself: ``stats``, ``query``, ``export``, ``verify`` and ``app``."""

from __future__ import annotations

import argparse
import json
import sys

from graphbench.cli.command import (
    Command,
    all_argument,
    audit,
    emit,
    left_out,
    open_from,
    parse_params,
    require_existing,
    shown,
)

EXPORT_FORMATS = ("jsonl", "graphml", "gexf", "i2", "ftm", "stix", "takedown")


def cmd_stats(args: argparse.Namespace) -> int:
    store = open_from(args)
    try:
        stats = store.stats()
    finally:
        store.close()

    def human() -> None:
        for section, counts in stats.items():
            print(section)
            for name, count in counts.items():
                print(f"  {name:<18} {count:>10,}")
    emit(args, {"store": args.store or "", **stats}, human)
    return 0


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", required=True, choices=list(EXPORT_FORMATS))
    p.add_argument("--output", help="file (or folder for i2) to write; stdout when omitted (jsonl, ftm)")


def cmd_export(args: argparse.Namespace) -> int:
    from graphbench.export import write_export

    store = open_from(args)
    try:
        written = write_export(store, args.format, args.output)
    finally:
        store.close()
    audit(args, "export", {"format": args.format, "output": args.output}, json.dumps(written, default=str))
    if args.output:
        emit(args, {"format": args.format, "output": args.output, **written},
             lambda: print(f"wrote {args.output} ({args.format})"))
    return 0


def _query_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")


def cmd_query(args: argparse.Namespace) -> int:
    from graphbench.store.named_queries import load_query, query_names

    if args.name == "list":
        rows = [{"name": n, "params": [p.name for p in load_query(n).params], "purpose": load_query(n).purpose}
                for n in query_names()]
    else:
        store = open_from(args)
        try:
            params = parse_params(args.param)
            rows = store.run_named(args.name, params)
        finally:
            store.close()
        audit(args, "query", {"name": args.name, **params}, json.dumps(rows, default=str))

    def human() -> None:
        import pandas as pd

        print(pd.DataFrame(rows).to_string(index=False) if rows else "(no rows)")
    emit(args, {"query": args.name, "rows": rows}, human)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from graphbench.verify import verify_store

    store = open_from(args)
    try:
        report = verify_store(store)
    finally:
        store.close()

    def human() -> None:
        print(f"checked {report.checked:,} cited source rows: {report.matched:,} match, "
              f"{len(report.mismatches):,} differ, {len(report.missing_files)} files missing")
        mismatches = shown(report.mismatches, 50, args)
        for item in mismatches:
            print(f"  MISMATCH {item['file']} row {item['row']}")
        for file in report.missing_files:
            print(f"  missing  {file}")
        left_out(len(mismatches), len(report.mismatches), "mismatches")
    emit(args, {**asdict(report), "ok": report.ok}, human)
    return 0 if report.ok else 1


def _app_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--create", action="store_true",
                   help="start on a new, empty file: store when its folder does not exist (to load data in the browser)")
    p.add_argument("--address", default="127.0.0.1",
                   help="where to listen; beyond 127.0.0.1 only with sign-in configured (OIDC or local accounts)")


def _verify_arguments(p: argparse.ArgumentParser) -> None:
    all_argument(p)


def cmd_app(args: argparse.Namespace) -> int:
    import os
    import subprocess
    from pathlib import Path

    from graphbench.auth.signin import auth_section, check_listen, default_secrets_files

    check_listen(args.address, auth_section(default_secrets_files()))  # the app checks again as it serves
    if not args.create:
        require_existing(args.store, hint="or start on a new, empty store with `graphbench --store URL app --create`")
    app = Path(__file__).resolve().parents[2] / "app.py"  # graphbench/cli/ → the repository root
    env = {**os.environ, "GRAPHBENCH_STORE": args.store or os.environ.get("GRAPHBENCH_STORE", "file:./workspace")}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.port", str(args.port), "--server.address", args.address]
    return subprocess.call(cmd, env=env)


COMMANDS = (
    Command("stats", "count nodes per label and relationships per type", cmd_stats),
    Command("export", "export the graph", cmd_export, _export_arguments),
    Command("query", "run a named query (`graphbench query list` shows them)", cmd_query, _query_arguments),
    Command("verify", "recompute the SHA-256 of every cited source row still on disk; exit 1 on a mismatch",
            cmd_verify, _verify_arguments),
    Command("app", "start the Streamlit workbench", cmd_app, _app_arguments),
)
