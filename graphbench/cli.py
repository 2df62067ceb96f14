"""The ``graphbench`` command line. Commands are thin: they open the store, call the library and
print. Heavy imports happen inside the commands so ``graphbench --help`` answers at once.

Every analysis command takes ``--json`` and then prints exactly one JSON document on stdout.
Errors a user can cause end in one sentence on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from graphbench.errors import GraphbenchError

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(func: Command) -> Command:
        COMMANDS[name] = func
        return func
    return register


def emit(args: argparse.Namespace, document: Any, human: Callable[[], None]) -> None:
    if args.json:
        json.dump(document, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        human()


def open_from(args: argparse.Namespace) -> Any:
    from graphbench.store import open_store

    return open_store(args.store)


def audit(args: argparse.Namespace, action: str, params: dict[str, Any], output: str | bytes | None) -> None:
    from graphbench import audit as audit_log
    from graphbench import settings

    audit_log.record(action, args.store or settings.store_url(), params, output)


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise GraphbenchError(f"--param takes key=value, got {pair!r}")
        params[key.strip()] = value
    return params


# -- commands -------------------------------------------------------------------------------------

@command("load")
def cmd_load(args: argparse.Namespace) -> int:
    from loaders.load import load_dir

    store = open_from(args)
    try:
        progress = None if args.json or args.quiet else _progress_bar()
        report = load_dir(store, args.directory, mapping=args.mapping, rejects_dir=args.rejects,
                          progress=progress, resolve=not args.no_resolve)
    finally:
        store.close()

    audit(args, "load", {"directory": str(args.directory), "mapping": args.mapping}, json.dumps(report.to_json()))

    def human() -> None:
        for f in report.files:
            note = f"  → {f.rejects_file}" if f.rejects_file else ""
            print(f"{f.file:<28} {f.kind:<14} rows {f.rows:>9,}  loaded {f.loaded:>9,}  rejected {f.rejected:>6,}{note}")
        if report.resolution:
            print("resolution: " + ", ".join(f"{k} {v}" for k, v in report.resolution.items()))
    emit(args, report.to_json(), human)
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


@command("stats")
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


@command("export")
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


@command("query")
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


@command("verify")
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


@command("app")
def cmd_app(args: argparse.Namespace) -> int:
    import os
    import subprocess
    from pathlib import Path

    app = Path(__file__).resolve().parents[1] / "app.py"
    env = {**os.environ, "GRAPHBENCH_STORE": args.store or os.environ.get("GRAPHBENCH_STORE", "file:./workspace")}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.port", str(args.port)]
    return subprocess.call(cmd, env=env)


# -- parser ---------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphbench", description="Graph analytics workbench for online wildlife-trafficking networks.")
    parser.add_argument("--store", default=None,
                        help="file:PATH (embedded, default file:./workspace), memory:, bolt://… or neo4j://… "
                             "(credentials from NEO4J_USER / NEO4J_PASSWORD); env GRAPHBENCH_STORE")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document")
        return p

    p = add("load", "load a folder of exports (CSV / JSON Lines) into the store")
    p.add_argument("directory")
    p.add_argument("--mapping", help="YAML column mapping for exports in other formats")
    p.add_argument("--rejects", default="rejects", help="folder for the rejects files (default ./rejects)")
    p.add_argument("--no-resolve", action="store_true", help="skip cross-post detection and entity resolution")
    p.add_argument("--quiet", action="store_true", help="no progress bars")

    add("stats", "count nodes per label and relationships per type")

    p = add("export", "export the graph")
    p.add_argument("--format", required=True, choices=["jsonl", "graphml", "gexf", "i2", "ftm", "stix", "takedown"])
    p.add_argument("--output", help="file (or folder for i2) to write; stdout when omitted (jsonl, ftm)")

    p = add("query", "run a named query (`graphbench query list` shows them)")
    p.add_argument("name")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")

    add("verify", "recompute the SHA-256 of every cited source row still on disk; exit 1 on a mismatch")

    p = add("app", "start the Streamlit workbench")
    p.add_argument("--port", type=int, default=8501)

    for extend in _EXTENSIONS:
        extend(add)
    return parser


# Commands of other modules register their arguments here (see graphbench.cli_analysis).
_EXTENSIONS: list[Callable[[Callable[[str, str], argparse.ArgumentParser]], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    from graphbench import cli_analysis  # noqa: F401  (registers the analysis commands)

    # The driver logs each retry of a transient error; the user gets one sentence if it finally fails.
    driver_log = logging.getLogger("neo4j")
    driver_log.addHandler(logging.NullHandler())
    driver_log.propagate = False

    parser = build_parser()
    args = parser.parse_args(argv)
    args.json = getattr(args, "json", False)
    try:
        return COMMANDS[args.command](args)
    except GraphbenchError as exc:
        print(f"graphbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("graphbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
