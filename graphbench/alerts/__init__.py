"""Watchlists, takedowns and the alert queue (issue 17.5): after each load, new watchlist matches and
listings that reappear after a takedown become alerts (graphbench.alerts.detect), kept beside the graph."""

from graphbench.alerts.queue import STATUSES, AlertQueue
from graphbench.alerts.scan import ScanResult, after_load, record_takedown, scan
from graphbench.alerts.watchlists import KINDS, Watchlist, WatchlistRepository

__all__ = ["KINDS", "STATUSES", "AlertQueue", "ScanResult", "Watchlist", "WatchlistRepository", "after_load",
           "record_takedown", "scan"]
