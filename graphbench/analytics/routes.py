"""Shipping routes: by courier and origin → destination, and the consumer hubs they feed."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

ROUTE_COLUMNS = ["shipper", "origin", "destination", "shipments", "weight_kg", "first", "last", "senders"]


def shipment_routes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per shipment: ``id, shipper, origin, destination`` (country codes), weight, date, sender."""
    shipments = tables.get("Shipment", pd.DataFrame(columns=["id"]))
    if shipments.empty:
        return pd.DataFrame(columns=["id", "shipper", "origin", "destination", "weight_kg", "shipped_at", "sender"])
    origin = _country_of(tables.get("FROM"), "origin")
    destination = _country_of(tables.get("TO"), "destination")
    sent = tables.get("SENT", pd.DataFrame(columns=["start", "end"]))[["start", "end"]].rename(
        columns={"start": "sender", "end": "id"})
    frame = shipments.reindex(columns=["id", "shipper", "weight_kg", "shipped_at"])
    frame = frame.merge(origin, on="id", how="left").merge(destination, on="id", how="left")
    return frame.merge(sent, on="id", how="left")


def routes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Routes by courier: shipments, total weight, first/last date and the accounts that sent them."""
    frame = shipment_routes(tables).dropna(subset=["origin", "destination"])
    if frame.empty:
        return pd.DataFrame(columns=ROUTE_COLUMNS)
    grouped = frame.groupby(["shipper", "origin", "destination"], dropna=False)
    table = grouped.agg(shipments=("id", "nunique"), weight_kg=("weight_kg", "sum"),
                        first=("shipped_at", "min"), last=("shipped_at", "max"),
                        senders=("sender", lambda s: sorted(set(s.dropna())))).reset_index()
    return table.sort_values(["shipments", "shipper", "origin", "destination"],
                             ascending=[False, True, True, True]).reset_index(drop=True)[ROUTE_COLUMNS]


def route_flows(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``source, target, value``: shipments from origin to destination country (for a Sankey chart)."""
    table = routes(tables)
    if table.empty:
        return pd.DataFrame(columns=["source", "target", "value"])
    flows = table.groupby(["origin", "destination"], as_index=False)["shipments"].sum()
    return flows.rename(columns={"origin": "source", "destination": "target", "shipments": "value"})


def consumer_hubs(tables: Mapping[str, pd.DataFrame], min_origins: int = 3, min_net_ratio: float = 2.0
                  ) -> pd.DataFrame:
    """Countries that consume: receiving from at least ``min_origins`` origin countries and at least
    ``min_net_ratio`` times as many shipments as they send. ``country, origins, received, sent``."""
    table = routes(tables)
    if table.empty:
        return pd.DataFrame(columns=["country", "origins", "received", "sent"])
    received = table.groupby("destination").agg(origins=("origin", "nunique"), received=("shipments", "sum"))
    sent = table.groupby("origin")["shipments"].sum().rename("sent")
    hubs = received.join(sent, how="left").fillna({"sent": 0}).astype({"sent": int})
    hubs = hubs[(hubs["origins"] >= min_origins) & (hubs["received"] >= min_net_ratio * hubs["sent"])]
    hubs = hubs.reset_index().rename(columns={"destination": "country", "index": "country"})
    return hubs.sort_values(["received", "country"], ascending=[False, True]).reset_index(drop=True)


def _country_of(table: pd.DataFrame | None, column: str) -> pd.DataFrame:
    if table is None or table.empty:
        return pd.DataFrame(columns=["id", column])
    frame = table[["start", "end"]].rename(columns={"start": "id"})
    frame[column] = frame["end"].str.split(":").str[1]
    return frame[["id", column]].drop_duplicates("id")
