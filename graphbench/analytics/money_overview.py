"""The Money page's overview as pure functions of the transfers table: the busiest payers, money between
channel types, the daily timeline and a pattern's transfers by id. No store I/O here: the reads (one
table read in process, named queries on a server) live in :mod:`graphbench.store_reads.money_overview`,
and the embedded twins of those named queries call these functions, so both stores share one rule.

Timestamps are stored as UTC ``YYYY-MM-DDTHH:MM:SSZ`` text (:func:`graphbench.normalize.timestamp`),
so a day is the first ten characters. Amounts are summed and rounded to cents.

Currencies are never added together: the store-side aggregates group by currency and day, and the
base-currency figures are made here from those rows at each day's rate
(:func:`graphbench.analytics.fx.to_base`), the same way on both stores.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from graphbench.analytics import popularity
from graphbench.analytics.flows import FLOW_COLUMNS, channel_type_of, largest_first
from graphbench.analytics.fx import FxRates, packaged_rates, to_base
from graphbench.analytics.trace import TraceResult, factorize_ids

BUSIEST_COLUMNS = ["channel", "transfers"]
HOLDER_COLUMNS = ["channel", "accounts"]  # the named query channel_holders
DAY_COLUMNS = ["day", "amount"]  # the page's timeline: base-currency amount per day
DAY_CURRENCY_COLUMNS = ["day", "currency", "amount", "count"]  # the named query daily_amounts
FLOW_DAY_COLUMNS = ["source", "target", "currency", "day", "amount", "count"]  # the named query channel_type_flows


@dataclass
class Overview:
    busiest_payers: pd.DataFrame
    channel_type_flows: pd.DataFrame  # FLOW_COLUMNS: one row per currency, with its base amount
    daily_amounts: pd.Series  # base-currency amount per day (currencies without a rate left out)
    fx_label: str = ""  # how base amounts were made ("≈ USD at ECB …")
    fx_notes: list[str] = field(default_factory=list)  # transfers left unconverted, currencies assumed


def overview_of(transfers: pd.DataFrame, n: int = 10, base_currency: str = "USD",
                rates: FxRates | None = None) -> Overview:
    """All three parts from one table (``start, end, amount, currency, ts``)."""
    return assemble(busiest_in(transfers, n), channel_type_flows_by_day(transfers), daily_in(transfers),
                    base_currency, rates)


def assemble(busiest: pd.DataFrame, flow_days: pd.DataFrame, days: pd.DataFrame, base_currency: str = "USD",
             rates: FxRates | None = None) -> Overview:
    """The overview from the three aggregates as the named queries return them."""
    flows = flows_in_base(flow_days, base_currency, rates)
    daily, label, notes = daily_in_base(days, base_currency, rates)
    return Overview(busiest, flows, as_series(daily), label, notes)


def busiest_in(transfers: pd.DataFrame, n: int) -> pd.DataFrame:
    """The channels that paid out the most transfers (``channel``, ``transfers``), ties by id."""
    counts = transfers["start"].value_counts()
    table = pd.DataFrame({"channel": counts.index.astype(str), "transfers": counts.to_numpy()})
    return (table.sort_values(["transfers", "channel"], ascending=[False, True], kind="stable")
            .head(n).reset_index(drop=True))


def channel_type_flows_in(transfers: pd.DataFrame, base_currency: str = "USD",
                          rates: FxRates | None = None) -> pd.DataFrame:
    """Money between channel types (``FLOW_COLUMNS``: per currency, as written and in the base currency)."""
    return flows_in_base(channel_type_flows_by_day(transfers), base_currency, rates)


def _currency(table: pd.DataFrame) -> pd.Series:
    """The currency column with a missing one as ``""`` (Cypher: ``coalesce(t.currency, '')``)."""
    if "currency" not in table:
        return pd.Series("", index=table.index)
    return table["currency"].fillna("").astype(str)


def channel_type_flows_by_day(transfers: pd.DataFrame) -> pd.DataFrame:
    """``FLOW_DAY_COLUMNS``: transfers between two channel types summed per currency and UTC day (cents),
    ordered by source, target, currency, day; money inside one type left out."""
    table = transfers.dropna(subset=["ts"]) if "ts" in transfers else transfers.iloc[0:0]
    # each distinct end is typed once, spread by integer codes (as flows.aggregate_flows does)
    codes, ends = factorize_ids(np.concatenate([table["start"].to_numpy(dtype=object),
                                                table["end"].to_numpy(dtype=object)]))
    types = np.array([channel_type_of(str(node)) for node in ends], dtype=object)
    frame = pd.DataFrame({"source": types[codes[:len(table)]], "target": types[codes[len(table):]],
                          "currency": _currency(table).to_numpy(), "day": table["ts"].astype(str).str[:10].to_numpy(),
                          "amount": pd.to_numeric(table["amount"], errors="coerce").to_numpy()})
    frame = frame[frame["source"] != frame["target"]]
    rows = frame.groupby(["source", "target", "currency", "day"], as_index=False).agg(
        amount=("amount", "sum"), count=("amount", "size"))
    rows["amount"] = rows["amount"].round(2)
    return rows.sort_values(["source", "target", "currency", "day"], kind="stable").reset_index(drop=True)[
        FLOW_DAY_COLUMNS]


def flows_in_base(rows: pd.DataFrame, base_currency: str = "USD", rates: FxRates | None = None) -> pd.DataFrame:
    """``FLOW_DAY_COLUMNS`` rows → ``FLOW_COLUMNS`` (largest base amount first): each day's sum converted
    at that day's rate, then added up per source, target and currency; never across currencies."""
    rows = rows.reindex(columns=FLOW_DAY_COLUMNS)
    converted = to_base(rows["amount"].astype(float).to_numpy(), rows["currency"].replace("", None).to_numpy(dtype=object),
                        rows["day"].to_numpy(dtype=object), base_currency, rates or packaged_rates())
    frame = rows.assign(amount=rows["amount"].astype(float), amount_base=converted.amount,
                        count=rows["count"].astype("int64"))
    summed = frame.groupby(["source", "target", "currency"], as_index=False).agg(
        amount=("amount", "sum"), amount_base=("amount_base", "sum"), count=("count", "sum"))
    summed.loc[summed["currency"].isin(list(converted.unknown)), "amount_base"] = np.nan  # no rate: no base sum
    summed[["amount", "amount_base"]] = summed[["amount", "amount_base"]].round(2)
    summed = summed[summed["amount_base"].isna() | (summed["amount_base"] >= 0)]
    return largest_first(summed)[FLOW_COLUMNS]


