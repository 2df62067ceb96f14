"""The alert queue and the takedown register, kept beside the graph (graphbench.records).

An alert is raised once: its id is a hash of its key (watchlist, term, entity; or taken-down listing and
new listing), and :meth:`RecordStore.put_new` creates it atomically, so rescans and concurrent loads never
raise it twice. Analysts then move it through :data:`STATUSES` and assign it."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from graphbench.alerts.detect import AlertDraft
from graphbench.errors import GraphbenchError
from graphbench.records import RecordStore

STATUSES = ("new", "in_progress", "referred", "dismissed", "closed")
ALERT, TAKEDOWN = "alert", "takedown"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert_id(key: str) -> str:
    return "A-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class AlertQueue:
    def __init__(self, records: RecordStore) -> None:
        self.records = records

    def raise_new(self, drafts: list[AlertDraft]) -> list[dict[str, Any]]:
        """The drafts not raised before, now stored as alerts with status ``new``."""
        raised = []
        for draft in drafts:
            doc = {"alert_id": alert_id(draft.key), **asdict(draft), "status": "new", "assignee": None,
                   "raised_at": _now(), "history": []}
            if self.records.put_new(ALERT, doc["alert_id"], doc):
                raised.append(doc)
        return raised

    def alerts(self, status: str | None = None) -> list[dict[str, Any]]:
        """Alerts, newest first (reappearances before watchlist matches of the same scan, then by id),
        optionally of one status."""
        alerts = [a for a in self.records.all(ALERT) if status is None or a["status"] == status]
        return sorted(alerts, key=lambda a: (a["raised_at"], a["kind"] == "reappearance", a["alert_id"]),
                      reverse=True)

    def get(self, alert: str) -> dict[str, Any]:
        doc = self.records.get(ALERT, alert)
        if doc is None:
            raise GraphbenchError(f"there is no alert {alert!r}")
        return doc

    def update(self, alert: str, by: str, status: str | None = None, assignee: str | None = None) -> dict[str, Any]:
        doc = self.get(alert)
        if status is not None:
            if status not in STATUSES:
                raise GraphbenchError(f"unknown alert status {status!r}: use one of {', '.join(STATUSES)}")
            doc["status"] = status
        if assignee is not None:
            doc["assignee"] = assignee.strip() or None
        doc["history"].append({"by": by, "at": _now(), "status": doc["status"], "assignee": doc["assignee"]})
        self.records.put(ALERT, alert, doc)
        return doc

    def delete(self, alert: str) -> bool:
        return self.records.delete(ALERT, alert)

    # -- takedowns -----------------------------------------------------------------------------

    def record_takedown(self, snapshot: dict[str, Any], by: str, note: str = "") -> dict[str, Any]:
        doc = {**snapshot, "by": by, "at": _now(), "note": note}
        self.records.put(TAKEDOWN, snapshot["listing"], doc)
        return doc

    def takedowns(self) -> list[dict[str, Any]]:
        return self.records.all(TAKEDOWN)
