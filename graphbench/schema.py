"""The graph model as data: node labels with their natural keys, relationship types with their ends.

Every node has one string id, ``Label:key-part:key-part`` built from normalised key parts
(see :mod:`graphbench.normalize`). Labels and relationship types used in Cypher come only from
here, so a user-supplied string can never become a label.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphbench.errors import GraphbenchError


@dataclass(frozen=True)
class NodeType:
    label: str
    keys: tuple[str, ...]  # natural key properties, in id order
    title: str  # property shown as the node's caption


@dataclass(frozen=True)
class RelType:
    type: str
    start: tuple[str, ...]  # allowed start labels
    end: tuple[str, ...]  # allowed end labels
    # property that tells parallel relationships of this type apart (e.g. one TRANSFERRED per tx_id)
    discriminator: str | None = None
    derived: bool = False  # written by resolution, not by loaders


NODE_TYPES: dict[str, NodeType] = {
    n.label: n
    for n in (
        NodeType("Account", ("platform", "handle"), "handle"),
        NodeType("Listing", ("platform", "listing_id"), "title"),
        NodeType("Hashtag", ("tag",), "tag"),
        NodeType("Species", ("scientific_name",), "scientific_name"),
        NodeType("PaymentChannel", ("channel_type", "channel_id"), "channel_id"),
        NodeType("Phone", ("e164",), "e164"),
        NodeType("Email", ("address",), "address"),
        NodeType("Shipper", ("name",), "name"),
        NodeType("Shipment", ("shipper", "tracking_no"), "tracking_no"),
        NodeType("Location", ("country", "city"), "country"),
        NodeType("FxRate", ("currency", "date"), "currency"),  # a user's exchange rate (fx_rates file)
        NodeType("Seizure", ("seizure_id",), "seizure_id"),  # an enforcement record (seizures file)
    )
}

REL_TYPES: dict[str, RelType] = {
    r.type: r
    for r in (
        RelType("POSTED", ("Account",), ("Listing",)),
        RelType("TAGGED", ("Listing",), ("Hashtag",)),
        RelType("MENTIONS", ("Listing",), ("Species",)),
        RelType("CROSS_POSTED_AS", ("Listing",), ("Listing",), derived=True),
        RelType("USES", ("Account",), ("PaymentChannel",)),
        RelType("ACCEPTS", ("Listing",), ("PaymentChannel",)),
        RelType("TRANSFERRED", ("PaymentChannel",), ("PaymentChannel",), discriminator="tx_id"),
        RelType("HAS_PHONE", ("Account",), ("Phone",)),
        RelType("HAS_EMAIL", ("Account",), ("Email",)),
        RelType("LINKS_TO", ("Account",), ("Account",)),
        RelType("SENT", ("Account",), ("Shipment",)),
        RelType("CARRIED_BY", ("Shipment",), ("Shipper",)),
        RelType("FROM", ("Shipment", "Seizure"), ("Location",)),
        RelType("TO", ("Shipment", "Seizure"), ("Location",)),
        RelType("LOCATED_IN", ("Account", "Listing"), ("Location",)),
        RelType("SAME_AS", ("Account",), ("Account",), derived=True),
        RelType("OF", ("Seizure",), ("Species",)),
        RelType("AT", ("Seizure",), ("Location",)),
        RelType("VIA", ("Seizure",), ("Location",)),
        RelType("OF_SHIPMENT", ("Seizure",), ("Shipment",)),
        RelType("NAMES", ("Seizure",), ("Account", "Phone", "PaymentChannel")),
    )
}

# Every node also carries this label in Neo4j, so a node can be found by id alone (indexed).
BASE_LABEL = "Entity"

# Provenance carried by every node and relationship.
PROVENANCE_PROPS = ("source_file", "source_row", "sha256", "first_seen", "last_seen", "sources")

# What traces, pattern search and the money overview read of a transfer (no provenance).
TRANSFER_FIELDS = ("start", "end", "tx_id", "amount", "currency", "ts")

# Identifier nodes that join accounts ("pivots" in FollowTheMoney's words).
PIVOT_LABELS = ("Phone", "Email", "PaymentChannel", "Hashtag")


def check_label(label: str) -> str:
    """Return ``label`` if the schema knows it; refuse anything else (labels are pasted into Cypher)."""
    if label not in NODE_TYPES:
        raise GraphbenchError(f"unknown node label {label!r}; known: {', '.join(NODE_TYPES)}")
    return label


def check_rel_type(rel_type: str) -> str:
    """Return ``rel_type`` if the schema knows it; refuse anything else."""
    if rel_type not in REL_TYPES:
        raise GraphbenchError(f"unknown relationship type {rel_type!r}; known: {', '.join(REL_TYPES)}")
    return rel_type


def node_id(label: str, *key_parts: str | None) -> str:
    """Build the node id ``Label:part:part`` from already-normalised key parts.

    Trailing empty parts are dropped, so a country-only Location is ``Location:VN``.
    """
    check_label(label)
    parts = [p if p is not None else "" for p in key_parts]
    while parts and parts[-1] == "":
        parts.pop()
    return ":".join([label, *parts])


def label_of(node_id_: str) -> str:
    """The label part of a node id."""
    return node_id_.split(":", 1)[0]
