"""payment_links: platform, handle, channel_type, channel_id, seen_in.

``seen_in`` names where the identifier was seen: a listing id of that platform (then the listing
ACCEPTS the channel too), or a free word such as ``bio``.
"""

from __future__ import annotations

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.errors import InvalidRow
from graphbench.schema import node_id
from loaders.accounts import account_id, handle_props
from loaders.context import RowContext
from loaders.fields import optional, required
from loaders.listings import listing_id

KIND = "payment_links"
REQUIRED = ("platform", "handle", "channel_type", "channel_id")
_NOT_LISTINGS = {"bio", "profile", "chat", "comment", "dm", "message", "story"}


def channel_node(batch: GraphBatch, kind: str, raw_id: str, field: str, prov: dict) -> str:
    try:
        channel = normalize.channel_id(kind, raw_id)
    except ValueError as exc:
        raise InvalidRow(field, str(exc)) from None
    return batch.add_node(node_id("PaymentChannel", kind, channel), {"channel_type": kind, "channel_id": channel},
                          prov)


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    platform = required(row, "platform", normalize.platform)
    handle = required(row, "handle", normalize.handle)
    kind = required(row, "channel_type", normalize.channel_type)
    raw_channel = required(row, "channel_id")
    seen_in = optional(row, "seen_in")
    prov = ctx.provenance(None)
    batch = GraphBatch()
    channel = channel_node(batch, kind, raw_channel, "channel_id", prov)
    account = batch.add_node(account_id(platform, handle),
                             {"platform": platform, "handle": handle, **handle_props(row.get("handle"), handle)},
                             prov)
    batch.add_rel("USES", account, channel, {"seen_in": seen_in}, prov)
    if seen_in and seen_in.lower() not in _NOT_LISTINGS:
        try:
            listing = listing_id(platform, normalize.listing_id(seen_in))
        except ValueError:
            return batch  # not a listing id: kept as the USES property only
        batch.add_node(listing, {"platform": platform, "listing_id": seen_in}, prov)
        batch.add_rel("ACCEPTS", listing, channel, {}, prov)
    return batch
