"""What a row parser needs besides the row: where it came from, the species matcher, and where
an optional field that fails is set aside (a warning: the row still loads without it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphbench.batch import provenance


@dataclass(frozen=True)
class FieldWarning:
    """An optional field set aside: the row loaded without it (or with its raw form kept)."""

    field: str
    reason: str
    value: str


@dataclass
class RowContext:
    source_file: str
    row_number: int
    sha256: str
    matcher: Any = None  # graphbench.matching index, for listings
    species_props: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → Species properties
    warnings: list[FieldWarning] = field(default_factory=list)

    def provenance(self, seen: str | None) -> dict[str, Any]:
        return provenance(self.source_file, self.row_number, self.sha256, seen)

    def warn(self, field_name: str, reason: str, value: object) -> None:
        self.warnings.append(FieldWarning(field_name, reason, "" if value is None else str(value)[:2000]))


def scratch_context() -> RowContext:
    """A context for reading a row outside a load (its warnings go nowhere)."""
    return RowContext("", 0, "")
