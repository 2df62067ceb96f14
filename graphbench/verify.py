"""Evidence integrity: recompute the SHA-256 of every source row the store cites and compare."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphbench.schema import NODE_TYPES, REL_TYPES
from graphbench.store.base import GraphStore
from loaders.reader import read_rows


@dataclass
class VerifyReport:
    checked: int = 0
    matched: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def cited_rows(store: GraphStore) -> dict[str, dict[int, set[str]]]:
    """file → row → the SHA-256 values the store records for it."""
    cited: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    tables = [store.nodes(label, ["sources"]) for label in NODE_TYPES]
    tables += [store.relationships(rel_type, ["sources"]) for rel_type in REL_TYPES]
    for table in tables:
        for sources in table["sources"].dropna():
            for source in sources:
                parts = str(source).rsplit("#", 2)  # file#row#sha256 (a file name may hold '#')
                if len(parts) != 3 or not parts[1].isdigit():
                    continue  # derived facts (graphbench.resolve) cite no file row
                cited[parts[0]][int(parts[1])].add(parts[2])
    return cited


def verify_store(store: GraphStore) -> VerifyReport:
    report = VerifyReport()
    for file, rows in sorted(cited_rows(store).items()):
        path = Path(file)
        if not path.is_file():
            report.missing_files.append(file)
            continue
        found = {row.number: row.sha256 for row in read_rows(path) if row.number in rows}
        for number, expected in sorted(rows.items()):
            report.checked += 1
            actual = found.get(number)
            if actual is not None and actual in expected:
                report.matched += 1
            else:
                report.mismatches.append({"file": file, "row": number, "recorded": sorted(expected),
                                          "found": actual})
    return report
