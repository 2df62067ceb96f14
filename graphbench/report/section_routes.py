"""Sections about shipping and what to do: Couriers and routes, Recommended actions (facts, then
their rendering)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphbench.analytics import routes
from graphbench.analytics.fx import to_base
from graphbench.export.takedown import takedown_rows
from graphbench.report import charts
from graphbench.report.document import TABLE_ROWS, Section
from graphbench.report.view import ReportView

Cited = list[tuple[Any, str]]
TAKEDOWN_SHOWN = 40  # listings in the body; the takedown export has them all


# -- Couriers and routes ----------------------------------------------------------------------------

@dataclass
class RouteFacts:
    per_courier: pd.DataFrame  # graphbench.analytics.routes.routes
    top: pd.DataFrame  # the 15 busiest origin → destination routes
    hubs: pd.DataFrame  # consumer hubs among the routes in scope
    couriers: pd.DataFrame  # shipper, shipments, origins, destinations, senders
    places: pd.DataFrame  # origin, shipped from, destination, shipped to
    shipments: int

    def citations(self) -> Cited:
        return []

    def summary(self) -> dict[str, Any]:
        pairs = zip(self.per_courier["origin"], self.per_courier["destination"], strict=True)
        return {"couriers": self.couriers["shipper"].tolist(),
                "routes": list(dict.fromkeys(f"{o}→{d}" for o, d in pairs))[:30],
                "consumer_hubs": self.hubs["country"].tolist(),
                "top_routes": [f"{o}→{d}" for o, d in zip(self.top["origin"], self.top["destination"], strict=True)]}


def compute_routes(view: ReportView) -> RouteFacts:
    t, shipments = view.tables, view.shipments
    couriers = (shipments.groupby("shipper").agg(shipments=("id", "nunique"), origins=("origin", "nunique"),
                                                 destinations=("destination", "nunique"),
                                                 senders=("sender", "nunique")).reset_index()
                .sort_values(["shipments", "shipper"], ascending=[False, True])) if len(shipments) else \
        pd.DataFrame(columns=["shipper", "shipments", "origins", "destinations", "senders"])
    origins = shipments.groupby("origin")["id"].nunique().sort_values(ascending=False).head(10)
    destinations = shipments.groupby("destination")["id"].nunique().sort_values(ascending=False).head(10)
    places = pd.DataFrame({"origin": origins.index.tolist() + [""] * (10 - len(origins)),
                           "shipped from": origins.tolist() + [None] * (10 - len(origins)),
                           "destination": destinations.index.tolist() + [""] * (10 - len(destinations)),
                           "shipped to": destinations.tolist() + [None] * (10 - len(destinations))}).head(
        max(len(origins), len(destinations)))
    return RouteFacts(routes.routes(t, shipments=shipments), routes.top_routes(t, n=15, shipments=shipments),
                      routes.consumer_hubs(t, shipments=shipments), couriers, places, len(shipments))


def render_routes(f: RouteFacts) -> Section:
    top_table = f.top.assign(shippers=f.top["shippers"].map(", ".join)).drop(columns=["first", "last"])
    text = (f"{f.shipments:,} shipments by {len(f.couriers):,} couriers on {len(f.per_courier):,} courier routes. "
            "Consumer hubs (receiving from three or more origins, far more than they send): "
            + (", ".join(f.hubs["country"]) or "none") + ".")
    return Section("Couriers and routes", text,
                   tables=[("Couriers", f.couriers), ("Busiest routes over all couriers", top_table),
                           ("Origin and destination countries", f.places)],
                   images=[("Shipments per route (bar label: couriers)", charts.routes_png(f.top))] if len(f.top)
                   else [])


# -- Recommended actions ----------------------------------------------------------------------------

@dataclass
class ActionFacts:
    takedown: pd.DataFrame  # every listing to report (graphbench.export.takedown.COLUMNS)
    risky: pd.DataFrame  # the largest transfers touching flagged accounts' channels
    inspect: pd.DataFrame  # shipments sent by flagged accounts, latest first
    patterns: int
    base_currency: str = "USD"  # risky["amount_base"] is in it

    @property
    def shown(self) -> pd.DataFrame:
        return self.takedown.head(TAKEDOWN_SHOWN)

    def citations(self) -> Cited:
        listings = (self.shown["platform"].radd("Listing:") + ":" + self.shown["listing_id"].astype(str)).tolist()
        transfers = [f"tx:{t}" for t in self.risky.get("tx_id", pd.Series(dtype=object)) if t is not None and t == t]
        return ([(x, "listing") for x in listings] + [(x, "transfer") for x in transfers]
                + [(x, "shipment") for x in self.inspect["id"]])

    def summary(self) -> dict[str, Any]:
        return {"takedown_listings": len(self.takedown)}


def compute_actions(view: ReportView) -> ActionFacts:
    t = view.tables
    flagged = set(view.flagged["id"])
    takedown = takedown_rows(t, view.scores)
    flagged_channels = set(t["USES"].loc[t["USES"]["start"].isin(flagged), "end"])
    # a store with no transfers yet gives a table of start/end only
    transfers = t["TRANSFERRED"].reindex(columns=list(dict.fromkeys(
        [*t["TRANSFERRED"].columns, "tx_id", "amount", "currency", "ts"])))
    risky = transfers[transfers["start"].isin(flagged_channels) | transfers["end"].isin(flagged_channels)]
    # the largest first in the base currency (amounts of different currencies are not comparable as written)
    risky = risky.assign(amount_base=to_base(risky["amount"], risky.get("currency", [None] * len(risky)),
                                             risky.get("ts", [None] * len(risky)), view.analysis.base_currency,
                                             view.analysis.fx_rates).amount)
    risky = (risky.sort_values(["amount_base", "amount", "tx_id"], ascending=[False, False, True], na_position="last")
             .head(TABLE_ROWS) if len(risky) else risky)
    shipments = view.shipments
    inspect = shipments[shipments["sender"].isin(flagged)].merge(
        t["Shipment"].reindex(columns=["id", "tracking_no", "declared_content"]), on="id", how="left")
    inspect = inspect.sort_values("shipped_at", ascending=False).head(TABLE_ROWS)
    return ActionFacts(takedown, risky, inspect, len(view.patterns), view.analysis.base_currency)


def render_actions(f: ActionFacts) -> Section:
    text = (f"Report {len(f.takedown):,} listings to the platforms for takedown (the first "
            f"{min(len(f.takedown), TAKEDOWN_SHOWN)} below; `graphbench export --format takedown` writes them all); "
            f"refer {len(f.risky):,} transfers of flagged accounts and {f.patterns:,} laundering patterns to the "
            f"financial intelligence units; ask customs to inspect {len(f.inspect):,} shipments sent by flagged "
            "accounts.")
    return Section("Recommended actions", text, tables=[
        ("Listings to report for takedown", f.shown),
        ("Transfers to refer to financial intelligence units",
         f.risky.reindex(columns=["tx_id", "start", "end", "amount", "currency", "amount_base", "ts"]).rename(
             columns={"start": "from", "end": "to", "amount_base": f"≈ {f.base_currency}"})),
        ("Shipments to inspect", f.inspect.reindex(columns=["shipper", "tracking_no", "origin", "destination",
                                                            "declared_content", "shipped_at", "sender"]))])
