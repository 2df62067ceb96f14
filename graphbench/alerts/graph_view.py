"""The few tables alert detection reads, once per scan, through the store port (start/end only where
that is all it needs; titles and texts only when a ``term`` watchlist asks for them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from graphbench.analytics.verdicts import not_rejected
from graphbench.store.base import GraphStore


def _pairs(store: GraphStore, rel_type: str) -> pd.DataFrame:
    table = store.relationships(rel_type, columns=[])
    return table[["start", "end"]] if len(table) else pd.DataFrame(columns=["start", "end"])


@dataclass
class GraphView:
    listings: pd.DataFrame  # id, image_phash (+ title, text when asked)
    poster: dict[str, set[str]] = field(default_factory=dict)  # listing → accounts that posted it
    posted: dict[str, set[str]] = field(default_factory=dict)  # account → its listings
    phones: dict[str, set[str]] = field(default_factory=dict)  # account → Phone ids
    emails: dict[str, set[str]] = field(default_factory=dict)  # account → Email ids
    uses: dict[str, set[str]] = field(default_factory=dict)  # account → PaymentChannel ids
    accepts: dict[str, set[str]] = field(default_factory=dict)  # listing → PaymentChannel ids
    same_as: dict[str, set[str]] = field(default_factory=dict)  # account → accounts (both ways, not rejected)
    same_as_evidence: dict[tuple[str, str], str] = field(default_factory=dict)
    image_posts: dict[str, set[str]] = field(default_factory=dict)  # listing → listings CROSS_POSTED_AS by image
    mentions: dict[str, set[str]] = field(default_factory=dict)  # Species id → listings
    tagged: dict[str, set[str]] = field(default_factory=dict)  # Hashtag id → listings
    holders: dict[str, set[str]] = field(default_factory=dict)  # identifier id → accounts holding it

    @classmethod
    def read(cls, store: GraphStore, with_text: bool = False) -> GraphView:
        columns = ["image_phash", *(["title", "text"] if with_text else [])]
        view = cls(store.nodes("Listing", columns=columns))
        for start, end in _pairs(store, "POSTED").itertuples(index=False):
            view.poster.setdefault(end, set()).add(start)
            view.posted.setdefault(start, set()).add(end)
        for rel_type, target in (("HAS_PHONE", view.phones), ("HAS_EMAIL", view.emails), ("USES", view.uses),
                                 ("ACCEPTS", view.accepts), ("MENTIONS", None), ("TAGGED", None)):
            for start, end in _pairs(store, rel_type).itertuples(index=False):
                if target is not None:
                    target.setdefault(start, set()).add(end)
                else:
                    (view.mentions if rel_type == "MENTIONS" else view.tagged).setdefault(end, set()).add(start)
        holders: defaultdict[str, set[str]] = defaultdict(set)
        for mapping in (view.phones, view.emails, view.uses):
            for account, ids in mapping.items():
                for identifier in ids:
                    holders[identifier].add(account)
        for listing, channels in view.accepts.items():
            for channel in channels:
                holders[channel].update(view.poster.get(listing, ()))
        view.holders = dict(holders)
        links = store.relationships("SAME_AS", columns=["status", "evidence"])
        if len(links):
            for row in links[not_rejected(links)].itertuples(index=False):
                view.same_as.setdefault(row.start, set()).add(row.end)
                view.same_as.setdefault(row.end, set()).add(row.start)
                pair = (row.start, row.end) if row.start <= row.end else (row.end, row.start)
                view.same_as_evidence[pair] = str(row.evidence or "")
        posts = store.relationships("CROSS_POSTED_AS", columns=["method"])
        if len(posts):
            for row in posts[posts["method"].astype("string") == "image"].itertuples(index=False):
                view.image_posts.setdefault(row.start, set()).add(row.end)
                view.image_posts.setdefault(row.end, set()).add(row.start)
        return view

    def phash_of(self) -> dict[str, str]:
        table = self.listings.dropna(subset=["image_phash"]) if "image_phash" in self.listings else self.listings[:0]
        return dict(zip(table["id"], table["image_phash"].astype(str), strict=True))

    def operator(self, accounts: set[str]) -> set[str]:
        """``accounts`` and every account SAME_AS-linked to them, transitively (rejected links excluded)."""
        seen, todo = set(accounts), list(accounts)
        while todo:
            for other in self.same_as.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen
