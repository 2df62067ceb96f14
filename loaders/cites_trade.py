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

COMPTAB_COLUMNS = ("Year", "Taxon", "Importer", "Exporter", "Origin", "Importer reported quantity",
                   "Exporter reported quantity", "Unit", "Source")
SEIZURE_COLUMNS = ("seizure_id", "date", "country", "species", "quantity", "unit", "origin_country",
                   "via_countries", "destination_country", "source")


def seizure_rows(rows: Iterable[dict[str, str]], prefix: str = "cites") -> Iterator[dict[str, str]]:
    """One seizures row per comptab row with source code ``I``; ids are ``{prefix}-{year}-{record}``
    (the record's number in the comptab file, header = 1), so a rerun gives the same ids."""
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
    with open(comptab, newline="", encoding="utf-8-sig") as src:
        reader = csv.DictReader(src)
        missing = [c for c in COMPTAB_COLUMNS if c not in [h.strip() for h in reader.fieldnames or []]]
        if missing:
            raise ValueError(f"{comptab}: not a CITES comptab export (no column {', '.join(missing)})")
        rows = list(seizure_rows(reader, prefix))
    with open(seizures, "w", newline="", encoding="utf-8") as dst:
        writer = csv.DictWriter(dst, fieldnames=SEIZURE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m loaders.cites_trade COMPTAB.csv OUT/seizures.csv``: then ``graphbench load OUT``."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="CITES Trade Database comptab export -> seizures file")
    parser.add_argument("comptab", type=Path)
    parser.add_argument("seizures", type=Path)
    args = parser.parse_args(argv)
    try:
        written = convert(args.comptab, args.seizures)
    except (OSError, ValueError, csv.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{written} seizures (source I rows) written to {args.seizures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
