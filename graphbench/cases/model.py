"""What a case is: plain data, JSON in and out, no store.

The canvas ``view`` is whatever dict the canvas component gives (node ids, positions, filters, zoom …): it
is kept verbatim, so a case reopens exactly as it was left, whatever the canvas adds later. Pins and notes
are kept apart from it, so a canvas change never loses an analyst's annotations.

A note's ``target`` is a node id (``Account:instagram:reptile.house``), a relationship written by
:func:`rel_target` (``TYPE|start|end``), or ``""`` for the case as a whole.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from graphbench.errors import GraphbenchError

STATUSES = ("open", "in_progress", "referred", "closed")
STATUS_LABELS = {"open": "open", "in_progress": "in progress", "referred": "referred", "closed": "closed"}


@dataclass(frozen=True)
class Note:
    target: str
    text: str
    author: str
    ts: str

    @property
    def about(self) -> str:
        """What the note is on, for a reader: the case, a node id, or ``start -TYPE-> end``."""
        if not self.target:
            return "the case"
        if self.target.count("|") == 2:
            rel_type, start, end = self.target.split("|")
            return f"{start} -{rel_type}-> {end}"
        return self.target


@dataclass
class Case:
    case_id: str
    name: str
    status: str = "open"
    assignee: str | None = None
    pins: list[str] = field(default_factory=list)
    view: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    created_by: str = ""
    created_at: str = ""
    updated_by: str = ""
    updated_at: str = ""

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Case:
        fields = {k: v for k, v in doc.items() if k in cls.__dataclass_fields__}
        fields["notes"] = [Note(**n) for n in doc.get("notes", [])]
        return cls(**fields)

    def matches(self, text: str) -> bool:
        """Case-insensitive search over name, id, assignee, status, pins and note text."""
        needle = text.strip().lower()
        haystack = [self.name, self.case_id, self.assignee or "", STATUS_LABELS[self.status], *self.pins,
                    *(n.text for n in self.notes), *(n.target for n in self.notes)]
        return not needle or any(needle in h.lower() for h in haystack)


def check_status(status: str) -> str:
    status = status.strip().lower().replace(" ", "_")
    if status not in STATUSES:
        raise GraphbenchError(f"unknown case status {status!r}: use one of {', '.join(STATUSES)}")
    return status


def rel_target(rel_type: str, start: str, end: str) -> str:
    if "|" in rel_type + start + end:
        raise GraphbenchError("a relationship note needs a type, start and end without '|'")
    return f"{rel_type}|{start}|{end}"


def case_target() -> str:
    return ""
