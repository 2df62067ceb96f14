"""The takedown list: listings to report to platforms, with the reason (CSV: platform, url,
listing_id, account, reason, risk_score)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from graphbench.export.csv_safety import write_csv

COLUMNS = ["platform", "url", "listing_id", "account", "reason", "risk_score"]


def takedown_rows(tables: dict[str, pd.DataFrame], scores: pd.DataFrame, min_score: float = 40.0) -> pd.DataFrame:
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
        rows.append({"platform": record.get("platform"), "url": record.get("url"),
                     "listing_id": record.get("listing_id"), "account": account,
                     "reason": "; ".join(dict.fromkeys(items)), "risk_score": score_of.get(account, 0.0)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["risk_score", "platform", "listing_id"], ascending=[False, True, True])


def write_takedown(store: Any, path: str | Path) -> dict[str, int]:
    from graphbench.analytics.patterns import find_patterns
    from graphbench.analytics.risk import score_accounts
    from graphbench.store.tables import read_tables

    tables = read_tables(store)
    table = takedown_rows(tables, score_accounts(tables, find_patterns(tables["TRANSFERRED"])))
    return {"listings": write_csv(path, COLUMNS, table.to_dict("records"))}
