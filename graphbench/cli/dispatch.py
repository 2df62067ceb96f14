"""The ``graphbench`` parser and dispatch. Commands are thin: they open the store, call the
library and print. Heavy imports happen inside the commands so ``graphbench --help`` answers at once.

Every analysis command takes ``--json`` and then prints exactly one JSON document on stdout.
Errors a user can cause end in one sentence on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from graphbench.cli.registry import COMMANDS
from graphbench.errors import GraphbenchError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphbench", description="Graph analytics workbench for online wildlife-trafficking networks.")
    parser.add_argument("--store", default=None,
                        help="file:PATH (embedded, default file:./workspace), memory:, bolt://… or neo4j://… "
                             "(credentials from NEO4J_USER / NEO4J_PASSWORD); env GRAPHBENCH_STORE")
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS.values():
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        # SUPPRESS: `graphbench --json stats` and `graphbench stats --json` both work
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document")
        command.arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    # The driver logs each retry of a transient error; the user gets one sentence if it finally fails.
    driver_log = logging.getLogger("neo4j")
    driver_log.addHandler(logging.NullHandler())
    driver_log.propagate = False

    args = build_parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    try:
        return COMMANDS[args.command].run(args)
    except GraphbenchError as exc:
        print(f"graphbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("graphbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
