"""Writes docs/cli.md, the command-line reference, from the parser itself, so the page cannot drift
from the code (tests/test_cli_reference.py fails when it has).

    .venv/bin/python scripts/cli_reference.py          # rewrite docs/cli.md
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET = ROOT / "docs" / "cli.md"
WIDTH = "100"  # argparse wraps to the terminal; a fixed width makes the page the same everywhere

INTRO = """# Command-line reference

Generated from the parser by `scripts/cli_reference.py`; do not edit by hand.

`graphbench --store URL COMMAND …` (`python -m graphbench` is the same command line). Every
analysis command takes `--json` and then prints one JSON document on stdout (shapes in
[formats](formats.md) and [architecture](architecture.md)). Errors a user can cause print one sentence on stderr and exit
with status 2; a `file:` store whose folder does not exist is such an error for every command but `load`
(the one command that creates a store). A list the human output cuts ends with what it left out
(`40 of 110 communities; --all or --json for the rest`): `--all` prints every row, `--json` always has them.
"""


def render() -> str:
    from graphbench.cli.dispatch import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        parser = build_parser()
        parts = [INTRO, "## graphbench\n", "```\n" + parser.format_help().rstrip() + "\n```\n"]
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, sub in subparsers.choices.items():
            parts += [f"## graphbench {name}\n", "```\n" + sub.format_help().rstrip() + "\n```\n"]
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(parts)


def main() -> int:
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
