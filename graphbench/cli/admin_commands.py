"""Commands about the store itself: ``stats``, ``query``, ``export``, ``verify`` and ``app``."""

from __future__ import annotations

import argparse
import json
import sys

from graphbench.cli.command import Command, audit, emit, open_from, parse_params

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
        for item in report.mismatches[:50]:
            print(f"  MISMATCH {item['file']} row {item['row']}")
        for file in report.missing_files:
            print(f"  missing  {file}")
    emit(args, {**asdict(report), "ok": report.ok}, human)
    return 0 if report.ok else 1


def _app_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8501)


def cmd_app(args: argparse.Namespace) -> int:
    import os
    import subprocess
    from pathlib import Path

    app = Path(__file__).resolve().parents[2] / "app.py"  # graphbench/cli/ → the repository root
    env = {**os.environ, "GRAPHBENCH_STORE": args.store or os.environ.get("GRAPHBENCH_STORE", "file:./workspace")}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.port", str(args.port)]
    return subprocess.call(cmd, env=env)


COMMANDS = (
    Command("stats", "count nodes per label and relationships per type", cmd_stats),
    Command("export", "export the graph", cmd_export, _export_arguments),
    Command("query", "run a named query (`graphbench query list` shows them)", cmd_query, _query_arguments),
    Command("verify", "recompute the SHA-256 of every cited source row still on disk; exit 1 on a mismatch",
            cmd_verify),
    Command("app", "start the Streamlit workbench", cmd_app, _app_arguments),
)
