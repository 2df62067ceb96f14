"""shipments: shipper, tracking_no, sender_platform, sender_handle, origin_country, origin_city,
destination_country, destination_city, declared_content, weight_kg, shipped_at."""

from __future__ import annotations

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.errors import InvalidRow
from graphbench.schema import node_id
from loaders.accounts import account_id
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
    shipped_at = optional(row, "shipped_at", normalize.timestamp)
    sender_platform = optional(row, "sender_platform", normalize.platform)
    sender_handle = optional(row, "sender_handle", normalize.handle)
    if bool(sender_platform) != bool(sender_handle):
        raise InvalidRow("sender_handle" if sender_platform else "sender_platform",
                         "sender needs both platform and handle")
    origin = (optional(row, "origin_country", normalize.country), optional(row, "origin_city", normalize.city))
    destination = (optional(row, "destination_country", normalize.country),
                   optional(row, "destination_city", normalize.city))
    for (country, city), side in ((origin, "origin"), (destination, "destination")):
        if city and not country:
            raise InvalidRow(f"{side}_country", "a city needs its country")
    prov = ctx.provenance(shipped_at)
    batch = GraphBatch()
    shipment = batch.add_node(node_id("Shipment", shipper, tracking), {
        "shipper": shipper, "tracking_no": tracking, "declared_content": optional(row, "declared_content"),
        "weight_kg": optional(row, "weight_kg", weight), "shipped_at": shipped_at,
    }, prov)
    carrier = batch.add_node(node_id("Shipper", shipper), {"name": shipper, "display_name": shipper_name},
                             ctx.provenance(None))
    batch.add_rel("CARRIED_BY", shipment, carrier, {}, prov)
    if sender_platform and sender_handle:
        sender = batch.add_node(account_id(sender_platform, sender_handle),
                                {"platform": sender_platform, "handle": sender_handle}, ctx.provenance(None))
        batch.add_rel("SENT", sender, shipment, {}, prov)
    for (country, city), rel_type in ((origin, "FROM"), (destination, "TO")):
        if country:
            batch.add_rel(rel_type, shipment, add_location(batch, country, city, prov), {}, prov)
    return batch
