"""Build graphbench/data/world_110m.json, the offline world base map, from Natural Earth.

Source: Natural Earth 1:110m Admin 0 countries (public domain, https://www.naturalearthdata.com/),
as TopoJSON in the npm package ``world-atlas`` 2.0.2 (``countries-110m.json``, ISC licence,
© Mike Bostock). Run by hand when refreshing: ``npm pack world-atlas@2.0.2``, untar it, then
``python scripts/make_world_map.py package/countries-110m.json``. graphbench never fetches a map:
the app, the report and the case view read only the committed file.

Output: ``{"source": ..., "countries": [{"iso2", "name", "rings": [[[lon, lat], ...], ...]}], "anchors":
{iso2: [lon, lat]}}`` (anchor: the centroid of the country's largest ring, or for a country too small
for the 110m map — Hong Kong, Singapore — its most populous place in graphbench/data/gazetteer.csv.gz),
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


def area(points: list[list[float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))) / 2


def span(points: list[list[float]]) -> float:
    return max(p[0] for p in points) - min(p[0] for p in points)


def centroid(points: list[list[float]]) -> list[float]:
    """The area centroid of a ring (shoelace), as [lon, lat]: where a country-level fact is drawn."""
    cross = [(x0 * y1 - x1 * y0, x0 + x1, y0 + y1)
             for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True)]
    signed = sum(c for c, _, _ in cross) / 2
    if abs(signed) < 1e-9:
        return [round(sum(p[0] for p in points) / len(points), 2), round(sum(p[1] for p in points) / len(points), 2)]
    return [round(sum(c * x for c, x, _ in cross) / (6 * signed), 2),
            round(sum(c * y for c, _, y in cross) / (6 * signed), 2)]


def largest_places() -> dict[str, tuple[float, float]]:
    """Each country's most populous place in the packaged gazetteer (for codes without a shape)."""
    sys.path.insert(0, str(TARGET.parents[2]))
    from graphbench.images.gazetteer import Gazetteer

    return Gazetteer.packaged().anchors


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
    # a ring cut at the antimeridian (Russia, Fiji) spans the whole map: its centroid means nothing
    anchors = {c["iso2"]: centroid(max(c["rings"], key=area)) for c in countries
               if c["iso2"] and span(max(c["rings"], key=area)) < 180}
    for code, (lat, lon) in largest_places().items():
        anchors.setdefault(code, [round(lon, 2), round(lat, 2)])  # Hong Kong, Singapore: no 110m shape
    TARGET.write_text(json.dumps({"source": SOURCE, "countries": countries, "anchors": dict(sorted(anchors.items()))},
                                 separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"{TARGET}: {len(countries)} countries, {TARGET.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
