"""Location nodes from free-text places ("Hanoi, Vietnam", "VN") or country + city columns."""

from __future__ import annotations

from typing import Any

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.schema import node_id


def parse_place(raw: str) -> tuple[str, str | None]:
    """(country code, city or None) from 'city, country' or 'country'."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts:
        raise ValueError("place is empty")
    country = normalize.country(parts[-1])
    city = normalize.city(", ".join(parts[:-1])) if len(parts) > 1 else None
    return country, city


def place_or_none(raw: str | None) -> tuple[str, str | None] | None:
    """A profile's or listing's free-text place, when it names a country we know.

    It is free text ("somewhere in Asia", "DM for location"), so a place we cannot read is not an
    error: the text stays on the node as ``location`` and no Location node is made.
    """
    if not raw:
        return None
    try:
        return parse_place(raw)
    except ValueError:
        return None


def add_location(batch: GraphBatch, country: str, city: str | None, prov: dict[str, Any]) -> str:
    location = node_id("Location", country, city)
    props = {"country": country, "city": city}
    return batch.add_node(location, props, prov)
