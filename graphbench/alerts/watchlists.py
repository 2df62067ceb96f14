"""Watchlists: named lists of terms of one kind, kept beside the graph (graphbench.records).

Kinds and how a term is normalised (the graph's own key rules, so a term meets the node it names):

| kind | matches | term as written → as kept |
|---|---|---|
| ``term`` | words in a listing's title or text (case-folded, whole words) | ``pangolin scales`` |
| ``species`` | a listing that MENTIONS the species (any way the matcher found it) | ``Manis javanica`` |
| ``hashtag`` | a listing TAGGED with it | ``#Pangolin`` → ``pangolin`` |
| ``phone`` | an account that HAS_PHONE it | ``+84 91 193 1648`` → ``+84911931648`` |
| ``email`` | an account that HAS_EMAIL it | lower case |
| ``wallet`` | a payment channel (any type) whose identifier it is | as the channel's key |
| ``handle`` | an account of that handle on any platform | ``@Reptile.House`` → ``reptile.house`` |
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from graphbench import normalize
from graphbench.errors import GraphbenchError
from graphbench.records import RecordStore

KINDS = ("term", "species", "hashtag", "phone", "email", "wallet", "handle")
KIND = "watchlist"


def normal_term(kind: str, raw: str) -> str:
    """``raw`` as the graph keys it, or one sentence naming the term and the kind."""
    text = " ".join(str(raw).split())
    if not text:
        raise GraphbenchError(f"an empty {kind} term")
    try:
        if kind == "term":
            return text.casefold()
        if kind == "species":
            return normalize.scientific_name(text)
        if kind == "hashtag":
            return normalize.hashtag(text)
        if kind == "phone":
            return normalize.phone(text)
        if kind == "email":
            return normalize.email(text)
        if kind == "handle":
            return normalize.handle(text)
        if kind == "wallet":
            return text
    except ValueError as exc:
        raise GraphbenchError(f"{kind} {raw!r}: {exc}") from None
    raise GraphbenchError(f"unknown watchlist kind {kind!r}: use one of {', '.join(KINDS)}")


@dataclass
class Watchlist:
    name: str
    kind: str
    terms: list[str] = field(default_factory=list)
    created_by: str = ""
    created_at: str = ""


class WatchlistRepository:
    def __init__(self, records: RecordStore) -> None:
        self.records = records

    def save(self, name: str, kind: str, terms: list[str], by: str) -> Watchlist:
        """Create or replace the list ``name`` (terms normalised, each once, in the order given)."""
        name = " ".join(name.split())
        if not name:
            raise GraphbenchError("a watchlist needs a name")
        if kind not in KINDS:
            raise GraphbenchError(f"unknown watchlist kind {kind!r}: use one of {', '.join(KINDS)}")
        kept = list(dict.fromkeys(normal_term(kind, t) for t in terms if str(t).strip()))
        if not kept:
            raise GraphbenchError(f"watchlist {name!r} needs at least one term")
        watchlist = Watchlist(name, kind, kept, by, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.records.put(KIND, name, asdict(watchlist))
        return watchlist

    def all(self) -> list[Watchlist]:
        return [Watchlist(**doc) for doc in self.records.all(KIND)]

    def delete(self, name: str) -> bool:
        return self.records.delete(KIND, name)
