"""The takedown list: listings to report to platforms, with the reason (CSV: platform, url,
listing_id, account, reason, risk_score).

Only an http(s) URL is written in ``url`` (a spreadsheet or ticket system makes it a link): a listing
whose URL is ``javascript:``, ``data:``, ``file:`` or anything else keeps its row with ``url`` empty and
says so in ``reason`` — the value stays in the store, as evidence."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from graphbench.analytics.risk import FLAGGED_SCORE
from graphbench.export.csv_safety import write_csv
from graphbench.store.base import GraphStore
from graphbench.viz.safe_text import web_url

if TYPE_CHECKING:
    from graphbench.analysis import Analysis

COLUMNS = ["platform", "url", "listing_id", "account", "reason", "risk_score"]


def takedown_rows(tables: Mapping[str, pd.DataFrame], scores: pd.DataFrame,
                  min_score: float = FLAGGED_SCORE) -> pd.DataFrame:
    """Listings that mention an Appendix I species, use a code word or a misspelt name, or belong to an
    account scoring at least ``min_score``; the reasons joined with '; '."""
    listings = tables["Listing"].set_index("id")
    owner = dict(zip(tables["POSTED"]["end"], tables["POSTED"]["start"], strict=True))
    species = tables["Species"]
    appendix_one = set(species.loc[species.get("cites_appendix") == "I", "id"]) if len(species) else set()
    score_of = dict(zip(scores["id"], scores["score"], strict=True)) if len(scores) else {}
    reasons: dict[str, list[str]] = {}
    for row in tables["MENTIONS"].itertuples(index=False):
        items = reasons.setdefault(row.start, [])
        if row.end in appendix_one:
            items.append(f"CITES Appendix I: {row.end.removeprefix('Species:')}")
        if getattr(row, "match", "") in ("code_word", "misspelling"):
            items.append(f"{row.match.replace('_', ' ')} '{row.term}'")
    for listing, account in owner.items():
        if score_of.get(account, 0) >= min_score:
            reasons.setdefault(listing, []).append(f"account risk {score_of[account]:.0f}")
    rows = []
    for listing, items in sorted(reasons.items()):
        if not items or listing not in listings.index:
            continue
        record = listings.loc[listing]
        account = owner.get(listing)
        url = record.get("url")
        if not isinstance(url, str) or not url.strip():
            url = None  # a missing URL is empty, not "nan"
        elif web_url(url) is None:
            items = [*items, "url withheld: not an http(s) address"]
            url = None
        rows.append({"platform": record.get("platform"), "url": url,
                     "listing_id": record.get("listing_id"), "account": account,
                     "reason": "; ".join(dict.fromkeys(items)), "risk_score": score_of.get(account, 0.0)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["risk_score", "platform", "listing_id"], ascending=[False, True, True])


def write_takedown(store: GraphStore, path: str | Path, analysis: Analysis | None = None) -> dict[str, int]:
    """The takedown CSV of ``store``, with the risk scores of ``analysis`` (one of the store's own when None)."""
    from graphbench.analysis import Analysis

    analysis = analysis or Analysis.of_store(store)
    table = takedown_rows(analysis.tables, analysis.risk)
    return {"listings": write_csv(path, COLUMNS, table.to_dict("records"))}
