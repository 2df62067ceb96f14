"""What a report covers: the whole store, a community, a set of accounts, and/or a time window.

Communities are numbered as ``graphbench communities`` numbers them (default engine, seed 0, over the
whole store's account graph), so "community 3" in the report is community 3 on the Communities page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from graphbench.analysis import Analysis
from graphbench.analytics.communities import CommunityResult
from graphbench.analytics.projection import AccountGraph


@dataclass
class ReportScope:
    accounts: list[str] | None = None  # None = every account
    community: int | None = None  # a community of `graphbench communities` (default engine, seed 0)
    since: str | None = None  # ISO UTC
    until: str | None = None
    title: str = "Cyber-alert: online wildlife trafficking network"
    marking: str = "TLP:AMBER"

    def describe(self) -> str:
        parts = []
        if self.community is not None:
            parts.append(f"community {self.community}")
        if self.accounts:
            parts.append(f"{len(self.accounts)} selected accounts")
        if self.since or self.until:
            parts.append(f"from {self.since or 'the start'} to {self.until or 'now'}")
        return ", ".join(parts) or "the whole store"

    @property
    def narrowed(self) -> bool:
        return self.community is not None or bool(self.accounts) or bool(self.since or self.until)


@dataclass
class Scoped:
    """The tables restricted to the scope, the accounts in it, and the whole store's communities."""

    tables: dict[str, pd.DataFrame]
    accounts: set[str]
    graph: AccountGraph  # account graph over the whole store (the network picture draws part of it)
    communities: CommunityResult  # over the whole store, as `graphbench communities` numbers them
    membership: dict[str, int] = field(default_factory=dict)  # account → community


def scope_tables(source: Analysis | Mapping[str, pd.DataFrame], scope: ReportScope) -> Scoped:
    """Restrict the tables of ``source`` (an :class:`Analysis`, or tables) to the scope's accounts (their
    listings, channels, transfers, shipments) and window. The account graph and the communities are the
    whole store's, from the Analysis (computed once, shared with every other caller)."""
    analysis = source if isinstance(source, Analysis) else Analysis.of_tables(source)
    tables = analysis.tables
    graph = analysis.account_graph
    communities = analysis.communities()
    membership = analysis.membership
    accounts = set(tables["Account"]["id"])
    if scope.community is not None:
        accounts = {a for a, c in membership.items() if c == scope.community}
    if scope.accounts:
        chosen = set(scope.accounts)
        accounts = accounts & chosen if scope.community is not None else chosen
    if not scope.narrowed:
        return Scoped(dict(tables), accounts, graph, communities, membership)

    listings = tables["Listing"]
    posted = tables["POSTED"]
    mine = set(posted.loc[posted["start"].isin(accounts), "end"])
    listings = listings[listings["id"].isin(mine) & _in_window(listings.get("posted_at"), scope)]
    keep_listings = set(listings["id"])
    channels = set(tables["USES"].loc[tables["USES"]["start"].isin(accounts), "end"])
    transfers = tables["TRANSFERRED"]
    transfers = transfers[(transfers["start"].isin(channels) | transfers["end"].isin(channels))
                          & _in_window(transfers.get("ts"), scope)]
    sent = tables["SENT"]
    shipments = tables["Shipment"]
    shipments = shipments[shipments["id"].isin(set(sent.loc[sent["start"].isin(accounts), "end"]))
                          & _in_window(shipments.get("shipped_at"), scope)]
    keep_shipments = set(shipments["id"])

    scoped = dict(tables)
    scoped["Account"] = tables["Account"][tables["Account"]["id"].isin(accounts)]
    scoped["Listing"] = listings
    scoped["TRANSFERRED"] = transfers
    scoped["Shipment"] = shipments
    scoped["POSTED"] = posted[posted["end"].isin(keep_listings)]
    for rel in ("TAGGED", "MENTIONS", "ACCEPTS"):
        scoped[rel] = tables[rel][tables[rel]["start"].isin(keep_listings)]
    cross = tables["CROSS_POSTED_AS"]
    scoped["CROSS_POSTED_AS"] = cross[cross["start"].isin(keep_listings) | cross["end"].isin(keep_listings)]
    for rel in ("USES", "HAS_PHONE", "HAS_EMAIL", "LINKS_TO", "SAME_AS", "SENT"):
        scoped[rel] = tables[rel][tables[rel]["start"].isin(accounts)]
    for rel in ("CARRIED_BY", "FROM", "TO"):
        scoped[rel] = tables[rel][tables[rel]["start"].isin(keep_shipments)]
    located = tables["LOCATED_IN"]
    scoped["LOCATED_IN"] = located[located["start"].isin(accounts | keep_listings)]
    return Scoped(scoped, accounts, graph, communities, membership)


def _in_window(values: pd.Series | None, scope: ReportScope) -> pd.Series | bool:
    """True where the timestamp is inside the window; ``until`` given as a date includes that whole day."""
    if values is None:
        return not (scope.since or scope.until)
    keep = pd.Series(True, index=values.index)
    text = values.astype("string").fillna("")
    if scope.since:
        keep &= text >= scope.since
    if scope.until:
        whole_day = len(scope.until) == 10 or scope.until.endswith("T00:00:00Z")
        keep &= (text <= scope.until) | (text.str.startswith(scope.until[:10]) if whole_day else False)
    return keep
