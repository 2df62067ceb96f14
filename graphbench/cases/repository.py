"""Cases kept in the records beside a store: create, read, list and search, and each change an analyst
makes (pin, note, view, status, assignee), stamped with who and when."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from graphbench.cases.model import Case, Note, check_status
from graphbench.errors import GraphbenchError
from graphbench.records import RecordStore

KIND = "case"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class CaseRepository:
    def __init__(self, records: RecordStore) -> None:
        self.records = records

    def create(self, name: str, by: str, assignee: str | None = None) -> Case:
        name = " ".join(name.split())
        if not name:
            raise GraphbenchError("a case needs a name")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "case"
        case = Case(f"{slug}-{uuid.uuid4().hex[:8]}", name, assignee=assignee or None, created_by=by,
                    created_at=_now(), updated_by=by, updated_at=_now())
        self.records.put(KIND, case.case_id, case.to_doc())
        return case

    def get(self, case_id: str) -> Case:
        doc = self.records.get(KIND, case_id)
        if doc is None:
            raise GraphbenchError(f"there is no case {case_id!r}")
        return Case.from_doc(doc)

    def search(self, text: str = "", status: str | None = None) -> list[Case]:
        """Cases matching ``text`` (and ``status``), most recently changed first, then by id."""
        cases = [Case.from_doc(d) for d in self.records.all(KIND)]
        chosen = [c for c in cases if c.matches(text) and (status is None or c.status == status)]
        return sorted(chosen, key=lambda c: (c.updated_at, c.case_id), reverse=True)

    def _change(self, case_id: str, by: str, edit: Callable[[Case], None]) -> Case:
        case = self.get(case_id)
        edit(case)
        case.updated_by, case.updated_at = by, _now()
        self.records.put(KIND, case.case_id, case.to_doc())
        return case

    def pin(self, case_id: str, node_ids: list[str], by: str) -> Case:
        return self._change(case_id, by, lambda c: c.pins.extend(n for n in dict.fromkeys(node_ids)
                                                                  if n not in c.pins))

    def unpin(self, case_id: str, node_id: str, by: str) -> Case:
        return self._change(case_id, by, lambda c: c.pins.remove(node_id) if node_id in c.pins else None)

    def note(self, case_id: str, target: str, text: str, by: str) -> Case:
        if not text.strip():
            raise GraphbenchError("a note needs some text")
        return self._change(case_id, by, lambda c: c.notes.append(Note(target, text.strip(), by, _now())))

    def save_view(self, case_id: str, view: dict[str, Any], by: str) -> Case:
        def edit(case: Case) -> None:
            case.view = dict(view)
        return self._change(case_id, by, edit)

    def set_status(self, case_id: str, status: str, by: str) -> Case:
        status = check_status(status)

        def edit(case: Case) -> None:
            case.status = status
        return self._change(case_id, by, edit)

    def assign(self, case_id: str, assignee: str | None, by: str) -> Case:
        def edit(case: Case) -> None:
            case.assignee = (assignee or "").strip() or None
        return self._change(case_id, by, edit)

    def delete(self, case_id: str) -> bool:
        return self.records.delete(KIND, case_id)
