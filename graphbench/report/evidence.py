"""The evidence annex: every item a report cites, traced to the source row it came from.

Items are node ids (accounts, listings, payment channels, shipments) or ``tx:ID`` for a transfer;
each row gives the source file and row, the capture time (first/last seen), the URL where the item
has one, and the SHA-256 of the raw source record, so a reader can check the claim against the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from graphbench.report.cells import is_missing

ANNEX_COLUMNS = ["item", "kind", "cited_in", "source_file", "source_row", "first_seen", "last_seen", "url",
                 "sha256"]
_NODE_LABELS = ("Account", "Listing", "PaymentChannel", "Shipment")


class Citations:
    """Items cited so far, in citation order, with the section that first cited each."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, str]] = {}  # item → (kind, section)

    def cite(self, items: Iterable[Any], kind: str, section: str) -> None:
        for item in items:
            if item is None or item != item:  # None / NaN
                continue
            self.items.setdefault(str(item), (kind, section))

    def cite_transfers(self, tx_ids: Iterable[Any], section: str) -> None:
        self.cite((f"tx:{t}" for t in tx_ids if t is not None and t == t), "transfer", section)


def annex(tables: Mapping[str, pd.DataFrame], citations: Citations) -> pd.DataFrame:
    """One row per cited item found in ``tables`` (an item the tables do not hold is left out)."""
    records: dict[str, pd.DataFrame] = {}
    for label in _NODE_LABELS:
        table = tables.get(label)
        if table is not None and len(table):
            records[label] = table.drop_duplicates("id").set_index("id")
    transfers = tables.get("TRANSFERRED")
    if transfers is not None and len(transfers) and "tx_id" in transfers:
        unique = transfers.drop_duplicates("tx_id")
        records["tx"] = unique.set_index(unique["tx_id"].astype(str))
    rows = []
    for item, (kind, section) in citations.items.items():
        prefix, _, rest = item.partition(":")
        table = records.get(prefix)
        key = rest if prefix == "tx" else item
        if table is None or key not in table.index:
            continue
        record = table.loc[key]
        rows.append({"item": item, "kind": kind, "cited_in": section,
                     "source_file": _file_name(record.get("source_file")), "source_row": _plain(record.get("source_row")),
                     "first_seen": _plain(record.get("first_seen")), "last_seen": _plain(record.get("last_seen")),
                     "url": _plain(record.get("url")), "sha256": _plain(record.get("sha256"))})
    return pd.DataFrame(rows, columns=ANNEX_COLUMNS)


def _file_name(path: Any) -> str:
    return "" if path is None or path != path else str(path).replace("\\", "/").split("/")[-1]


def _plain(value: Any) -> Any:
    if is_missing(value):
        return None
    return value.item() if hasattr(value, "item") else value
