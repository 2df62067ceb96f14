"""Cases: a named investigation — pinned entities, the canvas view, notes on entities and relationships, a
status and an assignee — kept beside the graph (graphbench.records) and exported as one report."""

from graphbench.cases.model import STATUSES, Case, Note, case_target, rel_target
from graphbench.cases.repository import CaseRepository

__all__ = ["STATUSES", "Case", "CaseRepository", "Note", "case_target", "rel_target"]
