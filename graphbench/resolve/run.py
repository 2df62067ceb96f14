"""Run resolution over a whole store: recompute CROSS_POSTED_AS and SAME_AS and write them back.

Derived links are recomputed from scratch on every run (``delete_derived`` then upsert), so a
link whose evidence went away disappears and a rerun over unchanged data changes nothing.
An analyst's verdict (``status`` = ``rejected`` / ``accepted``) is never recomputed: it is read
before the delete and re-attached. A pair with a verdict that no longer holds is kept as it was
(with its old score and evidence), so a rejection still stands if the evidence comes back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphbench.batch import GraphBatch, provenance
from graphbench.errors import GraphbenchError
from graphbench.resolve.crossposts import CrossPostSettings, cross_post_groups, find_cross_posts
from graphbench.resolve.same_as import SameAsWeights, resolve_accounts
from graphbench.schema import PROVENANCE_PROPS
from graphbench.store.base import GraphStore, writer

SOURCE = "graphbench.resolve"
_VERDICTS = ("accepted", "rejected")
_PROVENANCE_COLUMNS = set(PROVENANCE_PROPS)


@dataclass(frozen=True)
class ResolveSummary:
    cross_posts: int  # CROSS_POSTED_AS links written
    cross_post_groups: int  # connected groups of cross-posted listings
    same_as: int  # SAME_AS links written (including kept verdicts)
    rejected: int  # SAME_AS links carrying an analyst's rejection
    accepted: int
    stale_verdicts_kept: int  # verdicts on pairs the evidence no longer supports


def resolve_store(store: GraphStore, crosspost_settings: CrossPostSettings | None = None,
                  weights: SameAsWeights | None = None,
                  find_cross: Callable[..., pd.DataFrame] = find_cross_posts) -> ResolveSummary:
    """Recompute cross-posts and SAME_AS over the whole store and write them, keeping verdicts.

    ``find_cross`` finds the cross-posts (the in-process index, or the Spark one of
    :mod:`graphbench.resolve.spark_run`: same signature, same links)."""
    listings = store.nodes("Listing", ["image_phash", "image_hashes", "title", "text"])
    posted = store.relationships("POSTED", [])
    cross = find_cross(listings, posted, crosspost_settings)
    same = resolve_accounts(
        store.nodes("Account", ["handle"]),
        has_phone=store.relationships("HAS_PHONE", []),
        has_email=store.relationships("HAS_EMAIL", []),
        uses=store.relationships("USES", []),
        links_to=store.relationships("LINKS_TO", []),
        posted=posted,
        cross_posts=cross,
        weights=weights,
    )
    cross_props = [_without_missing({"method": r.method, "score": float(r.score), "hamming": None if pd.isna(r.hamming) else int(r.hamming),
                                     "jaccard": r.jaccard})
                   for r in cross.itertuples(index=False)]
    same_props = [{"score": float(r.score), "evidence": r.evidence} for r in same.itertuples(index=False)]
    _replace(store, "CROSS_POSTED_AS", list(zip(cross["start"], cross["end"], cross_props, strict=True)))
    kept = _replace(store, "SAME_AS", list(zip(same["start"], same["end"], same_props, strict=True)))
    statuses = _statuses(store, "SAME_AS")
    return ResolveSummary(
        cross_posts=len(cross),
        cross_post_groups=int(cross_post_groups(cross)["group"].nunique()) if len(cross) else 0,
        same_as=len(same) + kept,
        rejected=sum(1 for s in statuses.values() if s == "rejected"),
        accepted=sum(1 for s in statuses.values() if s == "accepted"),
        stale_verdicts_kept=kept,
    )


def reject_same_as(store: GraphStore, a: str, b: str) -> None:
    """Record an analyst's rejection of the SAME_AS link between accounts ``a`` and ``b``."""
    _set_verdict(store, a, b, "rejected")


def accept_same_as(store: GraphStore, a: str, b: str) -> None:
    """Record an analyst's confirmation of the SAME_AS link between accounts ``a`` and ``b``."""
    _set_verdict(store, a, b, "accepted")


def _set_verdict(store: GraphStore, a: str, b: str, verdict: str) -> None:
    start, end = min(a, b), max(a, b)
    try:
        store.set_rel_property("SAME_AS", start, end, "status", verdict)
    except KeyError:
        raise GraphbenchError(f"there is no SAME_AS link between {start} and {end}") from None


def _replace(store: GraphStore, rel_type: str, rows: list[tuple[str, str, dict[str, Any]]]) -> int:
    """Swap the derived links of ``rel_type`` for ``rows``, keeping verdicts; returns stale verdicts kept."""
    previous = store.relationships(rel_type)
    verdicts = _verdict_rows(previous)
    store.delete_derived(rel_type)
    fresh = {(start, end) for start, end, _ in rows}
    stale = [(key, props) for key, props in verdicts.items() if key not in fresh]
    batch = GraphBatch()
    for start, end, props in rows:
        status = verdicts.get((start, end), {}).get("status")
        full = {**props, "status": status} if status else props
        batch.add_rel(rel_type, start, end, full, provenance(SOURCE, 0, _sha256(start, end, props), None))
    for (start, end), props in stale:
        kept = {k: v for k, v in props.items() if k not in _PROVENANCE_COLUMNS}
        batch.add_rel(rel_type, start, end, kept, provenance(SOURCE, 0, _sha256(start, end, kept), None))
    with writer(store) as out:
        out.add(batch)
    return len(stale)


def _verdict_rows(table: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """Rows of a relationship table that carry an analyst's verdict, by (start, end)."""
    if table.empty or "status" not in table.columns:
        return {}
    marked = table[table["status"].isin(_VERDICTS)]
    return {(row["start"], row["end"]): _without_missing(row.to_dict()) for _, row in marked.iterrows()}


def _statuses(store: GraphStore, rel_type: str) -> dict[tuple[str, str], str]:
    table = store.relationships(rel_type, ["status"])
    return {key: row["status"] for key, row in _verdict_rows(table).items()}


def _sha256(start: str, end: str, props: dict[str, Any]) -> str:
    # the evidence's fingerprint: same pair, same evidence → same provenance → an idempotent upsert
    text = "|".join([start, end, *(f"{k}={props[k]}" for k in sorted(props) if k != "status")])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _without_missing(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items()
            if k not in ("start", "end") and not (v is None or v is pd.NA or (isinstance(v, float) and v != v))}
