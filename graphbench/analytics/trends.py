"""Trends and hotspots: listings over time, hashtags and keywords bursting against their own past,
and the places where trade concentrates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd


def _listing_times(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    listings = tables.get("Listing", pd.DataFrame(columns=["id", "posted_at", "platform"]))
    frame = listings.reindex(columns=["id", "platform", "posted_at"]).copy()
    frame["when"] = pd.to_datetime(frame["posted_at"], utc=True, errors="coerce").dt.tz_localize(None)
    return frame.dropna(subset=["when"])


def listings_over_time(tables: Mapping[str, pd.DataFrame], by: str = "species", freq: str = "M",
                       top: int = 10) -> pd.DataFrame:
    """Tidy ``period, group, listings`` for the ``top`` groups (species, platform or country)."""
    frame = _listing_times(tables)
    if by == "species":
        mentions = tables.get("MENTIONS", pd.DataFrame(columns=["start", "end"]))
        frame = frame.merge(mentions[["start", "end"]].rename(columns={"start": "id", "end": "group"}), on="id")
        frame["group"] = frame["group"].str.removeprefix("Species:")
    elif by == "platform":
        frame = frame.assign(group=frame["platform"])
    elif by == "country":
        located = tables.get("LOCATED_IN", pd.DataFrame(columns=["start", "end"]))
        frame = frame.merge(located[["start", "end"]].rename(columns={"start": "id", "end": "group"}), on="id")
        frame["group"] = frame["group"].str.split(":").str[1]
    else:
        raise ValueError(f"unknown grouping {by!r}: species, platform or country")
    if frame.empty:
        return pd.DataFrame(columns=["period", "group", "listings"])
    keep = frame["group"].value_counts().head(top).index
    frame = frame[frame["group"].isin(keep)]
    frame["period"] = frame["when"].dt.to_period(freq).dt.to_timestamp()
    return frame.groupby(["period", "group"]).size().reset_index(name="listings")


def emerging_terms(tables: Mapping[str, pd.DataFrame], kind: str = "hashtag", recent_days: int = 60,
                   min_recent: int = 5, min_z: float = 3.0) -> pd.DataFrame:
    """Terms used far more in the last ``recent_days`` than their own history predicts.

    For each term, the expected recent count is its earlier count (plus one pseudo-count, so a new
    term needs real support) scaled by how much all terms together grew between the two periods —
    so a platform that simply got busier makes nothing "emerge"; the burst score is the Poisson
    z-score (recent − expected) / √expected. ``kind`` is ``hashtag`` (TAGGED), ``keyword`` (the
    matched term of MENTIONS: code words, names as written) or ``species`` (the species MENTIONS
    resolves to, whatever name was written).

    The evidence per term: ``recent`` and ``before`` (uses in the last window and before it),
    ``expected``, ``z`` and ``ratio`` (recent / expected); :func:`term_counts` gives the weekly series.
    """
    frame = _listing_times(tables)
    uses = _term_uses(tables, kind)
    columns = ["term", "recent", "before", "expected", "z", "ratio"]
    if frame.empty or uses.empty:
        return pd.DataFrame(columns=columns)
    dated = uses[["start", "term"]].rename(columns={"start": "id"}).merge(frame[["id", "when"]], on="id")
    end = dated["when"].max()
    cutoff = end - pd.Timedelta(days=recent_days)
    recent = dated[dated["when"] > cutoff].groupby("term").size()
    before = dated[dated["when"] <= cutoff].groupby("term").size()
    table = pd.DataFrame({"recent": recent, "before": before}).fillna(0).astype(int)
    growth = max(int(table["recent"].sum()), 1) / max(int(table["before"].sum()), 1)
    table["expected"] = (table["before"] + 1) * growth
    table["z"] = (table["recent"] - table["expected"]) / np.sqrt(table["expected"])
    table["ratio"] = table["recent"] / table["expected"]
    table = table[(table["recent"] >= min_recent) & (table["z"] >= min_z)]
    table = table.reset_index().rename(columns={"index": "term"})
    return table.sort_values(["z", "term"], ascending=[False, True]).reset_index(drop=True)[columns]


def term_counts(tables: Mapping[str, pd.DataFrame], kind: str = "hashtag", freq: str = "W",
                terms: Iterable[str] | None = None) -> pd.DataFrame:
    """Tidy ``period, term, listings``: how many listings used each term per period (``W`` or ``M``), quiet periods as 0.

    The evidence behind a burst, drawn as a line per term; ``terms`` limits it (e.g. to the
    ``term`` column of :func:`emerging_terms`). A listing counts once per term and period.
    """
    frame = _listing_times(tables)
    uses = _term_uses(tables, kind)
    if terms is not None:
        uses = uses[uses["term"].isin(set(terms))]
    dated = uses[["start", "term"]].rename(columns={"start": "id"}).merge(frame[["id", "when"]], on="id")
    if dated.empty:
        return pd.DataFrame(columns=["period", "term", "listings"])
    dated["period"] = dated["when"].dt.to_period(freq)
    counts = dated.groupby(["term", "period"])["id"].nunique()
    # every period from the first listing to the last, quiet ones as 0, so a line shows the silence
    periods = pd.period_range(frame["when"].min(), frame["when"].max(), freq=freq)
    full = pd.MultiIndex.from_product([sorted(dated["term"].unique()), periods], names=["term", "period"])
    table = counts.reindex(full, fill_value=0).rename("listings").reset_index()
    table["period"] = table["period"].dt.start_time
    return table[["period", "term", "listings"]]


def _term_uses(tables: Mapping[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    """``start`` (listing id), ``term``: one row per use of a term of this kind."""
    if kind == "hashtag":
        uses = tables.get("TAGGED", pd.DataFrame(columns=["start", "end"]))[["start", "end"]]
        return uses.assign(term=uses["end"].str.removeprefix("Hashtag:"))
    if kind == "keyword":
        uses = tables.get("MENTIONS", pd.DataFrame(columns=["start", "end", "matched"]))
        return uses.assign(term=uses.get("matched", uses.get("term", pd.Series(dtype=object))))
    if kind == "species":
        uses = tables.get("MENTIONS", pd.DataFrame(columns=["start", "end"]))[["start", "end"]].drop_duplicates()
        return uses.assign(term=uses["end"].str.removeprefix("Species:"))
    raise ValueError(f"unknown term kind {kind!r}: hashtag, keyword or species")


def hotspots(tables: Mapping[str, pd.DataFrame], top: int = 15, level: str = "country") -> pd.DataFrame:
    """Places by activity: listings located there, shipments from/to there, and the listings naming
    Appendix I species (count and share); ``score`` counts an Appendix I listing twice.

    ``level`` is ``country`` (column ``country``: ISO code) or ``city`` (column ``place``:
    ``CC:city``, or the bare country code where a record names no city).
    """
    key = {"country": "country", "city": "place"}.get(level)
    if key is None:
        raise ValueError(f"unknown level {level!r}: country or city")
    located = tables.get("LOCATED_IN", pd.DataFrame(columns=["start", "end"]))
    listings = located[located["start"].str.startswith("Listing:")][["start", "end"]]
    listings = listings.assign(**{key: _place(listings["end"], level)})
    species = tables.get("Species", pd.DataFrame(columns=["id", "cites_appendix"]))
    appendix_one = set(species.loc[species.get("cites_appendix") == "I", "id"]) if len(species) else set()
    mentions = tables.get("MENTIONS", pd.DataFrame(columns=["start", "end"]))
    severe = set(mentions.loc[mentions["end"].isin(appendix_one), "start"])
    listings = listings.assign(appendix_i=listings["start"].isin(severe))
    per_place = listings.groupby(key).agg(listings=("start", "nunique"), appendix_i=("appendix_i", "sum"))
    ship = []
    for rel, column in (("FROM", "shipped_from"), ("TO", "shipped_to")):
        table = tables.get(rel, pd.DataFrame(columns=["start", "end"]))
        table = table[table["start"].astype(str).str.startswith("Shipment:")]  # seizures have FROM/TO too
        ship.append(table.assign(**{key: _place(table["end"], level)}).groupby(key).size().rename(column))
    frame = pd.concat([per_place, *ship], axis=1).fillna(0)
    for column in ("listings", "appendix_i", "shipped_from", "shipped_to"):
        if column not in frame:
            frame[column] = 0
    frame = frame.astype(int)
    frame["appendix_i_share"] = (frame["appendix_i"] / frame["listings"].where(frame["listings"] > 0)).fillna(0.0)
    frame["score"] = frame["listings"] + frame["appendix_i"] + frame["shipped_from"] + frame["shipped_to"]
    frame = frame.rename_axis(key).reset_index()
    columns = [key, "listings", "appendix_i", "appendix_i_share", "shipped_from", "shipped_to", "score"]
    return frame.sort_values(["score", key], ascending=[False, True]).head(top).reset_index(drop=True)[columns]


def _place(location_ids: pd.Series, level: str) -> pd.Series:
    """``Location:VN:hanoi`` → ``VN`` (country) or ``VN:hanoi`` (city)."""
    parts = location_ids.str.removeprefix("Location:")
    return parts.str.split(":").str[0] if level == "country" else parts
