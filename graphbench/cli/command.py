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


def open_from(args: argparse.Namespace, create: bool = False) -> Any:
    """The store of ``--store`` (or GRAPHBENCH_STORE). A ``file:`` folder that does not exist is an
    error unless ``create`` (only ``load`` creates a store): a typo must not read as an empty graph."""
    from graphbench.store import open_store

    if not create:
        require_existing(args.store)
    return open_store(args.store, configured=True)  # the operator's --store is configuration, as GRAPHBENCH_STORE


def require_existing(url: str | None, hint: str = "") -> None:
    """One sentence when ``url`` (default: GRAPHBENCH_STORE) is a ``file:`` store whose folder is missing."""
    from pathlib import Path

    from graphbench import settings

    url = url or settings.store_url()
    if not url.startswith("file:") or not url[len("file:"):]:
        return  # memory:, servers, and 'file:' alone (open_store names that one)
    folder = Path(url[len("file:"):])
    if not folder.is_dir():
        raise GraphbenchError(f"there is no store at {url} (no folder {folder}); check the path, or create it "
                              f"with `graphbench --store {url} load DIR`" + (f" {hint.replace('URL', url)}" if hint else ""))


def all_argument(p: argparse.ArgumentParser) -> None:
    """``--all``: print every row of a list the human output would cut."""
    p.add_argument("--all", action="store_true", help="print every row instead of the first ones")


def shown(rows: Sequence[Any], limit: int, args: argparse.Namespace) -> Sequence[Any]:
    """The rows the human output prints: the first ``limit``, or all of them with ``--all``."""
    return rows if getattr(args, "all", False) else rows[:limit]


def left_out(shown_count: int, total: int, noun: str, rest: str = "--all or --json for the rest") -> None:
    """Say what a cut list left out ("40 of 110 communities; --all or --json for the rest"), never silently."""
    if shown_count < total:
        print(f"{shown_count:,} of {total:,} {noun}; {rest}")


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
