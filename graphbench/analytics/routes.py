"""Shipping routes: by courier and origin → destination, and the consumer hubs they feed.

Places are ISO country codes (``level="country"``) or ``CC:city`` (``level="city"``; the bare
country code where a shipment names no city).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

ROUTE_COLUMNS = ["shipper", "origin", "destination", "shipments", "weight_kg", "first", "last", "senders"]
LEVELS = ("country", "city")


def shipment_routes(tables: Mapping[str, pd.DataFrame], level: str = "country") -> pd.DataFrame:
    """One row per shipment: ``id, shipper, origin, destination``, weight, date, sender."""
    _check(level)
    shipments = tables.get("Shipment", pd.DataFrame(columns=["id"]))
    if shipments.empty:
        return pd.DataFrame(columns=["id", "shipper", "weight_kg", "shipped_at", "origin", "destination", "sender"])
    origin = _place_of(tables.get("FROM"), "origin", level)
    destination = _place_of(tables.get("TO"), "destination", level)
    sent = tables.get("SENT", pd.DataFrame(columns=["start", "end"]))[["start", "end"]].rename(
        columns={"start": "sender", "end": "id"})
    frame = shipments.reindex(columns=["id", "shipper", "weight_kg", "shipped_at"])
    frame["weight_kg"] = pd.to_numeric(frame["weight_kg"], errors="coerce")
    frame = frame.merge(origin, on="id", how="left").merge(destination, on="id", how="left")
    return frame.merge(sent, on="id", how="left")


def routes(tables: Mapping[str, pd.DataFrame], level: str = "country",
           shipments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Routes by courier: shipments, total weight, first/last date and the accounts that sent them,
    busiest first. ``shipments``: :func:`shipment_routes` at ``level`` when the caller has it already."""
    frame = _shipments(tables, level, shipments).dropna(subset=["origin", "destination"])
    if frame.empty:
        return pd.DataFrame(columns=ROUTE_COLUMNS)
    grouped = frame.groupby(["shipper", "origin", "destination"], dropna=False)
    table = grouped.agg(shipments=("id", "nunique"), weight_kg=("weight_kg", "sum"),
                        first=("shipped_at", "min"), last=("shipped_at", "max"),
                        senders=("sender", lambda s: sorted(set(s.dropna())))).reset_index()
    return table.sort_values(["shipments", "shipper", "origin", "destination"],
                             ascending=[False, True, True, True]).reset_index(drop=True)[ROUTE_COLUMNS]


def top_routes(tables: Mapping[str, pd.DataFrame], n: int = 10, by: str = "shipments",
               level: str = "country", shipments: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``n`` busiest origin → destination routes over all couriers, ranked by ``shipments``,
    ``weight_kg`` or ``senders`` (distinct sending accounts); ``shippers`` names the couriers."""
    if by not in ("shipments", "weight_kg", "senders"):
        raise ValueError(f"unknown ranking {by!r}: shipments, weight_kg or senders")
    frame = _shipments(tables, level, shipments).dropna(subset=["origin", "destination"])
    columns = ["origin", "destination", "shipments", "weight_kg", "senders", "shippers", "first", "last"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    table = frame.groupby(["origin", "destination"]).agg(
        shipments=("id", "nunique"), weight_kg=("weight_kg", "sum"), senders=("sender", "nunique"),
        shippers=("shipper", lambda s: sorted(set(s.dropna()))),
        first=("shipped_at", "min"), last=("shipped_at", "max")).reset_index()
    table = table.sort_values([by, "origin", "destination"], ascending=[False, True, True])
    return table.head(n).reset_index(drop=True)[columns]


def route_flows(tables: Mapping[str, pd.DataFrame], level: str = "country", via_shipper: bool = False,
                shipments: pd.DataFrame | None = None) -> pd.DataFrame:
    """``source, target, value`` (shipments) for a Sankey / flow chart.

    Plain: origin → destination, places as codes. ``via_shipper``: two stages, ``from VN`` →
    ``via dhl`` → ``to CN`` — labelled, because a country both sending and receiving would otherwise
    be one node and close a loop the chart cannot draw.
    """
    table = routes(tables, level, shipments)
    if table.empty:
        return pd.DataFrame(columns=["source", "target", "value"])
    if not via_shipper:
        flows = table.groupby(["origin", "destination"], as_index=False)["shipments"].sum()
        return flows.rename(columns={"origin": "source", "destination": "target", "shipments": "value"})
    labelled = table.assign(origin="from " + table["origin"], shipper="via " + table["shipper"],
                            destination="to " + table["destination"])
    first = labelled.groupby(["origin", "shipper"], as_index=False)["shipments"].sum()
    second = labelled.groupby(["shipper", "destination"], as_index=False)["shipments"].sum()
    first.columns = second.columns = ["source", "target", "value"]
    return pd.concat([first, second], ignore_index=True)


def consumer_hubs(tables: Mapping[str, pd.DataFrame], min_origins: int = 3, min_net_ratio: float = 2.0,
                  level: str = "country", shipments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Places that consume: receiving from at least ``min_origins`` origins and at least
    ``min_net_ratio`` times as many shipments as they send. ``country, origins, received, sent``
    (the first column holds a ``CC:city`` place at city level), most received first."""
    table = routes(tables, level, shipments)
    if table.empty:
        return pd.DataFrame(columns=["country", "origins", "received", "sent"])
    received = table.groupby("destination").agg(origins=("origin", "nunique"), received=("shipments", "sum"))
    sent = table.groupby("origin")["shipments"].sum().rename("sent")
    hubs = received.join(sent, how="left").fillna({"sent": 0}).astype({"sent": int})
    hubs = hubs[(hubs["origins"] >= min_origins) & (hubs["received"] >= min_net_ratio * hubs["sent"])]
    hubs = hubs.rename_axis("country").reset_index()
    return hubs.sort_values(["received", "country"], ascending=[False, True]).reset_index(drop=True)


def _shipments(tables: Mapping[str, pd.DataFrame], level: str, given: pd.DataFrame | None) -> pd.DataFrame:
    """The caller's :func:`shipment_routes` frame (computed once per data version), else computed here."""
    return shipment_routes(tables, level) if given is None else given


def _check(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: country or city")


def _place_of(table: pd.DataFrame | None, column: str, level: str) -> pd.DataFrame:
    if table is None or table.empty:
        return pd.DataFrame(columns=["id", column])
    frame = table[["start", "end"]].rename(columns={"start": "id"})
    place = frame["end"].str.removeprefix("Location:")
    frame[column] = place.str.split(":").str[0] if level == "country" else place
    return frame[["id", column]].drop_duplicates("id")
