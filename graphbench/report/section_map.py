"""The report's map section: hotspots, courier routes, seizure routes and places, photo positions on
the packaged world map (graphbench/viz/world_map.py), and the seizure countries by role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphbench.analytics.seizures import seizure_summary, seizures_of_accounts
from graphbench.report.document import TABLE_ROWS, Section
from graphbench.report.view import ReportView
from graphbench.viz.world_map import MapLayers, layers_of_tables


@dataclass
class MapFacts:
    layers: MapLayers
    seizures: dict[str, list[dict[str, Any]]]  # graphbench.analytics.seizures.seizure_summary of the scope
    count: int  # seizures in scope

    def citations(self) -> list[tuple[Any, str]]:
        return []

    def summary(self) -> dict[str, Any]:
        return {"seizures": self.count,
                "seizure_routes": [" → ".join(c for c in (r["origin"], *r["via"], r["destination"]) if c)
                                   for r in self.seizures["routes"][:10]]}


def compute_map(view: ReportView) -> MapFacts:
    """The whole store's seizures for a whole-store report; for a narrowed scope, the seizures linked
    to its accounts (as risk links them: named, their phone or channel named, a shipment they sent)."""
    try:
        seizures = view.analysis.tables["Seizure"]
    except KeyError:
        seizures = pd.DataFrame(columns=["id"])
    if view.scope.narrowed and len(seizures):
        keep = seizures_of_accounts(view.analysis.tables, set(view.scoped.accounts))
        seizures = seizures[seizures["id"].isin(keep)]
    tables = {**view.tables, "Seizure": seizures}
    country_shipments = view.shipments  # the Analysis's routes (country level), selected to the scope
    return MapFacts(layers_of_tables(tables, shipments=country_shipments), seizure_summary(seizures), len(seizures))


def render_map(f: MapFacts) -> Section:
    from graphbench.viz.world_map_png import png_world

    countries = pd.DataFrame(f.seizures["countries"], columns=["country", "seizures", "as_origin", "as_transit",
                                                                "as_destination", "weight_kg"]).head(TABLE_ROWS)
    routes = pd.DataFrame([{"route": " → ".join(c for c in (r["origin"] or "?", *r["via"], r["destination"] or "?")),
                            "seizures": r["seizures"], "weight_kg": r["weight_kg"]} for r in f.seizures["routes"]],
                          columns=["route", "seizures", "weight_kg"]).head(TABLE_ROWS)
    text = ("Hotspots (listings, shipments and Appendix I listings per country), the busiest courier routes and "
            f"the routes of {f.count:,} seizures, on a Natural Earth base map shipped with graphbench.")
    if f.layers.unplaced:
        text += f" Not drawn (no position known): {', '.join(sorted(f.layers.unplaced))}."
    tables = [("Seizures by country and role", countries), ("Seizure routes", routes)] if f.count else []
    return Section("Map of hotspots and routes", text, tables=tables,
                   images=[("Hotspots, courier routes and seizure routes", png_world(f.layers))] if f.layers else [])
