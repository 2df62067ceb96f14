"""One case as one report: the cyber-alert report (graphbench.report) scoped to the case's pinned
accounts, with a "Case" section after the summary holding its status, assignee, pins and every note.

A case with no pinned account is reported over the whole store (the scope says so)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from graphbench.cases.model import STATUS_LABELS, Case

if TYPE_CHECKING:
    from graphbench.analysis import Analysis
    from graphbench.report import Report
    from graphbench.store.base import GraphStore


def case_report(source: GraphStore | Analysis, case: Case, marking: str = "TLP:AMBER") -> Report:
    from graphbench.report import ReportScope, Section, build_report

    accounts = [p for p in case.pins if p.startswith("Account:")]
    report = build_report(source, ReportScope(accounts=accounts or None, title=f"Case: {case.name}",
                                              marking=marking))
    notes = pd.DataFrame([{"on": n.about, "note": n.text, "by": n.author, "at": n.ts} for n in case.notes],
                         columns=["on", "note", "by", "at"])
    pins = pd.DataFrame({"pinned": case.pins}, columns=["pinned"])
    text = (f"Case {case.case_id}: status {STATUS_LABELS[case.status]}, assigned to "
            f"{case.assignee or 'nobody'}; opened by {case.created_by or 'unknown'} on {case.created_at}, "
            f"last changed by {case.updated_by or 'unknown'} on {case.updated_at}. "
            f"{len(case.pins)} pinned entities, {len(case.notes)} notes.")
    report.sections.insert(1, Section("Case", text, tables=[("Notes", notes), ("Pinned entities", pins)]))
    report.facts.update({"case_id": case.case_id, "case_status": case.status, "case_notes": len(case.notes)})
    return report


def run_case_report(source: GraphStore | Analysis, case: Case, fmt: str) -> tuple[dict[str, Any], bytes]:
    from graphbench.report import render

    report = case_report(source, case)
    data = render(report, fmt)
    return {"format": fmt, "bytes": len(data), "case_id": case.case_id,
            "sections": [s.title for s in report.sections]}, data
