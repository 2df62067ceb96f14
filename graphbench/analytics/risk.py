"""Risk indicators: an explainable score per account from named indicators, each with its evidence.

Every weight is here, in one place. An account's score is the sum of the weights of the indicators
it shows (most scaled by how much evidence there is, up to their weight), capped at 100; every
indicator lists the items behind it (listings, terms, channels, patterns, shipments).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphbench.analytics import popularity, verdicts
from graphbench.analytics.seizures import seizure_accounts

# indicator → (weight, evidence items for the full weight)
WEIGHTS: dict[str, tuple[float, int]] = {
    "appendix_i_species": (25.0, 2),    # sells species CITES lists in Appendix I (trade banned)
    "code_words": (15.0, 2),            # writes code words ("white plastic" for ivory)
    "misspelt_names": (15.0, 2),        # misspells scientific names (filter evasion)
    "cross_posting": (10.0, 3),         # the same item posted on several platforms / accounts
    "laundering_pattern": (20.0, 1),    # a channel it uses is in a laundering pattern
    "routes_to_consumer_hubs": (10.0, 2),  # sends shipments to consumer-hub countries
    "many_platforms": (5.0, 2),         # the same operator on other platforms (SAME_AS)
    "shares_identifiers_with_flagged": (15.0, 1),  # phone / e-mail / channel / SAME_AS with a flagged account
    "influencer_for_flagged": (10.0, 1),  # a big audience advertising for flagged sellers
    "lookalike_identifiers": (10.0, 1),  # handle with look-alike letters / mixed scripts / invisibles (loaders' evasion)
    "named_in_seizure": (25.0, 1),      # a seizure names it, its phone or channel, or a shipment it sent
}
# A first-pass score from here up makes an account "flagged": two strong indicators (e.g. an Appendix I
# species and a code word), or one with a laundering pattern, never one indicator alone (the largest
# weight is 25). The one threshold for the report, the takedown list and the STIX export.
FLAGGED_SCORE = 40.0
INFLUENCER_FOLLOWERS = 10_000
CONSUMER_HUB_MIN_ORIGINS = 3


@dataclass
class Indicator:
    name: str
    points: float
    evidence: list[str]


def score_accounts(tables: Mapping[str, pd.DataFrame], patterns: Iterable[Any] | None = None,
                   shipments: pd.DataFrame | None = None) -> pd.DataFrame:
    """``id, score, indicators, evidence`` per account (score > 0), highest first.

    ``indicators`` lists the indicator names; ``evidence`` maps each to its items. ``patterns`` are
    laundering patterns (objects or dicts with ``kind`` and ``members`` = channel ids). ``shipments``
    is :func:`graphbench.analytics.routes.shipment_routes` of ``tables`` when the caller has it already
    (computed here otherwise).

    Scores are relative to the tables given: an account's indicators count evidence over the whole
    of ``tables`` (who else shares its phone, which hubs its shipments reach), so score the whole store
    once and select accounts from the result; scoring a subset of the tables gives other numbers.
    """
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    listing_owner = _owners(tables)
    _listing_indicators(tables, listing_owner, found)
    _pattern_indicator(tables, patterns, found)
    _route_indicator(tables, found, shipments)
    _platform_indicator(tables, found)
    _evasion_indicator(tables, found)
    for account, seized in seizure_accounts(tables).items():  # graphbench/analytics/seizures.py
        found[account]["named_in_seizure"] += seized
    first_pass = {account: _score(items) for account, items in found.items()}
    flagged = {a for a, s in first_pass.items() if s >= FLAGGED_SCORE}
    _shared_with_flagged(tables, flagged, found)
    _influencers(tables, flagged, found)
    rows = []
    for account, items in found.items():
        indicators = explain_items(items)
        score = min(100.0, sum(i.points for i in indicators))
        if score > 0:
            rows.append({"id": account, "score": round(score, 1), "indicators": [i.name for i in indicators],
                         "evidence": {i.name: i.evidence for i in indicators}})
    table = pd.DataFrame(rows, columns=["id", "score", "indicators", "evidence"])
    return table.sort_values(["score", "id"], ascending=[False, True]).reset_index(drop=True)


def explain(scores: pd.DataFrame, account: str) -> list[Indicator]:
    """The indicators of one account with their points and evidence (empty if it scored nothing)."""
    row = scores[scores["id"] == account]
    if row.empty:
        return []
    return explain_items(row.iloc[0]["evidence"])


def explain_items(items: Mapping[str, list[str]]) -> list[Indicator]:
    result = []
    for name, evidence in items.items():
        if not evidence:
            continue
        weight, full = WEIGHTS[name]
        unique = sorted(set(evidence))
        result.append(Indicator(name, round(weight * min(1.0, len(unique) / full), 1), unique))
    return sorted(result, key=lambda i: (-i.points, i.name))


def _score(items: Mapping[str, list[str]]) -> float:
    return sum(i.points for i in explain_items(items))


def _rel(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    table = tables.get(name)
    return table if table is not None and not table.empty else pd.DataFrame(columns=["start", "end"])


def _owners(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    posted = _rel(tables, "POSTED")
    return dict(zip(posted["end"], posted["start"], strict=True))


def _listing_indicators(tables: Mapping[str, pd.DataFrame], owner: Mapping[str, str],
                        found: dict[str, dict[str, list[str]]]) -> None:
    mentions = _rel(tables, "MENTIONS")
    species = tables.get("Species", pd.DataFrame(columns=["id", "cites_appendix"]))
    appendix = dict(zip(species["id"], species.get("cites_appendix", pd.Series(dtype=object)), strict=True))
    for row in mentions.itertuples(index=False):
        account = owner.get(row.start)
        if account is None:
            continue
        match = getattr(row, "match", None)
        term = getattr(row, "term", "")
        if appendix.get(row.end) == "I":
            found[account]["appendix_i_species"].append(f"{row.start} mentions {row.end.removeprefix('Species:')}")
        if match == "code_word":
            found[account]["code_words"].append(f"{row.start}: '{term}'")
        elif match == "misspelling":
            found[account]["misspelt_names"].append(f"{row.start}: '{term}'")
    cross = _rel(tables, "CROSS_POSTED_AS")
    for start, end in zip(cross["start"], cross["end"], strict=True):
        for listing, other in ((start, end), (end, start)):
            account = owner.get(listing)
            if account is None:
                continue
            if owner.get(other) != account or listing.split(":")[1] != other.split(":")[1]:
                found[account]["cross_posting"].append(f"{listing} = {other}")


def _pattern_indicator(tables: Mapping[str, pd.DataFrame], patterns: Iterable[Any] | None,
                       found: dict[str, dict[str, list[str]]]) -> None:
    if not patterns:
        return
    users: dict[str, set[str]] = defaultdict(set)
    for table in (_rel(tables, "USES"),):
        for account, channel in zip(table["start"], table["end"], strict=True):
            users[channel].add(account)
    for pattern in patterns:
        kind = pattern["kind"] if isinstance(pattern, dict) else pattern.kind
        members = pattern["members"] if isinstance(pattern, dict) else pattern.members
        for channel in members:
            holders = users.get(channel, set())
            if popularity.is_popular("channel", len(holders), weighted=False):  # an escrow or exchange: no evidence against each user
                continue
            for account in holders:
                found[account]["laundering_pattern"].append(f"{kind} via {channel}")


def _route_indicator(tables: Mapping[str, pd.DataFrame], found: dict[str, dict[str, list[str]]],
                     shipments: pd.DataFrame | None) -> None:
    from graphbench.analytics.routes import consumer_hubs, shipment_routes

    shipments = shipment_routes(tables) if shipments is None else shipments
    hubs = set(consumer_hubs(tables, CONSUMER_HUB_MIN_ORIGINS, shipments=shipments)["country"])
    for row in shipments.dropna(subset=["sender", "destination"]).itertuples(index=False):
        if row.destination in hubs:
            found[row.sender]["routes_to_consumer_hubs"].append(f"{row.id} {row.origin}→{row.destination}")


def _platform_indicator(tables: Mapping[str, pd.DataFrame], found: dict[str, dict[str, list[str]]]) -> None:
    for a, b in zip(*_same_as(tables), strict=True):
        if a.split(":")[1] != b.split(":")[1]:
            found[a]["many_platforms"].append(b)
            found[b]["many_platforms"].append(a)


def _evasion_indicator(tables: Mapping[str, pd.DataFrame], found: dict[str, dict[str, list[str]]]) -> None:
    """Accounts whose handle the loaders folded from look-alike spellings (``Account.evasion``)."""
    accounts = tables.get("Account")
    if accounts is None or "evasion" not in accounts.columns:
        return
    for account, flags in zip(accounts["id"], accounts["evasion"], strict=True):
        if flags is not None and not isinstance(flags, (str, float)):
            found[account]["lookalike_identifiers"] += [f"{account}: {flag}" for flag in flags]


def _same_as(tables: Mapping[str, pd.DataFrame]) -> tuple[list[str], list[str]]:
    """SAME_AS pairs an analyst has not rejected."""
    same = _rel(tables, "SAME_AS")
    same = same[verdicts.not_rejected(same)]
    return list(same["start"]), list(same["end"])


def _shared_with_flagged(tables: Mapping[str, pd.DataFrame], flagged: set[str],
                         found: dict[str, dict[str, list[str]]]) -> None:
    holders: dict[str, set[str]] = defaultdict(set)
    kind_of: dict[str, str] = {}
    for name, kind in (("HAS_PHONE", "phone"), ("HAS_EMAIL", "email"), ("USES", "channel")):
        table = _rel(tables, name)
        for account, identifier in zip(table["start"], table["end"], strict=True):
            holders[identifier].add(account)
            kind_of[identifier] = kind
    for identifier, accounts in holders.items():
        if len(accounts) < 2 or popularity.is_popular(kind_of[identifier], len(accounts), weighted=False) or not accounts & flagged:
            continue
        for account in accounts:
            for other in sorted((accounts & flagged) - {account}):
                found[account]["shares_identifiers_with_flagged"].append(f"{identifier} with {other}")
    # an entity-resolution link to a flagged account is the same evidence, already weighed by the matcher
    for a, b in zip(*_same_as(tables), strict=True):
        for account, other in ((a, b), (b, a)):
            if other in flagged:
                found[account]["shares_identifiers_with_flagged"].append(f"SAME_AS with {other}")


def _influencers(tables: Mapping[str, pd.DataFrame], flagged: set[str],
                 found: dict[str, dict[str, list[str]]]) -> None:
    accounts = tables.get("Account", pd.DataFrame(columns=["id", "followers"]))
    if "followers" not in accounts:
        return
    followers = dict(zip(accounts["id"], pd.to_numeric(accounts["followers"], errors="coerce"), strict=True))
    links = _rel(tables, "LINKS_TO")
    for source, target in zip(links["start"], links["end"], strict=True):
        if target in flagged and (followers.get(source) or 0) >= INFLUENCER_FOLLOWERS:
            found[source]["influencer_for_flagged"].append(f"links to {target}")
