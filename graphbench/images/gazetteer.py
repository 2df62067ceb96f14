"""Offline reverse geocoding: the nearest populated place to a position, from a packaged table.

The table is GeoNames ``cities1000`` (155,210 places of 1,000 people or more; © GeoNames, CC BY 4.0;
built by ``scripts/make_gazetteer.py``, see graphbench/data/SOURCES.md). Places are points, not
borders: a position is given the country of its nearest place, which is right except within a few
kilometres of a border (and far out at sea, where ``distance_km`` says how far the place is). The
search runs on 3-D unit vectors in a k-d tree, so distances are true great-circle chords.
"""

from __future__ import annotations

import gzip
import io
import threading
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088
NEIGHBOURS = 16
TOWN_KM = 12.0  # a city's districts and suburbs lie within this of the point; farther is another town
_LOCK = threading.Lock()
_TABLE: Gazetteer | None = None


@dataclass(frozen=True)
class Place:
    country: str  # ISO 3166 alpha-2
    city: str
    lat: float
    lon: float
    distance_km: float  # from the position asked about


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


class Gazetteer:
    def __init__(self, places: pd.DataFrame) -> None:
        from scipy.spatial import cKDTree

        self.places = places.reset_index(drop=True)
        self._country = self.places["country"].to_numpy(str)
        self._city = self.places["city"].to_numpy(str)
        self._lat = self.places["lat"].to_numpy(float)
        self._lon = self.places["lon"].to_numpy(float)
        self._population = self.places["population"].to_numpy(np.int64)
        self._tree = cKDTree(_unit(self._lat, self._lon))

    @classmethod
    def packaged(cls) -> Gazetteer:
        """The packaged table, read once per process (about 0.5 s)."""
        global _TABLE
        with _LOCK:
            if _TABLE is None:
                raw = resources.files("graphbench.data").joinpath("gazetteer.csv.gz").read_bytes()
                table = pd.read_csv(io.BytesIO(gzip.decompress(raw)), dtype={"country": str, "city": str},
                                    keep_default_na=False)
                _TABLE = cls(table)
            return _TABLE

    def nearest(self, lat: float, lon: float) -> Place:
        """The place a position is in: of the ``NEIGHBOURS`` nearest places, the most populous one
        within ``TOWN_KM`` (a photo taken in Hanoi's Hoàn Kiếm district is placed in Hanoi), else
        the nearest."""
        chords, indexes = self._tree.query(_unit(np.array([lat]), np.array([lon]))[0], k=NEIGHBOURS)
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.asarray(chords) / 2))
        indexes = np.asarray(indexes)
        near = km <= TOWN_KM
        pick = int(np.argmax(np.where(near, self._population[indexes], -1))) if near.any() else 0
        i, distance = int(indexes[pick]), float(km[pick])
        return Place(str(self._country[i]), str(self._city[i]), float(self._lat[i]), float(self._lon[i]),
                     round(distance, 1))

    @cached_property
    def anchors(self) -> dict[str, tuple[float, float]]:
        """Each country's most populous place: where a country-level fact is drawn on a map."""
        best = self.places.sort_values(["population", "city"], ascending=[False, True]).drop_duplicates("country")
        return {str(r.country): (float(r.lat), float(r.lon)) for r in best.itertuples(index=False)}


def country_anchor(country: str) -> tuple[float, float] | None:
    """(lat, lon) of the country's most populous place in the packaged table, or None."""
    return Gazetteer.packaged().anchors.get(country.upper())
