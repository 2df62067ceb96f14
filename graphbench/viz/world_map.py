"""A world map drawn from the packaged Natural Earth file: no tile server, no CDN, no request at all.

Plotly's own geo traces fetch their base map from a CDN when the page opens, so the map here is
plain cartesian geometry: countries are filled polygons in longitude/latitude (equirectangular,
one degree = one degree), and hotspots, photo positions, seizure places and routes are markers and
lines on top. The same layers are drawn by :func:`plotly_world` (the app) and by
``graphbench.viz.world_map_png.png_world`` (the report's PDF/HTML/Markdown image).

:class:`MapLayers` is plain data; :func:`map_layers` builds it from the analysis tables, the
shipment routes and the seizure summary, so the app, the report and the case view show one thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

LAND, BORDER, SEA = "#e4e7eb", "#b3bac2", "#f7f9fb"
COLOURS = {"hotspot": "#d62728", "courier": "#2e6fb0", "seizure": "#8e3b1f", "photo": "#2ca02c",
           "seized_at": "#8e3b1f"}
LAT_RANGE = (-58.0, 84.0)  # Antarctica and the far north carry no trade


@dataclass(frozen=True)
class World:
    rings: list[list[tuple[float, float]]]  # (lon, lat) rings of every country
    anchors: dict[str, tuple[float, float]]  # ISO alpha-2 → (lon, lat) where a country-level fact is drawn
    source: str


@lru_cache(maxsize=1)
def world() -> World:
    data = json.loads(resources.files("graphbench.data").joinpath("world_110m.json").read_text(encoding="utf-8"))
    rings: list[list[tuple[float, float]]] = []
    for country in data["countries"]:
        for ring in country["rings"]:
            points = [(float(x), float(y)) for x, y in ring]
            if max(y for _, y in points) < LAT_RANGE[0]:
                continue  # Antarctica
            if any(abs(a[0] - b[0]) > 180 for a, b in zip(points, points[1:], strict=False)):
                # cut at the antimeridian (Russia, Fiji): drawn whole on each side, the axes clip it
                rings.append([(x + 360 if x < 0 else x, y) for x, y in points])
                rings.append([(x - 360 if x > 0 else x, y) for x, y in points])
            else:
                rings.append(points)
    return World(rings, {k: (float(v[0]), float(v[1])) for k, v in data["anchors"].items()}, data["source"])


@dataclass(frozen=True)
class Route:
    kind: str  # "courier" or "seizure"
    path: tuple[str, ...]  # country codes, origin first
    value: float  # shipments or seizures
    label: str


@dataclass(frozen=True)
class Point:
    kind: str  # "hotspot" (a country's activity), "photo" (an EXIF position), "seized_at"
    lon: float
    lat: float
    value: float
    label: str


@dataclass
class MapLayers:
    points: list[Point] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # codes with no anchor (not drawn, listed)

    def __bool__(self) -> bool:
        return bool(self.points or self.routes)


def _anchor(code: str, layers: MapLayers) -> tuple[float, float] | None:
    point = world().anchors.get(str(code).split(":")[0].upper())
    if point is None and code not in layers.unplaced:
        layers.unplaced.append(str(code))
    return point


def map_layers(hotspots: pd.DataFrame | None = None, courier_routes: pd.DataFrame | None = None,
               seizures: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
               photo_positions: pd.DataFrame | None = None, seizure_places: pd.DataFrame | None = None,
               top: int = 25) -> MapLayers:
    """The layers from what the analyses give:

    - ``hotspots``: :func:`graphbench.analytics.trends.hotspots` at country level (``country``, ``score``);
    - ``courier_routes``: :func:`graphbench.analytics.routes.top_routes` (``origin``, ``destination``,
      ``shipments``);
    - ``seizures``: :func:`graphbench.analytics.seizures.seizure_summary`;
    - ``photo_positions``: LOCATED_IN rows with ``method == "exif"`` (``lat``, ``lon``, ``start``);
    - ``seizure_places``: Seizure rows with ``lat``, ``lon``, ``seizure_id``, ``weight_kg``.

    The ``top`` largest of each kind are drawn (a map of 5,000 lines shows nothing).
    """
    layers = MapLayers()
    if hotspots is not None and len(hotspots):
        for row in hotspots.sort_values(["score", "country"], ascending=[False, True]).head(top).itertuples(index=False):
            point = _anchor(row.country, layers)
            if point:
                layers.points.append(Point("hotspot", point[0], point[1], float(row.score),
                                           f"{row.country}: activity score {int(row.score)}"))
    if courier_routes is not None and len(courier_routes):
        for row in courier_routes.head(top).itertuples(index=False):
            layers.routes.append(Route("courier", (str(row.origin), str(row.destination)), float(row.shipments),
                                       f"{row.origin} → {row.destination}: {int(row.shipments)} shipments"))
    if seizures:
        for r in list(seizures.get("routes", []))[:top]:
            path = tuple(c for c in (r.get("origin"), *r.get("via", []), r.get("destination")) if c)
            if len(path) >= 2:
                layers.routes.append(Route("seizure", path, float(r["seizures"]),
                                           f"{' → '.join(path)}: {r['seizures']} seizures, {r['weight_kg']:g} kg"))
    for frame, kind in ((photo_positions, "photo"), (seizure_places, "seized_at")):
        if frame is None or frame.empty or "lat" not in frame or "lon" not in frame:
            continue
        placed = frame.dropna(subset=["lat", "lon"])
        for row in placed.head(500).to_dict("records"):
            label = str(row.get("start") or row.get("seizure_id") or "")
            layers.points.append(Point(kind, float(row["lon"]), float(row["lat"]), 1.0, label))
    return layers


def _route_xy(route: Route, layers: MapLayers) -> tuple[list[float], list[float]]:
    xs: list[float] = []
    ys: list[float] = []
    for code in route.path:
        point = _anchor(code, layers)
        if point:
            xs.append(point[0])
            ys.append(point[1])
    return xs, ys


def _land_xy() -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in world().rings:
        xs.extend([p[0] for p in ring] + [None])
        ys.extend([p[1] for p in ring] + [None])
    return xs, ys


def plotly_world(layers: MapLayers, height: int = 460) -> Any:
    """A plotly Figure of the base map and the layers (cartesian axes: nothing to fetch)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    xs, ys = _land_xy()
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=LAND,
                                line={"color": BORDER, "width": 0.5}, hoverinfo="skip", showlegend=False))
    for kind, name in (("courier", "courier routes"), ("seizure", "seizure routes")):
        routes = [r for r in layers.routes if r.kind == kind]
        biggest = max((r.value for r in routes), default=1.0)
        for index, route in enumerate(routes):
            rx, ry = _route_xy(route, layers)
            if len(rx) < 2:
                continue
            figure.add_trace(go.Scatter(
                x=rx, y=ry, mode="lines+markers", name=name, legendgroup=kind, showlegend=index == 0,
                line={"color": COLOURS[kind], "width": 1 + 5 * route.value / biggest,
                      "dash": "solid" if kind == "courier" else "dot"},
                marker={"size": 4}, text=[route.label] * len(rx), hoverinfo="text"))
    for kind, name in (("hotspot", "hotspots"), ("photo", "photo positions (EXIF)"), ("seized_at", "seizures")):
        points = [p for p in layers.points if p.kind == kind]
        if not points:
            continue
        biggest = max(p.value for p in points) or 1.0
        sizes = [8 + 22 * (p.value / biggest) ** 0.5 for p in points] if kind == "hotspot" else 7
        figure.add_trace(go.Scatter(
            x=[p.lon for p in points], y=[p.lat for p in points], mode="markers", name=name,
            marker={"size": sizes, "color": COLOURS[kind], "opacity": 0.6 if kind == "hotspot" else 0.9,
                    "symbol": "circle" if kind != "seized_at" else "x"},
            text=[p.label for p in points], hoverinfo="text"))
    figure.update_xaxes(range=[-180, 180], visible=False, fixedrange=False)
    figure.update_yaxes(range=list(LAT_RANGE), visible=False, scaleanchor="x", scaleratio=1)
    figure.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0}, plot_bgcolor=SEA,
                         paper_bgcolor="white", legend={"orientation": "h", "y": 0.02, "x": 0.01,
                                                         "bgcolor": "rgba(255,255,255,0.7)"})
    return figure


