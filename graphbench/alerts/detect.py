"""What becomes an alert: pure functions over a :class:`GraphView`, no store, no I/O.

- *Watchlist matches*: each (watchlist, term, entity) once; a term matching more than
  :data:`MAX_PER_TERM` entities in one scan raises those and one "more matches" alert, not thousands.
- *Reappearance after a takedown*: a takedown records a listing's evidence when it was reported — its
  operator accounts, phones, e-mails, payment channels, image hash — and the listings that already shared
  any of it then (``known``). After a later load, any *other* listing sharing that evidence becomes one
  alert per (taken-down listing, new listing), naming both and every piece of evidence: the same operator
  (the same account, or one SAME_AS-linked to it, rejected links excluded), the same phone, e-mail or
  payment channel, the same image hash or an image cross-post. Identifiers too popular to be a tie (an
  escrow, a switchboard: graphbench.analytics.popularity, unweighted cut-off) are not evidence.

Assumption: "new" means "not sharing evidence when the takedown was recorded". A listing the store held
then without sharing evidence, linked only later (a SAME_AS found by a later load), counts: the operator
is still selling.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graphbench.alerts.graph_view import GraphView
from graphbench.alerts.watchlists import Watchlist
from graphbench.analytics.popularity import is_popular

MAX_PER_TERM = 200  # one term's alerts per scan: past this the term is too broad to triage one by one


@dataclass
class AlertDraft:
    key: str
    kind: str  # "watchlist" | "reappearance"
    title: str
    entities: list[str]
    evidence: list[dict[str, Any]]
    listings: list[str] = field(default_factory=list)
    watchlist: str | None = None


def watchlist_matches(view: GraphView, watchlists: list[Watchlist]) -> list[AlertDraft]:
    drafts: list[AlertDraft] = []
    for watchlist in sorted(watchlists, key=lambda w: w.name):
        for term in watchlist.terms:
            found = sorted(_matching(view, watchlist.kind, term).items())
            for entity, evidence in found[:MAX_PER_TERM]:
                drafts.append(AlertDraft(f"watch|{watchlist.name}|{term}|{entity}", "watchlist",
                                         f"{watchlist.kind} {term!r} (watchlist {watchlist.name}): {entity}",
                                         [entity], [{"kind": watchlist.kind, "term": term, **evidence}],
                                         [entity] if entity.startswith("Listing:") else [], watchlist.name))
            if len(found) > MAX_PER_TERM:
                drafts.append(AlertDraft(f"watch|{watchlist.name}|{term}|more", "watchlist",
                                         f"{watchlist.kind} {term!r} (watchlist {watchlist.name}): "
                                         f"{len(found) - MAX_PER_TERM:,} more matches than alerted",
                                         [], [{"kind": watchlist.kind, "term": term, "matches": len(found)}],
                                         [], watchlist.name))
    return drafts


def _matching(view: GraphView, kind: str, term: str) -> dict[str, dict[str, Any]]:
    """entity id → what matched, for one term."""
    if kind == "term":
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
        listings = view.listings
        text = (listings.get("title", "").fillna("").astype(str) + " \n " +
                listings.get("text", "").fillna("").astype(str)).str.casefold()
        hits = listings["id"][text.str.contains(pattern)]
        return {listing: {"field": "title/text"} for listing in hits}
    if kind == "species":
        return {lst: {"via": "MENTIONS"} for lst in view.mentions.get(f"Species:{term}", ())}
    if kind == "hashtag":
        return {lst: {"via": "TAGGED"} for lst in view.tagged.get(f"Hashtag:{term}", ())}
    if kind in ("phone", "email"):
        identifier = f"{'Phone' if kind == 'phone' else 'Email'}:{term}"
        return {acc: {"via": identifier} for acc in view.holders.get(identifier, ())}
    if kind == "wallet":
        wanted = term.lower()
        return {channel: {"accounts": sorted(accounts)} for channel, accounts in view.holders.items()
                if channel.startswith("PaymentChannel:") and channel.split(":", 2)[-1].lower() == wanted}
    if kind == "handle":
        return {acc: {"via": "handle"} for acc in view.posted.keys() | view.phones.keys() | view.uses.keys()
                if acc.split(":", 2)[-1] == term}
    return {}


def takedown_snapshot(view: GraphView, listing: str) -> dict[str, Any]:
    """The evidence of ``listing`` as it stands now, and the listings that already share it."""
    accounts = sorted(view.poster.get(listing, ()))
    snapshot: dict[str, Any] = {
        "listing": listing, "accounts": accounts,
        "phones": sorted({p for a in accounts for p in view.phones.get(a, ())}),
        "emails": sorted({e for a in accounts for e in view.emails.get(a, ())}),
        "wallets": sorted(view.accepts.get(listing, set()) | {w for a in accounts for w in view.uses.get(a, ())}),
        "image_phash": view.phash_of().get(listing),
    }
    snapshot["known"] = sorted({listing, *shared_evidence(view, snapshot)})
    return snapshot


def shared_evidence(view: GraphView, snapshot: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every listing (but the taken-down one) sharing evidence with ``snapshot`` → that evidence."""
    found: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    original = set(snapshot["accounts"])
    for account in sorted(view.operator(original)):
        via = "the same account" if account in original else _link(view, account, original)
        for listing in view.posted.get(account, ()):
            found[listing].append({"kind": "operator", "account": account, "via": via})
    current = {kind: set(snapshot[kind]) | {i for a in original for i in getattr(view, attr).get(a, ())}
               for kind, attr in (("phones", "phones"), ("emails", "emails"), ("wallets", "uses"))}
    accepted_by: defaultdict[str, set[str]] = defaultdict(set)
    for listing, channels in view.accepts.items():
        for channel in channels & current["wallets"]:
            accepted_by[channel].add(listing)
    for kind, label in (("phones", "phone"), ("emails", "email"), ("wallets", "wallet")):
        for identifier in sorted(current[kind]):
            holders = view.holders.get(identifier, set())
            if is_popular("channel" if kind == "wallets" else label, len(holders), weighted=False):
                continue  # infrastructure (an escrow, a switchboard), not a tie
            listings = {lst for a in holders for lst in view.posted.get(a, ())} | accepted_by.get(identifier, set())
            for listing in listings:
                found[listing].append({"kind": label, "value": identifier})
    phash = snapshot.get("image_phash")
    if phash:
        for listing, other in view.phash_of().items():
            if other == phash:
                found[listing].append({"kind": "image", "value": phash, "via": "same image hash"})
    for listing in view.image_posts.get(snapshot["listing"], ()):
        found[listing].append({"kind": "image", "value": listing, "via": "CROSS_POSTED_AS by image"})
    found.pop(snapshot["listing"], None)
    return {listing: _unique(items) for listing, items in found.items()}


