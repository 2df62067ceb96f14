"""i2 Analyst's Notebook import files: a folder with ``entities.csv`` and ``links.csv``.

entities.csv — ``entity_id, entity_type, label, date_time, description, source_file, source_row, sha256``
(entity_type is the graphbench label: Account, Listing, PaymentChannel, Phone, …; date_time the
entity's first capture or posting time).
links.csv — ``link_id, from_id, to_id, link_type, label, date_time, amount, currency, source_file,
source_row, sha256`` (link_type is the relationship type; amount/currency for transfers).
In the i2 import wizard map entity_id → Identity, entity_type → Type, label → Label,
date_time → Date & Time; for links from_id/to_id → End 1/End 2 Identity.
"""

from __future__ import annotations

from pathlib import Path

from graphbench.export.csv_safety import write_csv
from graphbench.export.jsonl import table_records
from graphbench.schema import NODE_TYPES, REL_TYPES
from graphbench.store.base import GraphStore

ENTITY_COLUMNS = ["entity_id", "entity_type", "label", "date_time", "description", "source_file", "source_row",
                  "sha256"]
LINK_COLUMNS = ["link_id", "from_id", "to_id", "link_type", "label", "date_time", "amount", "currency",
                "source_file", "source_row", "sha256"]


def _entities(store: GraphStore):
    for label, node_type in NODE_TYPES.items():
        for r in table_records(store.nodes(label)):
            yield {"entity_id": r["id"], "entity_type": label, "label": r.get(node_type.title) or r["id"],
                   "date_time": r.get("posted_at") or r.get("shipped_at") or r.get("first_seen"),
                   "description": (r.get("text") or r.get("bio") or r.get("declared_content") or "")[:500],
                   "source_file": r.get("source_file"), "source_row": r.get("source_row"), "sha256": r.get("sha256")}


def _links(store: GraphStore):
    for rel_type in REL_TYPES:
        for n, r in enumerate(table_records(store.relationships(rel_type))):
            label = rel_type.replace("_", " ").lower()
            if rel_type == "TRANSFERRED":
                label = f"{r.get('amount')} {r.get('currency') or ''}".strip()
            elif rel_type == "MENTIONS":
                label = f"{r.get('match')}: {r.get('term')}"
            yield {"link_id": r.get("tx_id") or f"{rel_type}-{n}", "from_id": r["start"], "to_id": r["end"],
                   "link_type": rel_type, "label": label, "date_time": r.get("ts") or r.get("first_seen"),
                   "amount": r.get("amount"), "currency": r.get("currency"), "source_file": r.get("source_file"),
                   "source_row": r.get("source_row"), "sha256": r.get("sha256")}


def write_i2(store: GraphStore, folder: str | Path) -> dict[str, int]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return {"entities": write_csv(folder / "entities.csv", ENTITY_COLUMNS, _entities(store)),
            "links": write_csv(folder / "links.csv", LINK_COLUMNS, _links(store))}
