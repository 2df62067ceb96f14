"""The ``graphbench`` command line: ``graphbench …``, ``python -m graphbench …`` or
``python -m graphbench.cli …`` (all three are :func:`main`).

Layout: :mod:`~graphbench.cli.command` (what a command is, shared helpers),
one ``*_commands`` module per group, :mod:`~graphbench.cli.registry` (the explicit list),
:mod:`~graphbench.cli.dispatch` (parser and dispatch).
"""

from __future__ import annotations

from graphbench.cli.dispatch import build_parser, main

__all__ = ["build_parser", "main"]
