"""JSON Lines export: one object per node (``id, labels, properties``) and per relationship
(``type, start, end, properties``), nodes first, each sorted, so two stores holding the same
graph export the same lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from graphbench.schema import NODE_TYPES, REL_TYPES
from graphbench.store.base import GraphStore


def plain(value: Any) -> Any:
    """A JSON-ready Python value from what pandas, numpy or the Neo4j driver returned."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def table_records(table: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Rows of a store table as dicts without missing values."""
    columns = list(table.columns)
    for values in table.itertuples(index=False, name=None):
        record: dict[str, Any] = {}
        for column, value in zip(columns, values, strict=True):
            value = plain(value)
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                continue
            record[column] = value
        yield record


def generate_jsonl(store: GraphStore) -> Iterator[str]:
    for label in NODE_TYPES:
        table = store.nodes(label)
        for record in sorted(table_records(table), key=lambda r: r["id"]):
            node = record.pop("id")
            yield json.dumps({"id": node, "labels": [label], "properties": record},
                             sort_keys=True, ensure_ascii=False)
    for rel_type in REL_TYPES:
        table = store.relationships(rel_type)
        lines = []
        for record in table_records(table):
            start, end = record.pop("start"), record.pop("end")
            lines.append(json.dumps({"type": rel_type, "start": start, "end": end, "properties": record},
                                    sort_keys=True, ensure_ascii=False))
        yield from sorted(lines)
