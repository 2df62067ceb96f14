"""Every command of the CLI, in ``--help`` order, listed explicitly by group.

A new command goes into the ``COMMANDS`` tuple of its group's module; a new group is one
more line in ``GROUPS``. Command modules import only :mod:`graphbench.cli.command`, never
this module or each other, so the import graph has no cycle and ``build_parser()`` alone
knows every command.
"""

from __future__ import annotations

from graphbench.cli import (
    admin_commands,
    alert_commands,
    analysis_commands,
    load_commands,
    money_commands,
    report_commands,
    seizure_commands,
    user_commands,
)
from graphbench.cli.command import Command

GROUPS = (load_commands, admin_commands, analysis_commands, money_commands, report_commands, user_commands,
          alert_commands, seizure_commands)


def _index() -> dict[str, Command]:
    index: dict[str, Command] = {}
    for group in GROUPS:
        for command in group.COMMANDS:
            if command.name in index:
                raise RuntimeError(f"command {command.name!r} is declared twice")  # a programming error
            index[command.name] = command
    return index


COMMANDS: dict[str, Command] = _index()
