"""After each load: raise the alerts the new data calls for, and send each new one to the webhook.

Costs nothing when no watchlist and no takedown exist (the common case, and every benchmark): the
records are asked first and the graph is read only when there is something to look for."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from graphbench.alerts.detect import reappearances, takedown_snapshot, watchlist_matches
from graphbench.alerts.graph_view import GraphView
from graphbench.alerts.queue import AlertQueue
from graphbench.alerts.watchlists import WatchlistRepository
from graphbench.records import records_for
from graphbench.store.base import GraphStore


@dataclass
class ScanResult:
    raised: list[dict[str, Any]] = field(default_factory=list)
    webhook_failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"raised": [a["alert_id"] for a in self.raised], "webhook_failures": self.webhook_failures}


def scan(store: GraphStore) -> ScanResult:
    from graphbench import audit

    records = records_for(store)
    watchlists = WatchlistRepository(records).all()
    queue = AlertQueue(records)
    takedowns = queue.takedowns()
    result = ScanResult()
    if not watchlists and not takedowns:
        return result
    wants_text = any(w.kind == "term" for w in watchlists)  # titles and texts are read only for words
    view = GraphView.read(store, with_text=wants_text)
    result.raised = queue.raise_new(watchlist_matches(view, watchlists) + reappearances(view, takedowns))
    url = os.environ.get("GRAPHBENCH_ALERT_WEBHOOK")
    for alert in result.raised:
        audit.record("alert", store.url, {"alert_id": alert["alert_id"], "kind": alert["kind"],
                                          "title": alert["title"]})
        if url and not result.webhook_failures:  # after one failure the rest wait: a dead receiver must not
            failure = _post(url, alert)          # hold a load for a timeout per alert
            if failure:
                result.webhook_failures.append(failure)
                audit.record("alert_webhook", store.url, {"alert_id": alert["alert_id"], "failed": failure})
        elif url:
            audit.record("alert_webhook", store.url, {"alert_id": alert["alert_id"], "failed": "not sent: the "
                                                      "webhook failed earlier in this scan"})
    return result


def _post(url: str, alert: dict[str, Any]) -> str | None:
    from graphbench.alerts.webhook import post

    return post(url, alert)


def record_takedown(store: GraphStore, listing: str, by: str, note: str = "") -> dict[str, Any]:
    """Register that ``listing`` was reported for takedown, with its evidence as it stands now."""
    from graphbench.errors import GraphbenchError

    if store.node(listing) is None:
        raise GraphbenchError(f"there is no listing {listing!r} in this store")
    return AlertQueue(records_for(store)).record_takedown(takedown_snapshot(GraphView.read(store), listing), by, note)


def after_load(store: GraphStore) -> ScanResult:
    """The load path's one call (loaders/load.py)."""
    return scan(store)
