"""Named queries: Cypher texts under ``queries/`` and their Python twins for the embedded store.

A query file starts with comment lines ``// name:``, ``// params:`` and ``// purpose:``. Each
parameter has a type that binds (and normalises) the user's text: ``node_id``, ``hashtag``,
``species``, ``int``, ``string``, ``ids`` (a list, or ``;``-separated text). Values are always bound as ``$parameters``, never pasted.
A parity test runs every query on both stores and demands the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from graphbench import normalize
from graphbench.analytics import money_overview
from graphbench.errors import GraphbenchError
from graphbench.schema import NODE_TYPES, TRANSFER_FIELDS, label_of
from graphbench.store.base import GraphStore

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
DEFAULT_LIMIT = 100
MAX_HOPS = 3


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    help: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    params: tuple[Param, ...]
    purpose: str
    cypher: str

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check and convert the user's parameters; unknown or missing ones are refused."""
        known = {p.name: p for p in self.params}
        unknown = set(given) - set(known)
        if unknown:
            raise GraphbenchError(f"query {self.name} has no parameter {sorted(unknown)[0]!r}; "
                                  f"it takes {', '.join(known) or 'none'}")
        bound: dict[str, Any] = {}
        for param in self.params:
            if param.name not in given or given[param.name] in (None, ""):
                if param.name == "limit":
                    bound["limit"] = DEFAULT_LIMIT
                    continue
                if param.name == "hops":
                    bound["hops"] = 1
                    continue
                raise GraphbenchError(f"query {self.name} needs parameter {param.name!r} ({param.help})")
            bound[param.name] = _convert(self.name, param, given[param.name])
        return bound


def _convert(query: str, param: Param, value: Any) -> Any:
    if param.type == "ids":
        items = value if isinstance(value, list | tuple) else str(value).split(";")
        return list(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    text = str(value).strip()
    try:
        if param.type == "int":
            number = int(text)
            if number < 0:
                raise ValueError("must not be negative")
            if param.name == "hops":
                number = max(1, min(number, MAX_HOPS))
            return number
        if param.type == "node_id":
            if label_of(text) not in NODE_TYPES or ":" not in text:
                raise ValueError("must be a node id like Account:instagram:reptile.house")
            return text
        if param.type == "hashtag":
            return f"Hashtag:{normalize.hashtag(text)}"
        if param.type == "species":
            return normalize.scientific_name(text)
        return text
    except ValueError as exc:
        raise GraphbenchError(f"query {query}: parameter {param.name}={text!r} {exc}") from None


_PARAM = re.compile(r"(\w+) \((\w+)(?:, [^)]*)?\) ([^;]*)")


@cache
def load_query(name: str) -> NamedQuery:
    if not re.fullmatch(r"[a-z_]+", name) or not (QUERY_DIR / f"{name}.cypher").exists():
        raise GraphbenchError(f"unknown query {name!r}; known: {', '.join(query_names())}")
    text = (QUERY_DIR / f"{name}.cypher").read_text(encoding="utf-8")
    header = {m.group(1): m.group(2).strip() for m in re.finditer(r"^// (\w+): (.*)$", text, re.M)}
    params = tuple(Param(m.group(1), m.group(2), m.group(3).strip())
                   for m in _PARAM.finditer(header.get("params", "")))
    cypher = "\n".join(line for line in text.splitlines() if not line.startswith("//"))
    return NamedQuery(header["name"], params, header.get("purpose", ""), cypher.strip())


def query_names() -> list[str]:
    return sorted(path.stem for path in QUERY_DIR.glob("*.cypher"))


# -- the Python twins (embedded store) ----------------------------------------------------------

def run_twin(store: GraphStore, name: str, given: dict[str, Any]) -> list[dict[str, Any]]:
    query = load_query(name)
    params = query.bind(given)
    return _TWINS[name](store, params)


def _records(table: pd.DataFrame, order: list[str], ascending: list[bool] | bool = True,
             limit: int | None = None) -> list[dict[str, Any]]:
    if table.empty:
        return []
    if order:  # Cypher sorts nulls last when ascending, first when descending
        table = table.sort_values(order, ascending=ascending, kind="stable",
                                  na_position="last" if ascending else "first")
    if limit is not None:
        table = table.head(limit)
    table = table.astype(object).where(table.notna(), None)
    return table.to_dict("records")


def _neighbourhood(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    graph = store.neighbourhood(p["node"], hops=p["hops"], limit=10**9)
    if p["node"] not in graph:
        return []
    import networkx as nx

    distance = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), p["node"])
    rows = pd.DataFrame([{"id": n, "distance": d} for n, d in distance.items() if n != p["node"]],
                        columns=["id", "distance"])
    return _records(rows, ["distance", "id"], limit=p["limit"])


