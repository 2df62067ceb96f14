"""The Money page's overview as pure functions of the transfers table: the busiest payers, money between
channel types, the daily timeline and a pattern's transfers by id. No store I/O here: the reads (one
table read in process, named queries on a server) live in :mod:`graphbench.store_reads.money_overview`,
and the embedded twins of those named queries call these functions, so both stores share one rule.

Timestamps are stored as UTC ``YYYY-MM-DDTHH:MM:SSZ`` text (:func:`graphbench.normalize.timestamp`),
so a day is the first ten characters. Amounts are summed and rounded to cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from graphbench.analytics.flows import aggregate_flows, channel_type_of

BUSIEST_COLUMNS = ["channel", "transfers"]
DAY_COLUMNS = ["day", "amount"]


@dataclass
class Overview:
    busiest_payers: pd.DataFrame
    channel_type_flows: pd.DataFrame
    daily_amounts: pd.Series


def overview_of(transfers: pd.DataFrame, n: int = 10) -> Overview:
    """All three parts from one table (``start, end, amount, ts``)."""
    return Overview(busiest_in(transfers, n), channel_type_flows_in(transfers), as_series(daily_in(transfers)))


def busiest_in(transfers: pd.DataFrame, n: int) -> pd.DataFrame:
    """The channels that paid out the most transfers (``channel``, ``transfers``), ties by id."""
    counts = transfers["start"].value_counts()
    table = pd.DataFrame({"channel": counts.index.astype(str), "transfers": counts.to_numpy()})
    return (table.sort_values(["transfers", "channel"], ascending=[False, True], kind="stable")
            .head(n).reset_index(drop=True))


def channel_type_flows_in(transfers: pd.DataFrame) -> pd.DataFrame:
    """Money between channel types (``source, target, amount, count``, largest first)."""
    return aggregate_flows(transfers, channel_type_of).between


def daily_in(transfers: pd.DataFrame) -> pd.DataFrame:
    """``day`` (YYYY-MM-DD text), ``amount`` (rounded to cents), oldest first; no row for a day without
    a stamped transfer."""
    table = transfers.dropna(subset=["ts"])
    amounts = pd.to_numeric(table["amount"], errors="coerce")
    days = (pd.DataFrame({"day": table["ts"].astype(str).str[:10], "amount": amounts})
            .groupby("day", as_index=False)["amount"].sum())
    days["amount"] = days["amount"].round(2)
    return days.sort_values("day", kind="stable").reset_index(drop=True)[DAY_COLUMNS]


def as_series(days: pd.DataFrame) -> pd.Series:
    """A ``day, amount`` table as the page charts it: amounts indexed by ``datetime.date``."""
    return pd.Series(days["amount"].astype(float).to_numpy(), name="amount",
                     index=pd.Index(pd.to_datetime(days["day"]).dt.date, name="day"))


def transfers_with_ids(transfers: pd.DataFrame, tx_ids: Sequence[str]) -> pd.DataFrame:
    """The transfers with these ids, in (ts, tx_id, start, end) order."""
    wanted = list(dict.fromkeys(str(t) for t in tx_ids))
    hit = transfers[transfers["tx_id"].isin(wanted)]
    return hit.sort_values(["ts", "tx_id", "start", "end"], kind="stable", na_position="last").reset_index(drop=True)
