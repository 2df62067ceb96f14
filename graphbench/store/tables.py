"""Reading the tables analytics work on: ``{label or relationship type: DataFrame}`` from a store."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from graphbench.schema import NODE_TYPES, PROVENANCE_PROPS, REL_TYPES
from graphbench.store.base import GraphStore

# What most analyses read: every relationship type and the node tables they describe.
ANALYSIS_TABLES: tuple[str, ...] = (*REL_TYPES, "Account", "Listing", "Species", "PaymentChannel", "Shipment",
                                    "Location", "Seizure")  # Seizure: risk matches seized tracking numbers


def read_tables(store: GraphStore, names: Iterable[str] = ANALYSIS_TABLES,
                provenance: bool = True) -> dict[str, pd.DataFrame]:
    """One table per name: node labels through ``store.nodes``, relationship types through
    ``store.relationships``. ``provenance=False`` leaves out the provenance columns (source file, row,
    hash, first/last seen, sources): analyses never read them, and on 1M transfers they are half the
    time and memory of the read. Evidence annexes and exports keep them."""
    exclude = () if provenance else PROVENANCE_PROPS
    tables: dict[str, pd.DataFrame] = {}
    for name in names:
        if name in NODE_TYPES:
            tables[name] = store.nodes(name, exclude=exclude)
        elif name in REL_TYPES:
            tables[name] = store.relationships(name, exclude=exclude)
        else:
            raise ValueError(f"{name!r} is neither a node label nor a relationship type")
    return tables
