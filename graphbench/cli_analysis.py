"""Analysis commands of the CLI (communities, centrality, trace, patterns, report, verify…).

Each registers its arguments through ``cli._EXTENSIONS`` and its handler through ``cli.command``.
"""

from __future__ import annotations
