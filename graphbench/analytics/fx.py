"""Amounts across currencies: exchange rates by currency and date, and conversion into one base currency.

Rates are quoted as ``per_usd``: units of the currency that one US dollar buys on a date (the
canonical ``fx_rates`` file: ``currency, per_usd[, date]``). An amount converts into the base
currency B at its transfer's date d as ``amount / per_usd(C, d) * per_usd(B, d)``.

Rules (one copy of each):

- **Which rate.** The rate of the nearest earlier (or same) date for that currency; a date before
  a currency's first rate takes its first rate. A rate without a date holds from the beginning of
  time until the currency's first dated rate.
- **Whose rates.** The packaged table (``graphbench/data/fx_rates.csv``: the European Central Bank's
  euro reference rates, first business day of each month, see ``graphbench/data/SOURCES.md``) is
  the default. A user's rates for a currency *replace* the packaged ones for that currency
  entirely (an undated user rate then holds at every date), and leave other currencies alone.
- **No rate, no conversion.** A currency with no rate (VND, NGN, KES, GHS, crypto, USDT … which
  the ECB does not publish) is never taken as 1:1: its amounts stay unconverted (NaN in the base
  column), are counted per currency in :class:`Converted.unknown`, and never enter a base total.
- **No currency.** A transfer with no currency is taken to be in the base currency (a file with no
  currency column is a one-currency file) and counted in :class:`Converted.missing`, so outputs
  can say so; pass ``missing_currency=None`` to treat it as a currency with no rate instead.
- **Never summed across currencies.** Totals are per currency (as written) or in the base
  currency, labelled with :meth:`FxRates.label`.

Pure: no I/O besides reading the packaged CSV shipped inside the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from graphbench.errors import GraphbenchError

REFERENCE = "USD"  # the currency every rate is quoted against (per_usd)
PACKAGED_SOURCE = "ECB euro reference rates"
RATE_COLUMNS = ["currency", "per_usd", "date"]
_BEFORE_ALL = np.iinfo(np.int64).min  # an undated rate's time: it holds from the beginning


def epoch_seconds(values: Any) -> np.ndarray:
    """Dates (ISO text, datetimes, or int epoch seconds) → int64 epoch seconds; missing → min int64."""
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    parsed = pd.to_datetime(pd.Series(array, dtype=object), utc=True, format="ISO8601", errors="coerce")
    seconds = parsed.dt.tz_convert(None).to_numpy().astype("datetime64[s]").astype(np.int64)
    seconds[parsed.isna().to_numpy()] = _BEFORE_ALL
    return seconds


@dataclass(frozen=True)
class FxRates:
    """A rate table: ``currency, per_usd, date`` (date may be missing), looked up by currency and date."""

    table: pd.DataFrame
    sources: tuple[str, ...] = (PACKAGED_SOURCE,)
    overridden: tuple[str, ...] = ()  # currencies whose rates came from a user's file
    _series: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, sources: Sequence[str] = (PACKAGED_SOURCE,),
                   overridden: Sequence[str] = ()) -> FxRates:
        """From a frame with ``currency, per_usd`` and optional ``date`` (rows with no usable rate dropped)."""
        table = frame.reindex(columns=RATE_COLUMNS).copy()
        table["currency"] = table["currency"].astype(str).str.strip().str.upper()
        table["per_usd"] = pd.to_numeric(table["per_usd"], errors="coerce")
        table = table[(table["per_usd"] > 0) & (table["currency"] != REFERENCE)]
        seconds = epoch_seconds(table["date"].where(table["date"].notna(), None).to_numpy(dtype=object))
        series: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        ordered = pd.DataFrame({"currency": table["currency"].to_numpy(), "t": seconds,
                                "rate": table["per_usd"].to_numpy(dtype=np.float64)})
        # one rate per (currency, date): the last row written wins, so a file may correct itself
        ordered = ordered.drop_duplicates(["currency", "t"], keep="last").sort_values(["currency", "t"], kind="stable")
        for currency, group in ordered.groupby("currency", sort=True):
            series[str(currency)] = (group["t"].to_numpy(dtype=np.int64), group["rate"].to_numpy(dtype=np.float64))
        return cls(table=table.reset_index(drop=True), sources=tuple(sources), overridden=tuple(sorted(overridden)),
                   _series=series)

    def override(self, user: pd.DataFrame, source: str) -> FxRates:
        """These rates with a user's: each currency the user names takes the user's rates only."""
        if user is None or user.empty:
            return self
        user_rates = FxRates.from_frame(user)
        named = set(user_rates._series)
        if not named:
            return self
        kept = self.table[~self.table["currency"].isin(named)]
        merged = pd.concat([kept, user_rates.table], ignore_index=True)
        return FxRates.from_frame(merged, sources=(*self.sources, source),
                                  overridden=sorted({*self.overridden, *named}))

    @property
    def currencies(self) -> list[str]:
        return sorted({REFERENCE, *self._series})

    def knows(self, currency: str | None) -> bool:
        return currency == REFERENCE or currency in self._series

    def per_usd(self, currency: str, seconds: np.ndarray) -> np.ndarray:
        """Units of ``currency`` per US dollar at each time (nearest earlier rate); NaN if none is known."""
        seconds = np.asarray(seconds, dtype=np.int64)
        if currency == REFERENCE:
            return np.ones(len(seconds))
        if currency not in self._series:
            return np.full(len(seconds), np.nan)
        times, rates = self._series[currency]
        at = np.searchsorted(times, seconds, side="right") - 1
        return rates[np.clip(at, 0, len(rates) - 1)]  # before the first rate: the first one

    def rate_dates(self) -> tuple[str | None, str | None]:
        """First and last dated rate in the table (ISO dates), for labels."""
        dated = [t for times, _ in self._series.values() for t in (times[0], times[-1]) if t != _BEFORE_ALL]
        if not dated:
            return None, None
        return tuple(pd.Timestamp(int(t), unit="s").strftime("%Y-%m-%d") for t in (min(dated), max(dated)))  # type: ignore[return-value]

    def label(self, base: str) -> str:
        """How base amounts were made, for every total shown in the base currency."""
        first, last = self.rate_dates()
        span = f" ({first} to {last}, the latest on or before each transfer's date)" if first else ""
        text = f"≈ {base} at {self.sources[0]}{span}"
        if self.overridden:
            text += f"; {', '.join(self.overridden)} at the rates of {', '.join(self.sources[1:])}"
        return text


@lru_cache(maxsize=1)
def packaged_rates() -> FxRates:
    """The ECB reference table shipped in ``graphbench/data/fx_rates.csv``."""
    path = resources.files("graphbench") / "data" / "fx_rates.csv"
    with path.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype={"currency": str, "date": str}, keep_default_na=False)
    return FxRates.from_frame(frame)


@dataclass(frozen=True)
class Converted:
    """Amounts in the base currency, and what could not be converted."""

    amount: np.ndarray  # float64, base currency; NaN where the currency has no rate
    base: str
    unknown: dict[str, int]  # currency with no rate → transfers left unconverted
    missing: int  # transfers with no currency, taken as the base currency
    label: str

    @property
    def converted(self) -> np.ndarray:
        return ~np.isnan(self.amount)

    def notes(self) -> list[str]:
        """One sentence per caveat, for outputs next to base totals."""
        out = [f"{n:,} transfer(s) in {c} have no exchange rate: not converted, not in any {self.base} total"
               for c, n in sorted(self.unknown.items())]
        if self.missing:
            out.append(f"{self.missing:,} transfer(s) without a currency taken as {self.base}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"base_currency": self.base, "label": self.label, "unconverted": dict(sorted(self.unknown.items())),
                "missing_currency": self.missing}


def to_base(amounts: Any, currencies: Any, dates: Any, base: str = "USD", rates: FxRates | None = None,
            missing_currency: str | None = "base") -> Converted:
    """Convert each amount into ``base`` at the rate of its own date (vectorised: one pass per currency).

    ``dates``: epoch seconds (int) or anything pandas reads as a date; ``missing_currency="base"``
    takes an empty currency as ``base`` (counted), ``None`` treats it as unconvertible.
    """
    rates = rates or packaged_rates()
    base = str(base).strip().upper()
    if not rates.knows(base):
        raise GraphbenchError(f"no exchange rate for the base currency {base}; known: {', '.join(rates.currencies)} "
                              "(add it with an fx_rates file)")
    value = np.asarray(amounts)
    if value.dtype.kind not in "fiu":
        value = pd.to_numeric(pd.Series(value, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    value = value.astype(np.float64, copy=False)
    n = len(value)
    seconds = epoch_seconds(dates) if n else np.zeros(0, dtype=np.int64)
    # factorised first, so only the distinct currencies are cleaned (1M transfers hold a handful)
    codes, distinct = _factorize(currencies)
    names = [str(c).strip().upper() for c in distinct]
    blank = np.array([not name for name in names] + [True])  # the extra slot is pandas' -1 (missing)
    absent = blank[codes]
    codes = np.where(absent, -1, codes)
    missing = int(absent.sum())
    if missing_currency == "base":
        names.append(base)
        codes = np.where(absent, len(names) - 1, codes)
    per_usd = np.full(n, np.nan)
    unknown: dict[str, int] = {}
    for code, currency in enumerate(names):
        at = np.flatnonzero(codes == code)
        if not currency or not len(at):
            continue
        if currency == REFERENCE:
            per_usd[at] = 1.0
        elif rates.knows(currency):
            per_usd[at] = rates.per_usd(currency, seconds[at])
        else:
            unknown[currency] = unknown.get(currency, 0) + len(at)
    if missing_currency != "base" and missing:
        unknown["(none)"] = missing
    amount = value / per_usd
    if base != REFERENCE:
        amount *= rates.per_usd(base, seconds)
    return Converted(amount=amount, base=base, unknown=unknown,
                     missing=missing if missing_currency == "base" else 0, label=rates.label(base))


def _factorize(values: Any) -> tuple[np.ndarray, list[Any]]:
    """(codes, distinct values), missing values coded -1; Arrow's hashing where the values are text
    (twice pandas' on 1M transfers)."""
    import pyarrow as pa

    array = np.asarray(values, dtype=object)
    try:
        encoded = pa.array(array, type=pa.string(), from_pandas=True).dictionary_encode()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        codes, distinct = pd.factorize(pd.Series(array))
        return np.asarray(codes, dtype=np.int64), list(distinct)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def per_currency(amounts: Any, currencies: Any) -> pd.DataFrame:
    """Totals per currency as written (``currency, amount, count``), largest count first; no currency → ``""``."""
    frame = pd.DataFrame({"currency": pd.Series(np.asarray(currencies, dtype=object)).fillna("").astype(str),
                          "amount": pd.to_numeric(pd.Series(np.asarray(amounts, dtype=object)), errors="coerce")})
    totals = frame.groupby("currency", as_index=False).agg(amount=("amount", "sum"), count=("amount", "size"))
    totals["amount"] = totals["amount"].round(2)
    return totals.sort_values(["count", "currency"], ascending=[False, True], kind="stable").reset_index(drop=True)