def layers_of_tables(tables: Mapping[str, pd.DataFrame], shipments: pd.DataFrame | None = None,
                     top: int = 25) -> MapLayers:
    """:func:`map_layers` from the analysis tables (``shipments``: the Analysis's shipment routes at
    country level, when the caller has them): hotspots, the busiest courier routes, seizure routes and
    places, and the positions read from photos."""
    from graphbench.analytics import routes, trends
    from graphbench.analytics.seizures import seizure_summary

    def table(name: str) -> pd.DataFrame | None:
        try:
            return tables.get(name)
        except KeyError:
            return None

    seizures = table("Seizure")
    located = table("LOCATED_IN")
    photos = None
    if located is not None and "method" in located:
        photos = located[located["method"] == "exif"]
    return map_layers(trends.hotspots(tables, top=top), routes.top_routes(tables, n=top, shipments=shipments),
                      seizure_summary(seizures) if seizures is not None and len(seizures) else None,
                      photos, seizures, top)


def layers_of_graph(graph: Any) -> MapLayers:
    """The layers of a neighbourhood (a networkx multigraph as ``GraphStore.neighbourhood`` gives it,
    node and edge properties as attributes, edge ``type``): its places as hotspots (weighted by the
    links reaching them), the routes of its shipments and seizures, its photo positions and seizure
    places. For the case view: the map of what a case has pinned."""
    weight: dict[str, float] = {}
    legs: dict[str, dict[str, Any]] = {}
    photos = []
    for start, end, data in graph.edges(data=True):
        kind = data.get("type")
        if str(end).startswith("Location:"):
            weight[end] = weight.get(end, 0.0) + 1.0
        if kind in ("FROM", "TO", "VIA") and str(start).startswith(("Shipment:", "Seizure:")):
            leg = legs.setdefault(start, {"via": []})
            code = str(end).split(":")[1]
            if kind == "VIA":
                leg["via"].append((data.get("order", 0), code))
            else:
                leg[kind] = code
        if kind == "LOCATED_IN" and data.get("method") == "exif" and data.get("lat") is not None:
            photos.append({"lat": data["lat"], "lon": data["lon"], "start": start})
    hotspots = pd.DataFrame({"country": [str(p).split(":")[1] for p in weight], "score": list(weight.values())})
    hotspots = hotspots.groupby("country", as_index=False)["score"].sum() if len(hotspots) else None
    layers = map_layers(hotspots, photo_positions=pd.DataFrame(photos) if photos else None)
    for node, leg in sorted(legs.items()):
        path = tuple(c for c in (leg.get("FROM"), *(c for _, c in sorted(leg["via"])), leg.get("TO")) if c)
        if len(path) >= 2:
            kind = "seizure" if node.startswith("Seizure:") else "courier"
            layers.routes.append(Route(kind, path, 1.0, f"{node}: {' → '.join(path)}"))
    for node, data in graph.nodes(data=True):
        if str(node).startswith("Seizure:") and data.get("lat") is not None and data.get("lon") is not None:
            layers.points.append(Point("seized_at", float(data["lon"]), float(data["lat"]), 1.0, str(node)))
    return layers