def daily_in(transfers: pd.DataFrame) -> pd.DataFrame:
    """``DAY_CURRENCY_COLUMNS``: ``day`` (YYYY-MM-DD text), ``currency`` (``""`` when missing), ``amount``
    as written (rounded to cents), ``count``, by day then currency; no row for a day without a stamped
    transfer."""
    table = transfers.dropna(subset=["ts"])
    amounts = pd.to_numeric(table["amount"], errors="coerce")
    days = (pd.DataFrame({"day": table["ts"].astype(str).str[:10], "currency": _currency(table), "amount": amounts})
            .groupby(["day", "currency"], as_index=False).agg(amount=("amount", "sum"), count=("amount", "size")))
    days["amount"] = days["amount"].round(2)
    return days.sort_values(["day", "currency"], kind="stable").reset_index(drop=True)[DAY_CURRENCY_COLUMNS]


def daily_in_base(days: pd.DataFrame, base_currency: str = "USD", rates: FxRates | None = None
                  ) -> tuple[pd.DataFrame, str, list[str]]:
    """Per-day, per-currency sums → (``day, amount`` in the base currency, the rates label, notes).
    A currency with no rate is left out of the day's amount and named in the notes."""
    days = days.reindex(columns=DAY_CURRENCY_COLUMNS)
    rates = rates or packaged_rates()
    converted = to_base(days["amount"].astype(float).to_numpy(), days["currency"].replace("", None).to_numpy(dtype=object),
                        days["day"].to_numpy(dtype=object), base_currency, rates)
    counts = days["count"].astype("int64").to_numpy()
    unknown = {c: int(counts[(days["currency"] == c).to_numpy()].sum()) for c in converted.unknown}
    missing = int(counts[(days["currency"] == "").to_numpy()].sum())
    notes = [f"{n:,} transfer(s) in {c} have no exchange rate: left out of the {converted.base} amounts"
             for c, n in sorted(unknown.items())]
    if missing:
        notes.append(f"{missing:,} transfer(s) without a currency taken as {converted.base}")
    impossible = pd.to_datetime(days["day"], format="%Y-%m-%d", errors="coerce").isna().to_numpy()
    if impossible.any():  # a stamp the loader should have refused (2024-02-30): said, not charted
        notes.append(f"{int(counts[impossible].sum()):,} transfer(s) dated on no calendar day left out of the timeline")
    frame = pd.DataFrame({"day": days["day"], "amount": converted.amount})[~impossible].dropna(subset=["amount"])
    daily = frame.groupby("day", as_index=False)["amount"].sum()
    daily["amount"] = daily["amount"].round(2)
    return daily.sort_values("day", kind="stable").reset_index(drop=True)[DAY_COLUMNS], converted.label, notes


