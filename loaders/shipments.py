"""shipments: shipper, tracking_no, sender_platform, sender_handle, origin_country, origin_city,
destination_country, destination_city, declared_content, weight_kg, shipped_at.

Only shipper and tracking_no are required. An optional field that does not parse is set aside as
a warning: a sender given by platform or handle alone makes no SENT link, a city whose country is
missing or unreadable makes no place on that side, and the shipment loads.
"""

from __future__ import annotations

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.schema import node_id
from loaders.accounts import account_id, handle_props
from loaders.context import RowContext
from loaders.fields import optional, required
from loaders.places import add_location

KIND = "shipments"
REQUIRED = ("shipper", "tracking_no")


def weight(raw: str) -> float:
    value = normalize.amount(raw.lower().removesuffix("kg").strip())
    if value < 0:
        raise ValueError(f"{raw!r} is a negative weight")
    return value


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    shipper_name = required(row, "shipper")
    shipper = required(row, "shipper", normalize.shipper)
    tracking = required(row, "tracking_no", normalize.tracking_no)
    shipped_at = optional(row, "shipped_at", normalize.timestamp, ctx)
    sender_platform = optional(row, "sender_platform", normalize.platform, ctx)
    sender_handle = optional(row, "sender_handle", normalize.handle, ctx)
    if bool(sender_platform) != bool(sender_handle):
        missing, given = ("sender_handle", "sender_platform") if sender_platform else ("sender_platform",
                                                                                       "sender_handle")
        ctx.warn(missing, f"a sender needs both platform and handle; {missing} is missing, so the "
                 f"{given} was set aside and no sender linked", row.get(given))
        sender_platform = sender_handle = None
    places = {}
    for side in ("origin", "destination"):
        country = optional(row, f"{side}_country", normalize.country, ctx)
        city = optional(row, f"{side}_city", normalize.city, ctx)
        if city and not country:
            ctx.warn(f"{side}_city", "a city needs its country; the city was set aside", row.get(f"{side}_city"))
            city = None
        places[side] = (country, city)
    prov = ctx.provenance(shipped_at)
    batch = GraphBatch()
    shipment = batch.add_node(node_id("Shipment", shipper, tracking), {
        "shipper": shipper, "tracking_no": tracking, "declared_content": optional(row, "declared_content"),
        "weight_kg": optional(row, "weight_kg", weight, ctx), "shipped_at": shipped_at,
    }, prov)
    carrier = batch.add_node(node_id("Shipper", shipper), {"name": shipper, "display_name": shipper_name},
                             ctx.provenance(None))
    batch.add_rel("CARRIED_BY", shipment, carrier, {}, prov)
    if sender_platform and sender_handle:
        sender = batch.add_node(account_id(sender_platform, sender_handle),
                                {"platform": sender_platform, "handle": sender_handle,
                                 **handle_props(row.get("sender_handle"), sender_handle)}, ctx.provenance(None))
        batch.add_rel("SENT", sender, shipment, {}, prov)
    for side, rel_type in (("origin", "FROM"), ("destination", "TO")):
        country, city = places[side]
        if country:
            batch.add_rel(rel_type, shipment, add_location(batch, country, city, prov), {}, prov)
    return batch
