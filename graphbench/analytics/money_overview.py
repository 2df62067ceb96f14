"""The Money page's overview, computed where the transfers are: on a Neo4j server Cypher aggregates and
bounded lookups run inside the database and only their results come back; on the embedded store the
columns they need are read from the transfers table on disk. Both give the same frames.

Timestamps are stored as UTC ``YYYY-MM-DDTHH:MM:SSZ`` text (:func:`graphbench.normalize.timestamp`),
so a day is the first ten characters on both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphbench.analytics.flows import FLOW_COLUMNS, aggregate_flows, channel_type_of, largest_first
from graphbench.schema import TRANSFER_FIELDS

# the channel type is the id's second part (PaymentChannel:paypal:…), as flows.channel_type_of reads it;
# the node keeps it as a property too, which reads 2.7x faster than splitting 2M ids (1M transfers)
_TYPE_OF = ("coalesce({v}.channel_type, "
            "CASE WHEN size(split({v}.id, ':')) > 2 THEN split({v}.id, ':')[1] ELSE {v}.id END)")


def _on_server(store: Any) -> bool:
    return getattr(store, "kind", "") == "neo4j"


def transfer_table(store: Any) -> pd.DataFrame:
    """Every transfer, only the columns traces and pattern search use (no provenance)."""
    return store.relationships("TRANSFERRED", columns=list(TRANSFER_FIELDS))


@dataclass
class Overview:
    busiest_payers: pd.DataFrame
    channel_type_flows: pd.DataFrame
    daily_amounts: pd.Series


def overview(store: Any, n: int = 10) -> Overview:
    """All three at once: one read of the table on the embedded store (each part alone reads it again)."""
    if _on_server(store):
        return Overview(busiest_payers(store, n), channel_type_flows(store), daily_amounts(store))
    table = store.relationships("TRANSFERRED", columns=["amount", "currency", "ts"])
    return Overview(_busiest_in(table, n), aggregate_flows(table, channel_type_of).between, _daily_in(table))


def busiest_payers(store: Any, n: int = 10) -> pd.DataFrame:
    """The channels that paid out the most transfers (``channel``, ``transfers``), ties by id."""
    if _on_server(store):
        # COUNT of one typed relationship pattern is read from the node's degree, not by expanding it
        rows = store.read("MATCH (c:PaymentChannel) WITH c, COUNT { (c)-[:TRANSFERRED]->() } AS transfers "
                          "WHERE transfers > 0 RETURN c.id AS channel, transfers "
                          "ORDER BY transfers DESC, channel LIMIT $n", {"n": n})
        return pd.DataFrame(rows, columns=["channel", "transfers"])
    return _busiest_in(store.relationships("TRANSFERRED", columns=["start"]), n)


def _busiest_in(transfers: pd.DataFrame, n: int) -> pd.DataFrame:
    counts = transfers["start"].value_counts()
    table = pd.DataFrame({"channel": counts.index.astype(str), "transfers": counts.to_numpy()})
    return (table.sort_values(["transfers", "channel"], ascending=[False, True], kind="stable")
            .head(n).reset_index(drop=True))


def channel_type_flows(store: Any) -> pd.DataFrame:
    """Money between channel types (``source, target, amount, count``, largest first), as
    ``aggregate_flows(transfers, channel_type_of).between`` gives it."""
    if not _on_server(store):
        return aggregate_flows(store.relationships("TRANSFERRED", columns=["amount", "currency"]),
                               channel_type_of).between
    rows = store.read(f"MATCH (a)-[t:TRANSFERRED]->(b) "
                      f"WITH {_TYPE_OF.format(v='a')} AS source, {_TYPE_OF.format(v='b')} AS target, t.amount AS amount "
                      "WHERE source <> target RETURN source, target, sum(amount) AS amount, count(*) AS count")
    table = pd.DataFrame(rows, columns=FLOW_COLUMNS)
    table["amount"] = table["amount"].astype(float).round(2)
    return largest_first(table)


def daily_amounts(store: Any) -> pd.Series:
    """The amount transferred per UTC day (index: ``datetime.date``), days without transfers left out."""
    if _on_server(store):
        rows = store.read("MATCH ()-[t:TRANSFERRED]->() WHERE t.ts IS NOT NULL "
                          "RETURN substring(t.ts, 0, 10) AS day, sum(t.amount) AS amount ORDER BY day")
        return _as_series(pd.DataFrame(rows, columns=["day", "amount"]))
    return _daily_in(store.relationships("TRANSFERRED", columns=["amount", "ts"]))


def _daily_in(transfers: pd.DataFrame) -> pd.Series:
    table = transfers.dropna(subset=["ts"])
    return _as_series(table.assign(day=table["ts"].astype(str).str[:10]).groupby("day", as_index=False)["amount"].sum())


def _as_series(days: pd.DataFrame) -> pd.Series:
    return pd.Series(days["amount"].astype(float).to_numpy(), name="amount",
                     index=pd.Index(pd.to_datetime(days["day"]).dt.date, name="day"))


def transfers_by_id(store: Any, tx_ids: Sequence[str]) -> pd.DataFrame:
    """The transfers with these ids (a pattern's, to draw it), through the tx_id index on Neo4j."""
    wanted = list(dict.fromkeys(str(t) for t in tx_ids))
    if _on_server(store):
        rows = store.read("UNWIND $ids AS id MATCH (a)-[t:TRANSFERRED {tx_id: id}]->(b) "
                          "USING INDEX t:TRANSFERRED(tx_id) "
                          "RETURN a.id AS start, b.id AS end, t.tx_id AS tx_id, t.amount AS amount, "
                          "t.currency AS currency, t.ts AS ts ORDER BY ts, tx_id", {"ids": wanted})
        return pd.DataFrame(rows, columns=list(TRANSFER_FIELDS))
    table = transfer_table(store)
    return (table[table["tx_id"].isin(wanted)].sort_values(["ts", "tx_id"], kind="stable")
            .reset_index(drop=True))