def as_series(days: pd.DataFrame) -> pd.Series:
    """A ``day, amount`` table as the page charts it: amounts indexed by ``datetime.date``."""
    return pd.Series(days["amount"].astype(float).to_numpy(), name="amount",
                     index=pd.Index(pd.to_datetime(days["day"]).dt.date, name="day"))


def transfers_with_ids(transfers: pd.DataFrame, tx_ids: Sequence[str]) -> pd.DataFrame:
    """The transfers with these ids, in (ts, tx_id, start, end) order."""
    wanted = list(dict.fromkeys(str(t) for t in tx_ids))
    hit = transfers[transfers["tx_id"].isin(wanted)]
    return hit.sort_values(["ts", "tx_id", "start", "end"], kind="stable", na_position="last").reset_index(drop=True)


def holders_in(channels: Sequence[str] | pd.Series, tables: Mapping[str, pd.DataFrame],
               wanted: Sequence[str]) -> pd.DataFrame:
    """``HOLDER_COLUMNS`` for the ``wanted`` channels that exist (``channels``): how many distinct
    accounts use each (USES) or posted a listing that accepts it (POSTED + ACCEPTS), as the account
    graph counts a shared channel (:func:`graphbench.analytics.projection.channel_owners`)."""
    from graphbench.analytics.projection import channel_owners

    present = sorted(set(map(str, wanted)) & set(map(str, channels)))
    owners = channel_owners(tables)
    counts = owners[owners["channel"].isin(present)].groupby("channel")["account"].nunique()
    return pd.DataFrame({"channel": present, "accounts": [int(counts.get(c, 0)) for c in present]},
                        columns=HOLDER_COLUMNS)


def start_choices(busiest: pd.DataFrame, holders: Mapping[str, int]) -> pd.DataFrame:
    """The busiest payers as a pick list: ``channel, transfers, accounts, popular`` in the busiest order.
    ``popular``: more accounts hold it than the popularity rule allows a tie
    (:func:`graphbench.analytics.popularity.is_popular`, kind ``channel``): an escrow, an exchange's
    deposit address. Assumption: a channel no account is known to hold counts 0 (transactions-only data
    has no popular channel by this rule)."""
    table = busiest.reindex(columns=BUSIEST_COLUMNS).reset_index(drop=True)
    accounts = [int(holders.get(str(c), 0)) for c in table["channel"]]
    return table.assign(accounts=accounts, popular=[popularity.is_popular("channel", n) for n in accounts])


