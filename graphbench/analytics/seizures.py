"""Seizures: where they happen, the routes the goods took, and the accounts they point at.

Pure functions over tables (the ``Seizure`` node table and the relationship tables), so both stores
give the same answer from the same rows.

``seizure_summary`` is ``graphbench seizures --json``:

- ``countries``: per ISO 3166 alpha-2 country, ``seizures`` made there (the record's ``country``),
  ``as_origin`` / ``as_transit`` / ``as_destination`` (seizures whose route names it in that role;
  a country named twice in one route counts once per role), and ``weight_kg`` seized there (records
  in kg; counts of specimens have no weight). Ordered by seizures + origin + transit + destination
  roles, then code.
- ``routes``: per (origin, via…, destination) as the records give them (a side not given is null),
  ``seizures`` and ``weight_kg``; routes with neither origin nor destination are left out. Busiest
  first, then by weight, then by route.

``seizure_accounts`` is the evidence for the risk indicator ``named_in_seizure``: an account a
seizure names (``handles``), an account holding a phone or payment channel a seizure names, and an
account that sent a seized shipment (by shipper + tracking number, or by tracking number alone
when the seizure gives no shipper). A phone or channel held by more accounts than the popularity
cut-off (``graphbench.analytics.popularity``) is a switchboard or an escrow, not evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pandas as pd

from graphbench.analytics import popularity

SEIZURE_FIELDS = ("seizure_id", "country", "weight_kg", "origin_country", "via_countries", "destination_country",
                  "tracking_no", "shipper", "date", "lat", "lon")


def _codes(value: Any) -> list[str]:
    """A list property as stores return it (list, array, ``;`` text) as a list of codes."""
    if value is None or isinstance(value, float) or value is pd.NA:
        return []
    if isinstance(value, str):
        return [v for v in value.split(";") if v]
    return [str(v) for v in value if v]


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) or value is pd.NA else str(value)


def _kg(value: Any) -> float:
    number = pd.to_numeric(value, errors="coerce")
    return 0.0 if pd.isna(number) else float(number)


def seizure_summary(seizures: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The ``countries`` and ``routes`` tables described in the module docstring."""
    counts: dict[str, dict[str, Any]] = defaultdict(lambda: {"seizures": 0, "as_origin": 0, "as_transit": 0,
                                                              "as_destination": 0, "weight_kg": 0.0})
    routes: dict[tuple[str | None, tuple[str, ...], str | None], dict[str, Any]] = defaultdict(
        lambda: {"seizures": 0, "weight_kg": 0.0})
    for row in seizures.reindex(columns=list(SEIZURE_FIELDS)).itertuples(index=False):
        weight = _kg(row.weight_kg)
        country = _text(row.country)
        if country:
            counts[country]["seizures"] += 1
            counts[country]["weight_kg"] += weight
        origin, destination = _text(row.origin_country), _text(row.destination_country)
        via = tuple(_codes(row.via_countries))
        if origin:
            counts[origin]["as_origin"] += 1
        for code in dict.fromkeys(via):
            counts[code]["as_transit"] += 1
        if destination:
            counts[destination]["as_destination"] += 1
        if origin or destination:
            routes[(origin, via, destination)]["seizures"] += 1
            routes[(origin, via, destination)]["weight_kg"] += weight

    def roles(item: tuple[str, dict[str, Any]]) -> tuple[int, str]:
        c = item[1]
        return -(c["seizures"] + c["as_origin"] + c["as_transit"] + c["as_destination"]), item[0]

    countries = [{"country": code, **{k: (round(v, 3) if k == "weight_kg" else v) for k, v in c.items()}}
                 for code, c in sorted(counts.items(), key=roles)]
    route_rows = [{"origin": o, "via": list(v), "destination": d, "seizures": r["seizures"],
                   "weight_kg": round(r["weight_kg"], 3)}
                  for (o, v, d), r in routes.items()]
    route_rows.sort(key=lambda r: (-r["seizures"], -r["weight_kg"], r["origin"] or "", r["via"], r["destination"] or ""))
    return {"countries": countries, "routes": route_rows}


def top_countries(summary: Mapping[str, list[dict[str, Any]]], role: str, n: int = 5) -> list[tuple[str, int]]:
    """The ``n`` countries with most seizures in ``role`` (``seizures``, ``as_origin``, ``as_transit``,
    ``as_destination``), ties by code."""
    rows = [(c["country"], int(c[role])) for c in summary["countries"] if c[role]]
    return sorted(rows, key=lambda r: (-r[1], r[0]))[:n]


def _rel(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    table = tables.get(name)
    return table if table is not None and not table.empty else pd.DataFrame(columns=["start", "end"])


def seizure_accounts(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Account id → evidence items (``Seizure:S1 names Phone:+84…``), each account's items sorted."""
    evidence: dict[str, set[str]] = defaultdict(set)
    for account, _, item in seizure_links(tables):
        evidence[account].add(item)
    return {account: sorted(items) for account, items in evidence.items()}


def seizures_of_accounts(tables: Mapping[str, pd.DataFrame], accounts: set[str]) -> set[str]:
    """The Seizure ids linked (as in :func:`seizure_accounts`) to any of ``accounts``."""
    return {seizure for account, seizure, _ in seizure_links(tables) if account in accounts}


def seizure_links(tables: Mapping[str, pd.DataFrame]) -> set[tuple[str, str, str]]:
    """(account, seizure, evidence item) for every link described in the module docstring."""
    links: set[tuple[str, str, str]] = set()
    names = _rel(tables, "NAMES")
    holders: dict[str, set[str]] = defaultdict(set)
    kind_of: dict[str, str] = {}
    for rel, kind in (("HAS_PHONE", "phone"), ("USES", "channel")):
        table = _rel(tables, rel)
        for account, identifier in zip(table["start"], table["end"], strict=True):
            holders[identifier].add(account)
            kind_of[identifier] = kind
    for seizure, named in zip(names["start"], names["end"], strict=True):
        if named.startswith("Account:"):
            links.add((named, seizure, f"{seizure} names {named}"))
            continue
        accounts = holders.get(named, set())
        if not accounts or popularity.is_popular(kind_of[named], len(accounts), weighted=False):
            continue
        for account in accounts:
            links.add((account, seizure, f"{seizure} names {named}"))
    senders: dict[str, set[str]] = defaultdict(set)
    sent = _rel(tables, "SENT")
    for account, shipment in zip(sent["start"], sent["end"], strict=True):
        senders[shipment].add(account)
    seized = _rel(tables, "OF_SHIPMENT")
    pairs = set(zip(seized["start"], seized["end"], strict=True))
    seizure_table = tables.get("Seizure")
    shipments = tables.get("Shipment")
    if seizure_table is not None and shipments is not None and not seizure_table.empty and not shipments.empty \
            and "tracking_no" in seizure_table and "tracking_no" in shipments:
        by_number: dict[str, list[str]] = defaultdict(list)
        for shipment, number in zip(shipments["id"], shipments["tracking_no"], strict=True):
            if _text(number):
                by_number[str(number)].append(shipment)
        no_shipper = seizure_table[seizure_table.get("shipper", pd.Series(index=seizure_table.index)).isna()]
        for seizure, number in zip(no_shipper["id"], no_shipper["tracking_no"], strict=True):
            for shipment in by_number.get(_text(number) or "", []):
                pairs.add((seizure, shipment))
    for seizure, shipment in pairs:
        for account in senders.get(shipment, set()):
            links.add((account, seizure, f"{seizure} seized {shipment}"))
    return links
