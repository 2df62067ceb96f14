"""What a command of the ``graphbench`` CLI is, and what every command needs from its invocation.

A :class:`Command` pairs a name with the function that adds its arguments and the function
that runs it. Command modules declare theirs in a module-level ``COMMANDS`` tuple; the
registry (:mod:`graphbench.cli.registry`) lists those modules by name. Nothing registers
itself by being imported, so the parser always knows every command, whichever module is run.

This module imports only the standard library (plus the error type), so ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphbench.errors import GraphbenchError

Run = Callable[[argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """For commands that take only the global options."""


@dataclass(frozen=True)
class Command:
    """One subcommand: ``arguments`` adds its options to its own sub-parser, ``run`` executes it."""

    name: str
    help: str
    run: Run
    arguments: Arguments = no_arguments


def emit(args: argparse.Namespace, document: Any, human: Callable[[], None]) -> None:
    """One JSON document on stdout with ``--json``, else the human rendering."""
    if args.json:
        json.dump(document, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        human()


def open_from(args: argparse.Namespace) -> Any:
    from graphbench.store import open_store

    return open_store(args.store, configured=True)  # the operator's --store is configuration, as GRAPHBENCH_STORE


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


def when(value: str | None) -> str | None:
    """A ``--since`` / ``--until`` value as a normalised timestamp, or a one-sentence error."""
    from graphbench import normalize

    if not value:
        return None
    try:
        return normalize.timestamp(value)
    except ValueError as exc:
        raise GraphbenchError(f"--since/--until: {exc}") from None
