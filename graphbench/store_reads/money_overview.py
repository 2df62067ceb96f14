"""The Money page's overview read from a store: the aggregates are named queries (``busiest_payers``,
``channel_type_flows``, ``daily_amounts``, ``transfers_by_id``), Cypher inside the database on Neo4j, so
only their results come back, and Python twins of the same rules embedded
(:mod:`graphbench.analytics.money_overview`). Both stores give the same frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from graphbench.analytics.fx import FxRates
from graphbench.analytics.money_overview import (
    BUSIEST_COLUMNS,
    DAY_CURRENCY_COLUMNS,
    FLOW_DAY_COLUMNS,
    HOLDER_COLUMNS,
    Overview,
    as_series,
    assemble,
    daily_in_base,
    flows_in_base,
    overview_of,
)
from graphbench.errors import GraphbenchError
from graphbench.schema import TRANSFER_FIELDS
from graphbench.store.base import GraphStore, SupportsArrowReads, SupportsCypher

if TYPE_CHECKING:
    from graphbench.analytics.trace import TransferIndex

__all__ = ["Overview", "busiest_payers", "channel_holders", "channel_type_flows", "check_start", "daily_amounts", "overview",
           "transfer_index", "transfer_table", "transfers_by_id"]


def transfer_table(store: GraphStore) -> pd.DataFrame:
    """Every transfer, only the columns traces and pattern search use (no provenance)."""
    return store.relationships("TRANSFERRED", columns=list(TRANSFER_FIELDS))


def transfer_index(store: GraphStore, base_currency: str = "USD", rates: FxRates | None = None) -> TransferIndex:
    """The money graph of every transfer (``TransferIndex``), the same whichever way it is read: batch by
    batch from Arrow where the store hands batches over (embedded: 20M transfers never become Python
    strings), else from :func:`transfer_table`."""
    from graphbench.analytics.trace import TransferIndex

    if isinstance(store, SupportsArrowReads):
        index = TransferIndex.from_batches(store.relationship_batches("TRANSFERRED", TRANSFER_FIELDS),
                                           base_currency, rates)
        if index is not None:
            return index
    return TransferIndex.from_frame(transfer_table(store), base_currency, rates)


def overview(store: GraphStore, n: int = 10, base_currency: str = "USD", rates: FxRates | None = None) -> Overview:
    """All three parts: on a server, its three aggregates; in process, one read of the table (each part
    alone would read it again). Amounts per currency and in ``base_currency`` (see ``fx_label``)."""
    if isinstance(store, SupportsCypher):
        return assemble(busiest_payers(store, n), _flow_days(store), _days(store), base_currency, rates)
    return overview_of(store.relationships("TRANSFERRED", columns=["amount", "currency", "ts"]), n,
                       base_currency, rates)


def busiest_payers(store: GraphStore, n: int = 10) -> pd.DataFrame:
    """The channels that paid out the most transfers (``channel``, ``transfers``), ties by id."""
    return pd.DataFrame(store.run_named("busiest_payers", {"limit": n}), columns=BUSIEST_COLUMNS)


def _flow_days(store: GraphStore) -> pd.DataFrame:
    return pd.DataFrame(store.run_named("channel_type_flows", {}), columns=FLOW_DAY_COLUMNS)


def _days(store: GraphStore) -> pd.DataFrame:
    return pd.DataFrame(store.run_named("daily_amounts", {}), columns=DAY_CURRENCY_COLUMNS)


def channel_type_flows(store: GraphStore, base_currency: str = "USD", rates: FxRates | None = None) -> pd.DataFrame:
    """Money between channel types (``source, target, currency, amount, amount_base, count``, largest base
    amount first), as ``aggregate_flows(transfers, channel_type_of).between`` gives it."""
    return flows_in_base(_flow_days(store), base_currency, rates)


def daily_amounts(store: GraphStore, base_currency: str = "USD", rates: FxRates | None = None) -> pd.Series:
    """The amount transferred per UTC day in ``base_currency`` (index: ``datetime.date``), days without
    transfers left out; currencies without a rate are not in it."""
    return as_series(daily_in_base(_days(store), base_currency, rates)[0])


def transfers_by_id(store: GraphStore, tx_ids: Sequence[str]) -> pd.DataFrame:
    """The transfers with these ids (a pattern's, to draw it), in time order."""
    if not tx_ids:
        return pd.DataFrame(columns=list(TRANSFER_FIELDS))
    rows = store.run_named("transfers_by_id", {"ids": [str(t) for t in tx_ids]})
    return pd.DataFrame(rows, columns=list(TRANSFER_FIELDS))


def channel_holders(store: GraphStore, channels: Sequence[str]) -> dict[str, int]:
    """How many accounts hold each of these channels (use it or accept it in a listing), for the
    popularity rule; a channel not in the store is left out. Reads only these channels' neighbours."""
    if not channels:
        return {}
    rows = pd.DataFrame(store.run_named("channel_holders", {"ids": [str(c) for c in channels]}), columns=HOLDER_COLUMNS)
    return {str(c): int(n) for c, n in zip(rows["channel"], rows["accounts"], strict=True)}


TRACE_LABELS = ("Account", "PaymentChannel")


def check_start(store: GraphStore, text: str) -> str:
    """The node id a trace starts from, or one sentence (:class:`GraphbenchError`): "no such node" (with
    up to five ids whose text matches, e.g. ``tropic.world`` → ``Account:tiktok:tropic.world``), or a node
    that is not an Account or PaymentChannel. Whether money moved is the trace's to say, not this."""
    node_id = (text or "").strip()
    if not node_id:
        raise GraphbenchError("type an Account or PaymentChannel id to trace from")
    found = store.node(node_id) if len(node_id) <= 1000 else None
    if found is None:
        hint = ""
        words = node_id.split(":")[-1].strip()
        if 2 <= len(words) <= 200:
            ids = [str(i) for i in store.search(words, labels=list(TRACE_LABELS), limit=20)["id"]]
            # the handle or channel id typed whole first (``tropic.world`` → ``Account:tiktok:tropic.world``)
            ids.sort(key=lambda i: (i.split(":")[-1].lower() != words.lower(), i))
            if ids:
                hint = "; did you mean " + ", ".join(ids[:5]) + "?"
        raise GraphbenchError(f"no such node {node_id[:80]!r} in the store (ids look like Account:platform:handle "
                              f"or PaymentChannel:type:id){hint}")
    label = found.get("label")
    if label not in TRACE_LABELS:
        raise GraphbenchError(f"{node_id[:80]!r} is a {label}: a trace starts from an Account or a PaymentChannel")
    return node_id
