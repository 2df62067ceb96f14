"""Communities as a person names and ranks them: by their top member and top species, riskiest first.

Pure: takes the community summaries (``summaries_frame`` rows, or the GDS document's), the membership
and the risk scores (``graphbench.analytics.risk``), returns a table. A number such as "community 17"
changes with the engine and the seed; "instagram:reptile.house +11 · Python regius" says whom and what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from graphbench.analytics.risk import FLAGGED_SCORE


def _first(value: Any) -> str | None:
    """The first entry of a list, or of a ``; ``-joined cell (summaries_frame joins lists)."""
    if isinstance(value, str):
        value = [v for v in value.split("; ") if v]
    if isinstance(value, Sequence) and value:
        return str(value[0])
    return None


def community_name(key_members: Any, species: Any, size: int) -> str:
    """``platform:handle +N · Species`` (the member with most weight inside, the most mentioned species)."""
    member = _first(key_members)
    who = member.split(":", 1)[1] if member and ":" in member else (member or "unnamed")
    others = f" +{size - 1}" if size > 1 else ""
    top_species = _first(species)
    what = top_species.removeprefix("Species:") if top_species else "no species named"
    return f"{who}{others} · {what}"


def ranked_communities(summaries: pd.DataFrame, membership: Mapping[Any, int],
                       scores: pd.DataFrame | None) -> pd.DataFrame:
    """``summaries`` with ``name``, ``flagged`` (members scoring ≥ FLAGGED_SCORE), ``top_risk`` and
    ``mean_risk``, riskiest first: most flagged members, then highest score, then largest, then id.
    Without scores (risk not run) the columns are empty and the order is by size."""
    table = summaries.copy()
    key = "community" if "community" in table else "id"
    table["community"] = table[key].astype(int)
    table["name"] = [community_name(k, s, int(n)) for k, s, n in
                     zip(table.get("key_members", [None] * len(table)), table.get("species", [None] * len(table)),
                         table["size"], strict=True)]
    if scores is not None and len(scores):
        score_of = dict(zip(scores["id"], scores["score"], strict=True))
        per = pd.DataFrame({"community": list(membership.values()),
                            "score": [float(score_of.get(m, 0.0)) for m in membership]})
        grouped = per.groupby("community")["score"]
        table["flagged"] = table["community"].map(grouped.apply(lambda s: int((s >= FLAGGED_SCORE).sum()))).fillna(0)
        table["top_risk"] = table["community"].map(grouped.max()).fillna(0.0)
        table["mean_risk"] = table["community"].map(grouped.mean()).fillna(0.0).round(1)
        table["flagged"] = table["flagged"].astype(int)
        order = (["flagged", "top_risk", "size", "community"], [False, False, False, True])
    else:
        table["flagged"], table["top_risk"], table["mean_risk"] = None, None, None
        order = (["size", "community"], [False, True])
    table = table.sort_values(order[0], ascending=order[1]).reset_index(drop=True)
    first = ["community", "name", "size", "flagged", "top_risk", "mean_risk"]
    return table[first + [c for c in table.columns if c not in first and c != key]]
