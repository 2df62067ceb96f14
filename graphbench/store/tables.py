"""Reading the tables analytics work on: ``{label or relationship type: DataFrame}`` from a store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from graphbench.schema import NODE_TYPES, REL_TYPES

# What most analyses read: every relationship type and the node tables they describe.
ANALYSIS_TABLES: tuple[str, ...] = (*REL_TYPES, "Account", "Listing", "Species", "PaymentChannel", "Shipment",
                                    "Location")


def read_tables(store: Any, names: Iterable[str] = ANALYSIS_TABLES) -> dict[str, pd.DataFrame]:
    """One table per name: node labels through ``store.nodes``, relationship types through
    ``store.relationships``."""
    tables: dict[str, pd.DataFrame] = {}
    for name in names:
        if name in NODE_TYPES:
            tables[name] = store.nodes(name)
        elif name in REL_TYPES:
            tables[name] = store.relationships(name)
        else:
            raise ValueError(f"{name!r} is neither a node label nor a relationship type")
    return tables
