"""The world map of :mod:`graphbench.viz.world_map` as a PNG (matplotlib, Agg: no display, no network),
for the report's PDF, HTML and Markdown."""

from __future__ import annotations

import io
from typing import Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from graphbench.viz.world_map import BORDER, COLOURS, LAND, LAT_RANGE, SEA, MapLayers, _route_xy, world  # noqa: E402


def png_world(layers: MapLayers, width_in: float = 9.0) -> bytes:
    height_in = width_in * (LAT_RANGE[1] - LAT_RANGE[0]) / 360 + 0.5
    figure, axes = plt.subplots(figsize=(width_in, height_in), dpi=150)
    axes.set_facecolor(SEA)
    axes.add_collection(PolyCollection(world().rings, facecolors=LAND, edgecolors=BORDER, linewidths=0.3))
    handles = []
    styles: tuple[tuple[str, str, Literal["-", ":"]], ...] = (("courier", "courier routes", "-"),
                                                               ("seizure", "seizure routes", ":"))
    for kind, name, style in styles:
        routes = [r for r in layers.routes if r.kind == kind]
        biggest = max((r.value for r in routes), default=1.0)
        for route in routes:
            xs, ys = _route_xy(route, layers)
            if len(xs) >= 2:
                axes.plot(xs, ys, style, color=COLOURS[kind], linewidth=0.8 + 3 * route.value / biggest,
                          alpha=0.8, marker="o", markersize=2)
        if routes:
            handles.append(Line2D([], [], color=COLOURS[kind], linestyle=style, label=name))
    for kind, name, marker in (("hotspot", "hotspots", "o"), ("photo", "photo positions (EXIF)", "o"),
                               ("seized_at", "seizures", "x")):
        points = [p for p in layers.points if p.kind == kind]
        if not points:
            continue
        biggest = max(p.value for p in points) or 1.0
        sizes = [20 + 280 * p.value / biggest for p in points] if kind == "hotspot" else 14
        axes.scatter([p.lon for p in points], [p.lat for p in points], s=sizes, c=COLOURS[kind], marker=marker,
                     alpha=0.55 if kind == "hotspot" else 0.9, linewidths=0.8, zorder=3)
        handles.append(Line2D([], [], color=COLOURS[kind], marker=marker, linestyle="", label=name))
    axes.set_xlim(-180, 180)
    axes.set_ylim(*LAT_RANGE)
    axes.set_aspect("equal")
    axes.axis("off")
    if handles:
        axes.legend(handles=handles, loc="lower left", fontsize=7, frameon=True)
    figure.tight_layout(pad=0.2)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    plt.close(figure)
    return out.getvalue()
