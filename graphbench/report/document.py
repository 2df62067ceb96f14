"""What a rendered report is made of: sections of text, bullets, tables and images, in a fixed order.

The renderers (:mod:`markdown`, :mod:`html`, :mod:`pdf`) read only these; the section modules
(``section_*.py``) turn their facts into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graphbench.report.scope import ReportScope

SECTION_TITLES = (
    "Summary", "Network", "Species involved", "Keywords and hashtags", "Influencers", "Evasion tactics",
    "Payment channels and money flows", "Laundering patterns", "Couriers and routes",
    "Map of hotspots and routes", "Key accounts",
    "Recommended actions", "Evidence annex",
)
TABLE_ROWS = 20  # rows per table in the body; the annex and the action lists are longer
EXAMPLE_CHARS = 90  # an example listing or piece of evidence, cut to this many characters


@dataclass
class Section:
    title: str
    text: str = ""
    bullets: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # caption, table
    images: list[tuple[str, bytes]] = field(default_factory=list)  # caption, PNG


@dataclass
class Report:
    scope: ReportScope
    generated_at: str
    store: str
    sections: list[Section]
    evidence: pd.DataFrame  # see graphbench.report.evidence.ANNEX_COLUMNS
    facts: dict[str, Any]  # headline numbers and top items, for --json and tests
    key_findings: list[str] = field(default_factory=list)


def snippet(*parts: Any, limit: int = EXAMPLE_CHARS) -> str:
    """The non-empty ``parts`` joined by " — ", cut to ``limit`` characters with an ellipsis."""
    kept = [str(v) for v in parts if v is not None and v == v and str(v).strip()]
    joined = " — ".join(kept)
    return joined if len(joined) <= limit else joined[:limit - 1] + "…"
