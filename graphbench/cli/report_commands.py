"""The ``report`` command: the cyber-alert report for enforcement agencies."""

from __future__ import annotations

import argparse
import sys

from graphbench.cli.command import Command, audit, emit, open_from, when
from graphbench.cli.money_commands import fx_arguments
from graphbench.errors import GraphbenchError


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["md", "html", "pdf"], default="md")
    p.add_argument("--output", help="file to write (Markdown images go to <name>_files/); stdout for md/html")
    p.add_argument("--community", type=int, help="only this community (default engine, seed 0)")
    p.add_argument("--accounts", help="only these accounts (comma-separated ids)")
    p.add_argument("--since", help="ISO date/time")
    p.add_argument("--until", help="ISO date/time")
    p.add_argument("--title", default="Cyber-alert: online wildlife trafficking network")
    p.add_argument("--marking", default="TLP:AMBER", help="handling marking printed on every page")
    fx_arguments(p)  # totals per currency and in this base currency


def cmd_report(args: argparse.Namespace) -> int:
    from graphbench.analysis import Analysis
    from graphbench.report import ReportScope, run_report

    if args.format == "pdf" and not args.output and not args.json:
        raise GraphbenchError("report --format pdf needs --output PATH")
    scope = ReportScope(accounts=[a.strip() for a in args.accounts.split(",")] if args.accounts else None,
                        community=args.community, since=when(args.since), until=when(args.until),
                        title=args.title, marking=args.marking)
    store = open_from(args)
    try:
        analysis = Analysis.of_store(store, base_currency=args.base_currency, fx_file=args.fx_rates)
        summary, data = run_report(analysis, scope, args.format, args.output)
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


COMMANDS = (
    Command("report", "the cyber-alert report for enforcement agencies (Markdown, self-contained HTML or PDF)",
            cmd_report, _report_arguments),
)
