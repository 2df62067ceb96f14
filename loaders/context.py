"""What a row parser needs besides the row: where it came from, and the species matcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphbench.batch import provenance


@dataclass
class RowContext:
    source_file: str
    row_number: int
    sha256: str
    matcher: Any = None  # graphbench.matching index, for listings
    species_props: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → Species properties

    def provenance(self, seen: str | None) -> dict[str, Any]:
        return provenance(self.source_file, self.row_number, self.sha256, seen)