def popular_among(holders: Mapping[str, int]) -> dict[str, int]:
    """The popular channels among these (channel → accounts holding it), by the one popularity rule."""
    return {c: n for c, n in sorted(holders.items()) if popularity.is_popular("channel", n)}


def default_start(choices: pd.DataFrame) -> str | None:
    """The busiest payer that is not popular (a trace from an escrow follows every customer's money at
    once); None when every choice is popular or there is none."""
    calm = choices[~choices["popular"].astype(bool)]
    return str(calm["channel"].iloc[0]) if len(calm) else None


def choice_label(row: Mapping[str, Any]) -> str:
    """How a pick list shows a channel: its id, its payments out and, for a popular one, why it is marked."""
    text = f"{row['channel']}  ·  {int(row['transfers']):,} payments out"
    if row.get("popular"):
        text += f"  ·  POPULAR: held by {int(row['accounts']):,} accounts (escrow / exchange?)"
    return text


END_COLUMNS = ["channel", "end", "hop", "currency", "amount", "amount_base", "transfers"]


def trace_ends(result: TraceResult) -> pd.DataFrame:
    """Where a trail ends, one row per (channel, currency): ``end`` is ``sink`` (out: no onward transfer
    within the window and tolerance), ``origin`` (in: no earlier incoming one, where the money came from)
    or ``open end`` (the hop limit cut the trail and the money goes on). ``amount`` is what the trail brought there
    as written, ``amount_base`` in the base currency (NaN: no rate); never one sum over currencies."""
    sink = "sink" if result.direction == "out" else "origin"
    kinds = {**{c: sink for c in result.sinks}, **{c: "open end" for c in result.open_ends}}
    if not kinds or result.totals.empty:
        return pd.DataFrame(columns=END_COLUMNS)
    side = ("received", "received_base", "n_received") if result.direction == "out" else ("sent", "sent_base", "n_sent")
    rows = result.totals[result.totals["node"].isin(list(kinds))]
    table = pd.DataFrame({"channel": rows["node"], "end": rows["node"].map(kinds), "hop": rows["first_hop"],
                          "currency": rows["currency"], "amount": rows[side[0]], "amount_base": rows[side[1]],
                          "transfers": rows[side[2]].astype(int)})
    table = table[table["transfers"] > 0]
    return (table.sort_values(["end", "amount_base", "channel"], ascending=[False, False, True], kind="stable",
                              na_position="last").reset_index(drop=True)[END_COLUMNS])


_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")


def trace_window(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """The trace window from what an analyst typed (ISO dates or date-times; blank: open), as UTC stamps.
    A bare date in ``until`` means the whole of that day (``2024-03-01`` → ``2024-03-01T23:59:59Z``).
    A value that is not a date, or a window that ends before it starts, is one sentence naming the field
    (:class:`~graphbench.errors.GraphbenchError`)."""
    from graphbench import normalize
    from graphbench.errors import GraphbenchError

    bounds: list[str | None] = []
    for field_name, text in (("Since", since), ("Until", until)):
        text = (text or "").strip()
        if not text:
            bounds.append(None)
            continue
        try:
            stamp = normalize.timestamp(text)
        except ValueError:
            raise GraphbenchError(f"{field_name}: {text[:40]!r} is not a date; write it as 2024-03-01 or "
                                  "2024-03-01T14:30:00Z") from None
        if field_name == "Until" and _DATE_ONLY.fullmatch(text):
            stamp = stamp[:10] + "T23:59:59Z"
        bounds.append(stamp)
    if bounds[0] and bounds[1] and bounds[1] < bounds[0]:
        raise GraphbenchError(f"Until ({bounds[1]}) is before Since ({bounds[0]}): no transfer can be in that window")
    return bounds[0], bounds[1]
