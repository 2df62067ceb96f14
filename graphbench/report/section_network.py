"""Sections about the accounts: Summary, Network and Key accounts (facts, then their rendering)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from graphbench.analytics.communities import summarise_communities
from graphbench.analytics.fx import per_currency, to_base
from graphbench.analytics.risk import FLAGGED_SCORE
from graphbench.report import charts
from graphbench.report.document import EXAMPLE_CHARS, TABLE_ROWS, Section
from graphbench.report.view import ReportView

Cited = list[tuple[Any, str]]  # (item, kind) in citation order


# -- Summary ----------------------------------------------------------------------------------------

@dataclass
class SummaryFacts:
    scope_phrase: str
    accounts: int
    listings: int
    platforms: dict[str, int]
    flagged_accounts: int
    listings_naming_taxa: int
    taxa_named: int
    transfers: int
    transfer_amount: float  # in base_currency (transfers whose currency has no rate are not in it)
    currencies: list[str]
    amounts_by_currency: dict[str, float]  # as written, per currency (never added together)
    base_currency: str
    fx_label: str
    fx_notes: list[str]
    patterns: int
    shipments: int
    couriers: int
    period: str

    def citations(self) -> Cited:
        return []

    def summary(self) -> dict[str, Any]:
        return {"accounts": self.accounts, "listings": self.listings, "flagged_accounts": self.flagged_accounts,
                "platforms": self.platforms, "transfers": self.transfers,
                "transfer_amount": round(self.transfer_amount, 2), "transfer_amount_currency": self.base_currency,
                "transfer_amounts": self.amounts_by_currency, "shipments": self.shipments,
                "period": self.period}


def compute_summary(view: ReportView) -> SummaryFacts:
    t = view.tables
    accounts = sorted(view.scoped.accounts)
    platforms = pd.Series([a.split(":")[1] for a in accounts], dtype=object).value_counts()
    transfers = t["TRANSFERRED"]
    # never one sum over several currencies: per currency as written, and the base-currency total
    written = per_currency(transfers.get("amount", []), transfers.get("currency", [None] * len(transfers)))
    converted = to_base(transfers.get("amount", []), transfers.get("currency", [None] * len(transfers)),
                        transfers.get("ts", [None] * len(transfers)), view.analysis.base_currency,
                        view.analysis.fx_rates)
    amount = float(np.nansum(converted.amount)) if len(transfers) else 0.0
    currencies = sorted(c for c in written["currency"] if c)
    # listings may carry no posted_at column at all (an optional field no row had)
    listing_times = pd.to_datetime(t["Listing"]["posted_at"], utc=True, errors="coerce").dropna() \
        if len(t["Listing"]) and "posted_at" in t["Listing"] else pd.Series(dtype="datetime64[ns, UTC]")
    period = (f"{listing_times.min():%Y-%m-%d} to {listing_times.max():%Y-%m-%d}" if len(listing_times)
              else "no dated listings")
    return SummaryFacts(
        scope_phrase="all monitored accounts" if not view.scope.narrowed else view.scope.describe(),
        accounts=len(accounts), listings=len(t["Listing"]), platforms=platforms.to_dict(),
        flagged_accounts=len(view.flagged), listings_naming_taxa=t["MENTIONS"]["start"].nunique(),
        taxa_named=t["MENTIONS"]["end"].nunique(), transfers=len(transfers), transfer_amount=amount,
        currencies=currencies, amounts_by_currency=dict(zip(written["currency"], written["amount"], strict=True)),
        base_currency=converted.base, fx_label=converted.label, fx_notes=converted.notes(), patterns=len(view.patterns), shipments=len(t["Shipment"]),
        couriers=t["CARRIED_BY"]["end"].nunique(), period=period)


def render_summary(f: SummaryFacts) -> Section:
    numbers = pd.DataFrame([
        ("Accounts", f"{f.accounts:,} on {len(f.platforms)} platforms"),
        ("Listings", f"{f.listings:,} posted {f.period}"),
        ("Listings naming CITES-listed taxa", f"{f.listings_naming_taxa:,} naming {f.taxa_named:,} taxa"),
        ("Flagged accounts", f"{f.flagged_accounts:,} score {FLAGGED_SCORE:.0f} or more on the risk indicators"),
        ("Transfers", f"{f.transfers:,}: " + ", ".join(f"{a:,.0f} {c or '(no currency)'}"
                                                       for c, a in f.amounts_by_currency.items())
         + f"; ≈ {f.transfer_amount:,.0f} {f.base_currency} in all ({f.fx_label.removeprefix('≈ ')}"
         + "".join(f"; {n}" for n in f.fx_notes) + ")"),
        ("Laundering patterns", f"{f.patterns:,}"),
        ("Shipments", f"{f.shipments:,} by {f.couriers:,} couriers"),
        ("Platforms", ", ".join(f"{p} ({n})" for p, n in f.platforms.items())),
    ], columns=["measure", "value"])
    text = (f"This alert covers {f.scope_phrase}. It describes the trafficking networks found in the monitored "
            "platforms, the species and the words they trade under, how they evade moderation, how they are "
            "paid and how they ship, and recommends takedowns, financial referrals and inspections. Every "
            "item cited is traceable to its source record in the evidence annex.")
    return Section("Summary", text, tables=[("The scope in numbers", numbers)])


# -- Network ----------------------------------------------------------------------------------------

@dataclass
class NetworkFacts:
    table: pd.DataFrame  # community, accounts, flagged, platforms, key members, species, channels
    key_members: list[str]  # cited: two key members of the five largest networks
    drawn: list[str]  # accounts in the picture, riskiest first
    risk_of: dict[str, float]
    view: ReportView  # the picture needs the whole store's account graph and membership

    def citations(self) -> Cited:
        return [(m, "account") for m in self.key_members]

    def summary(self) -> dict[str, Any]:
        return {"communities": self.table.head(TABLE_ROWS)["community"].tolist()}


def compute_network(view: ReportView) -> NetworkFacts:
    membership = view.scoped.membership
    risk_of = dict(zip(view.scores["id"], view.scores["score"], strict=True))
    in_scope = sorted(view.scoped.accounts, key=lambda a: (-risk_of.get(a, 0.0), a))
    flagged = [a for a in in_scope if risk_of.get(a, 0.0) >= FLAGGED_SCORE]
    touched = {membership[a] for a in view.scoped.accounts if a in membership}
    summaries = [s for s in summarise_communities(view.scoped.communities, view.scoped.graph, view.tables,
                                                  min_size=2) if s.community in touched]
    flagged_per = pd.Series([membership.get(a, -1) for a in flagged], dtype=int).value_counts()
    rows = [{"community": s.community, "accounts": s.size, "flagged": int(flagged_per.get(s.community, 0)),
             "platforms": "; ".join(s.platforms), "key members": "; ".join(m.split(":", 1)[1] for m in s.key_members[:4]),
             "species": "; ".join(x.removeprefix("Species:") for x in s.species[:3]),
             "channels": _channels(s)}
            for s in summaries]
    table = pd.DataFrame(rows, columns=["community", "accounts", "flagged", "platforms", "key members", "species",
                                        "channels"])
    table = table.sort_values(["flagged", "accounts", "community"], ascending=[False, False, True])
    # the picture: the riskiest accounts, at most 300, so the flagged ones first
    return NetworkFacts(table, [m for s in summaries[:5] for m in s.key_members[:2]],
                        in_scope[:charts.MAX_NETWORK_NODES], risk_of, view)


def _channels(summary: Any) -> str:
    """A network's own channels first; a popular one (an escrow every buyer pays) only when it has no
    other, and marked so: it says nothing about who works together."""
    own = [x.removeprefix("PaymentChannel:") for x in summary.payment_channels[:2]]
    if own:
        return "; ".join(own)
    shared = [x.removeprefix("PaymentChannel:") for x in summary.popular if x.startswith("PaymentChannel:")]
    return "; ".join(f"{x} (popular: shared by many accounts)" for x in shared[:1])


def render_network(f: NetworkFacts) -> Section:
    picture = charts.network_png(f.view.scoped.graph, f.drawn, f.view.scoped.membership, f.risk_of)
    text = (f"{len(f.table):,} networks (communities of two or more accounts joined by shared phones, e-mails, "
            f"payment channels, money, cross-posts and profile links) hold the accounts in scope; "
            f"{int((f.table['flagged'] > 0).sum()):,} of them contain flagged accounts. The picture shows "
            f"{len(f.drawn):,} accounts, flagged first.")
    return Section("Network", text, tables=[("Networks by flagged members", f.table.head(12))],
                   images=[("Accounts and the evidence joining them — colour: community (numbered as in "
                            "`graphbench communities`), size: risk score, dark ring: flagged", picture)])


# -- Key accounts -----------------------------------------------------------------------------------

@dataclass
class KeyAccountsFacts:
    table: pd.DataFrame  # account, followers, community, score, indicators, example evidence
    narrowed: bool

    def citations(self) -> Cited:
        return [(a, "account") for a in self.table["account"]]

    def summary(self) -> dict[str, Any]:
        return {"key_accounts": self.table["account"].tolist()}


def compute_key_accounts(view: ReportView) -> KeyAccountsFacts:
    accounts = view.tables["Account"].drop_duplicates("id").set_index("id")
    rows = []
    for row in view.scores.head(TABLE_ROWS).itertuples(index=False):
        first = next(iter(row.evidence.get(row.indicators[0], [])), "") if row.indicators else ""
        rows.append({"account": row.id, "followers": accounts.get("followers", {}).get(row.id),
                     "community": view.scoped.membership.get(row.id), "score": row.score,
                     "indicators": ", ".join(i.replace("_", " ") for i in row.indicators),
                     "example evidence": str(first)[:EXAMPLE_CHARS]})
    table = pd.DataFrame(rows, columns=["account", "followers", "community", "score", "indicators",
                                        "example evidence"])
    return KeyAccountsFacts(table, view.scope.narrowed)


def render_key_accounts(f: KeyAccountsFacts) -> Section:
    text = ("Each score adds named, weighted indicators (CITES Appendix I species, code words, misspelt names, "
            "cross-posting, laundering patterns, routes to consumer hubs, identifiers shared with flagged "
            "accounts …); `graphbench risk --account ID` lists every piece of evidence behind it.")
    if f.narrowed:
        text += (" Scores weigh the evidence over the whole store, as `graphbench risk` does: an account scores "
                 "the same here as in every other report and page.")
    return Section("Key accounts", text, tables=[("Highest-risk accounts", f.table)])
