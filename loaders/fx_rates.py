"""fx_rates: currency, per_usd, date — exchange rates a user supplies; they override the packaged ECB
table for the currencies they name (see :mod:`graphbench.analytics.fx`).

``per_usd`` is how many units of the currency one US dollar buys (EUR ≈ 0.92, VND ≈ 25,000).
``date`` (optional) is the day from which the rate holds, until the currency's next dated rate; a
rate without a date holds before every dated one (and at every date if it is the only one). A
``date`` that cannot be read is a warning: the rate loads undated.

Each rate is an ``FxRate`` node (key: currency + date) so it lives in the store with the graph, on
both stores, with provenance, and a reload of the same file changes nothing.
"""

from __future__ import annotations

from graphbench import normalize
from graphbench.analytics.fx import REFERENCE
from graphbench.batch import GraphBatch
from graphbench.errors import InvalidRow
from graphbench.schema import node_id
from loaders.context import RowContext
from loaders.fields import optional, required

KIND = "fx_rates"
REQUIRED = ("currency", "per_usd")


def per_usd(raw: str) -> float:
    value = normalize.amount(raw)
    if value <= 0:
        raise ValueError(f"{raw!r} is not a positive rate")
    return value


def rate_date(raw: str) -> str:
    """A day, ``YYYY-MM-DD`` (UTC), in any form the transactions' timestamps accept."""
    return normalize.timestamp(raw)[:10]


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    currency = required(row, "currency", normalize.currency)
    rate = required(row, "per_usd", per_usd)
    if currency == REFERENCE and rate != 1:
        raise InvalidRow("per_usd", f"{REFERENCE} is the reference currency: its per_usd is 1, not {rate:g}")
    date = optional(row, "date", rate_date, ctx)  # unreadable: a warning, and the rate loads undated
    batch = GraphBatch()
    batch.add_node(node_id("FxRate", currency, date), {"currency": currency, "per_usd": rate, "date": date},
                   ctx.provenance(None))
    return batch
