"""The small error hierarchy. Anything a user can cause ends as one of these, shown as one sentence."""

from __future__ import annotations


class GraphbenchError(Exception):
    """An error the user can fix; its message is one clear sentence."""


class StoreUnavailable(GraphbenchError):
    """The store cannot be opened: Neo4j unreachable, wrong password, unknown URL scheme."""


class StoreBusy(GraphbenchError):
    """Another process holds the store's one writer for longer than this one may wait."""


class MappingError(GraphbenchError):
    """A column-mapping file is invalid or names a column the export does not have."""


class QueryRefused(GraphbenchError):
    """A query was refused: it writes, or it names something outside the schema."""


class InvalidRow(GraphbenchError):
    """One input row failed validation; it goes to the rejects file with this reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
