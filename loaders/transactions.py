"""transactions: tx_id, timestamp, from_type, from_id, to_type, to_id, amount, currency, reference.

Both ends are payment channels (``*_type`` is the channel type, ``*_id`` its identifier).
"""

from __future__ import annotations

from graphbench import normalize
from graphbench.batch import GraphBatch
from loaders.context import RowContext
from loaders.fields import optional, required
from loaders.payment_links import channel_node

KIND = "transactions"
REQUIRED = ("tx_id", "timestamp", "from_type", "from_id", "to_type", "to_id", "amount")


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    tx_id = required(row, "tx_id")
    ts = required(row, "timestamp", normalize.timestamp)
    from_type = required(row, "from_type", normalize.channel_type)
    from_raw = required(row, "from_id")
    to_type = required(row, "to_type", normalize.channel_type)
    to_raw = required(row, "to_id")
    amount = required(row, "amount", normalize.amount)
    currency = optional(row, "currency", normalize.currency, ctx)
    written = normalize.clean(row.get("currency"))
    if currency is None and written is not None:
        # a currency we cannot name (a warning) is still no currency to take as the base one: kept as
        # written, it has no exchange rate, so its amounts stay unconverted (graphbench.analytics.fx)
        currency = written.upper()
    prov = ctx.provenance(ts)
    batch = GraphBatch()
    source = channel_node(batch, from_type, from_raw, "from_id", prov)
    target = channel_node(batch, to_type, to_raw, "to_id", prov)
    batch.add_rel("TRANSFERRED", source, target,
                  {"tx_id": tx_id, "amount": amount, "currency": currency, "ts": ts,
                   "reference": optional(row, "reference")}, prov)
    return batch