def _shared_identifiers(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    links = pd.concat([store.relationships(t, ["start", "end"]) for t in ("HAS_PHONE", "HAS_EMAIL", "USES")])
    mine = links.loc[links["start"] == p["account"], "end"]
    shared = links[links["end"].isin(mine) & (links["start"] != p["account"])]
    rows = shared.rename(columns={"start": "account", "end": "identifier"}).drop_duplicates()
    return _records(rows[["account", "identifier"]], ["account", "identifier"])


def _listing_rows(store: GraphStore, listing_ids: pd.Series) -> pd.DataFrame:
    listings = store.nodes("Listing", ["title", "price", "currency", "posted_at", "url"])
    posted = store.relationships("POSTED", ["start", "end"]).rename(columns={"start": "account", "end": "id"})
    rows = listings[listings["id"].isin(listing_ids)].merge(posted, on="id", how="left")
    return rows.rename(columns={"id": "listing"})


def _listings_with_hashtag(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    tagged = store.relationships("TAGGED", ["start", "end"])
    rows = _listing_rows(store, tagged.loc[tagged["end"] == p["tag"], "start"])
    return _records(rows[["listing", "account", "title", "posted_at"]], ["posted_at", "listing"], limit=p["limit"])


def _transfers(direction: str) -> Callable[[GraphStore, dict[str, Any]], list[dict[str, Any]]]:
    def twin(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
        table = store.relationships("TRANSFERRED", ["tx_id", "amount", "currency", "ts"])
        side = "start" if direction == "out" else "end"
        rows = table[table[side] == p["channel"]].rename(columns={"start": "from", "end": "to"})
        return _records(rows[["tx_id", "from", "to", "amount", "currency", "ts"]], ["ts", "tx_id"], limit=p["limit"])
    return twin


def _account_listings(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    posted = store.relationships("POSTED", ["start", "end"])
    rows = _listing_rows(store, posted.loc[posted["start"] == p["account"], "end"])
    rows = rows[["listing", "title", "price", "currency", "posted_at", "url"]]
    ordered = rows.sort_values(["listing"], kind="stable")  # ORDER BY posted_at DESC, listing
    ordered = ordered.sort_values(["posted_at"], ascending=False, kind="stable", na_position="first")
    return _records(ordered, [], limit=p["limit"])


def _species_listings(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    mentions = store.relationships("MENTIONS", ["term", "match"])
    hits = mentions[mentions["end"] == f"Species:{p['species']}"].rename(columns={"start": "listing"})
    rows = _listing_rows(store, hits["listing"]).merge(hits[["listing", "term", "match"]], on="listing")
    return _records(rows[["listing", "account", "term", "match", "posted_at"]], ["posted_at", "listing"],
                    limit=p["limit"])


def _busiest_payers(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    busiest = money_overview.busiest_in(store.relationships("TRANSFERRED", columns=[]), p["limit"])
    return _records(busiest, [])


def _channel_type_flows(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    flows = money_overview.channel_type_flows_by_day(
        store.relationships("TRANSFERRED", columns=["amount", "currency", "ts"]))
    return _records(flows, [])


def _daily_amounts(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    return _records(money_overview.daily_in(store.relationships("TRANSFERRED", columns=["amount", "currency", "ts"])),
                    [])


def _transfers_by_id(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    table = store.relationships("TRANSFERRED", columns=list(TRANSFER_FIELDS))
    return _records(money_overview.transfers_with_ids(table, p["ids"])[list(TRANSFER_FIELDS)], [])


def _channel_holders(store: GraphStore, p: dict[str, Any]) -> list[dict[str, Any]]:
    return _records(money_overview.holders_in(store.nodes("PaymentChannel", columns=["id"])["id"],
                                              {t: store.relationships(t, columns=[]) for t in ("USES", "POSTED", "ACCEPTS")},
                                              p["ids"]), ["channel"])


_TWINS: dict[str, Callable[[GraphStore, dict[str, Any]], list[dict[str, Any]]]] = {
    "neighbourhood": _neighbourhood,
    "shared_identifiers": _shared_identifiers,
    "listings_with_hashtag": _listings_with_hashtag,
    "transfers_out": _transfers("out"),
    "transfers_in": _transfers("in"),
    "account_listings": _account_listings,
    "species_listings": _species_listings,
    "busiest_payers": _busiest_payers,
    "channel_type_flows": _channel_type_flows,
    "daily_amounts": _daily_amounts,
    "transfers_by_id": _transfers_by_id,
    "channel_holders": _channel_holders,
}
