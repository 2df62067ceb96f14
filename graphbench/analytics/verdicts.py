"""An analyst's verdict on a derived link, read the same way everywhere.

Entity resolution writes ``SAME_AS`` links; an analyst may accept or reject one
(``graphbench same-as accept|reject``), stored as the link's ``status``. A rejected link is
kept (the evidence stays visible) but no analysis counts it: not the account graph, not the
risk indicators, not GDS. Status is compared without regard to case or surrounding spaces, and
a missing status counts as not rejected.
"""

from __future__ import annotations

import pandas as pd

REJECTED = "rejected"
ACCEPTED = "accepted"

# The same rule in Cypher, for queries that filter inside Neo4j; ``r`` is the SAME_AS relationship.
CYPHER_NOT_REJECTED = f"toLower(trim(coalesce(r.status, ''))) <> '{REJECTED}'"


def not_rejected(links: pd.DataFrame) -> pd.Series:
    """A boolean mask over ``links`` (a SAME_AS table): True where the link is not rejected."""
    if "status" not in links:
        return pd.Series(True, index=links.index)
    status = links["status"].astype("string").fillna("").str.strip().str.lower()
    return (status != REJECTED).astype(bool)
