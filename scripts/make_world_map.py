"""Build graphbench/data/world_110m.json, the offline world base map, from Natural Earth.

Source: Natural Earth 1:110m Admin 0 countries (public domain, https://www.naturalearthdata.com/),
as TopoJSON in the npm package ``world-atlas`` 2.0.2 (``countries-110m.json``, ISC licence,
© Mike Bostock). Run by hand when refreshing: ``npm pack world-atlas@2.0.2``, untar it, then
``python scripts/make_world_map.py package/countries-110m.json``. graphbench never fetches a map:
the app, the report and the case view read only the committed file.

Output: ``{"source": ..., "countries": [{"iso2", "name", "rings": [[[lon, lat], ...], ...]}]}``,
rings decoded from the TopoJSON arcs, coordinates rounded to 0.01 degree, countries sorted by
name. ``iso2`` comes from the ISO 3166 numeric id through pycountry; the few Natural Earth shapes
without an id (Kosovo, Northern Cyprus, Somaliland) keep ``iso2`` empty and are drawn all the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pycountry

TARGET = Path(__file__).resolve().parents[1] / "graphbench" / "data" / "world_110m.json"
SOURCE = ("Natural Earth 1:110m Admin 0 countries, public domain (naturalearthdata.com), via the npm "
          "package world-atlas 2.0.2 (countries-110m.json)")


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (TopoJSON stores quantised deltas)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, 2), round(y * sy + ty, 2)))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[list[float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])  # consecutive arcs share their end point
    return [list(p) for p in points]


def main(argv: list[str]) -> int:
    topology = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [ring(arcs, r) for polygon in polygons for r in polygon]
        found = pycountry.countries.get(numeric=geometry["id"]) if geometry.get("id") else None
        countries.append({"iso2": found.alpha_2 if found else "", "name": geometry["properties"]["name"],
                          "rings": rings})
    countries.sort(key=lambda c: c["name"])
    TARGET.write_text(json.dumps({"source": SOURCE, "countries": countries}, separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"{TARGET}: {len(countries)} countries, {TARGET.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
