"""CITES Trade Database comparative-tabulation exports (``comptab_*.csv``) → a ``seizures`` file.

The CITES Trade Database (UNEP-WCMC for the CITES Secretariat, trade.cites.org) records reported
trade; its source code ``I`` marks *confiscated or seized specimens*. Each row with ``Source == I``
becomes one seizure. What a comptab row means, and so how it is read (CITES Trade Database guide):

- ``Importer`` reported (or received) the seized specimens: it is where they were seized
  (``country``) and where they were going (``destination_country``). Assumption: for an
  exporter-reported row the importer is still taken as the place of seizure; CITES does not say.
- ``Origin`` is blank when the exporter is the country of origin; then ``Exporter`` is the origin
  and there is no transit. When ``Origin`` is given and differs from ``Exporter``, the exporter is a
  re-exporting (transit) country: ``via_countries``. ``XX`` (unknown) is passed on as written; the
  seizures loader sets it aside with a warning, so the route keeps the countries that are known.
- Only the year is given: the date is 1 January of that year (day and month are not known).
- ``Importer reported quantity`` is preferred, else ``Exporter reported quantity``; ``Unit`` blank
  means a count of ``Term`` items (CITES convention), ``g``/``kg`` a weight; other units (``ml``,
  ``flasks``, ``pairs``) go through as written and the loader warns.

Country codes are not cleaned here: the loader reads codes and names alike.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

SEIZURE_COLUMNS = ("seizure_id", "date", "country", "species", "quantity", "unit", "origin_country",
                   "via_countries", "destination_country", "source")


def seizure_rows(rows: Iterable[dict[str, str]], prefix: str = "cites") -> Iterator[dict[str, str]]:
    """One seizures row per comptab row with source code ``I``; ids are ``{prefix}-{year}-{line}``
    (the line in the comptab file, header = 1), so a rerun gives the same ids."""
    for line, row in enumerate(rows, start=2):
        if (row.get("Source") or "").strip().upper() != "I":
            continue
        get = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        year, importer, exporter, origin = get.get("Year", ""), get.get("Importer", ""), get.get("Exporter", ""), get.get("Origin", "")
        quantity = get.get("Importer reported quantity") or get.get("Exporter reported quantity", "")
        via = exporter if origin and exporter and origin != exporter else ""
        yield {
            "seizure_id": f"{prefix}-{year}-{line}",
            "date": f"{year}-01-01" if year else "",
            "country": importer,
            "species": get.get("Taxon", ""),
            "quantity": quantity,
            "unit": get.get("Unit") or "count",
            "origin_country": origin or exporter,
            "via_countries": via,
            "destination_country": importer,
            "source": f"CITES Trade Database (comptab), source I, term {get.get('Term', '')}",
        }


def convert(comptab: Path, seizures: Path, prefix: str = "cites") -> int:
    """Write ``seizures`` (CSV, canonical columns) from a comptab export; returns rows written."""
    with open(comptab, newline="", encoding="utf-8-sig") as src, open(seizures, "w", newline="", encoding="utf-8") as dst:
        writer = csv.DictWriter(dst, fieldnames=SEIZURE_COLUMNS)
        writer.writeheader()
        written = 0
        for out in seizure_rows(csv.DictReader(src), prefix):
            writer.writerow(out)
            written += 1
    return written