def reappearances(view: GraphView, takedowns: list[dict[str, Any]]) -> list[AlertDraft]:
    drafts = []
    for takedown in sorted(takedowns, key=lambda t: t["listing"]):
        known = set(takedown.get("known", ()))
        for listing, evidence in sorted(shared_evidence(view, takedown).items()):
            if listing in known:
                continue
            posters = sorted(view.poster.get(listing, ()))
            kinds = ", ".join(sorted({e["kind"] for e in evidence}))
            drafts.append(AlertDraft(
                f"reappear|{takedown['listing']}|{listing}", "reappearance",
                f"{listing} reappears after the takedown of {takedown['listing']} (same {kinds})",
                [takedown["listing"], listing, *posters], evidence, [takedown["listing"], listing]))
    return drafts


def _link(view: GraphView, account: str, original: set[str]) -> str:
    """How ``account`` joins the operator: its SAME_AS link(s) into the operator set, with their evidence."""
    operator = view.operator(original)
    links = [f"SAME_AS {other} ({view.same_as_evidence.get(_pair(account, other), '')})"
             for other in sorted(view.same_as.get(account, ())) if other in operator]
    return "; ".join(links)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _unique(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(repr(sorted(item.items())), item)
    return sorted(seen.values(), key=lambda e: (e["kind"], str(e.get("value") or e.get("account"))))
