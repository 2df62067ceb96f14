"""One writer at a time on a Neo4j server: a lease node that a load holds from start to end.

Two loads into one empty database raced: each saw a label empty and CREATEd its nodes, and one died with
a ``ConstraintError``; two resolutions each deleted and rewrote the derived links. A lock file cannot
serve here (the loads may run on two machines), so the lock lives in the database: one
``GraphbenchWriter`` node (not a schema label: no export, stats or search sees it) records who holds it
and until when. The holder renews it every third of ``LEASE_SECONDS``; a holder that dies stops renewing
and its lease lapses, so a crashed load blocks the next for at most ``LEASE_SECONDS``. A second writer
says it waits and for whom, and stops with one sentence after ``GRAPHBENCH_LOCK_TIMEOUT`` seconds.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from graphbench.errors import GraphbenchError, StoreBusy
from graphbench.store.writer_lock import POLL_SECONDS, lock_timeout, tell

LEASE_LABEL = "GraphbenchWriter"
LEASE_SECONDS = 60

_TAKE = (f"MERGE (l:{LEASE_LABEL} {{id: 'writer'}}) WITH l "
         "WHERE l.holder IS NULL OR l.holder = $me OR l.expires < timestamp() "
         "SET l.holder = $me, l.pid = $pid, l.host = $host, l.expires = timestamp() + $ms "
         "RETURN l.holder AS holder")
_WHO = f"MATCH (l:{LEASE_LABEL} {{id: 'writer'}}) RETURN l.pid AS pid, l.host AS host"
_GIVE_BACK = f"MATCH (l:{LEASE_LABEL} {{id: 'writer'}}) WHERE l.holder = $me SET l.holder = null, l.expires = 0"

Runner = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


class WriterLease:
    """A re-entrant lease on the server's one writer for this store object."""

    def __init__(self, run: Runner, url: str, notify: Callable[[str], None] = tell) -> None:
        self.run = run
        self.url = url
        self.notify = notify
        self.me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._depth = 0
        self._stop: threading.Event | None = None
        self._renewer: threading.Thread | None = None

    def acquire(self, timeout: float | None = None) -> None:
        if self._depth:
            self._depth += 1
            return
        limit = lock_timeout() if timeout is None else timeout
        started, told = time.monotonic(), False
        while not self._take():
            holder = self._holder()
            waited = time.monotonic() - started
            if waited >= limit:
                raise StoreBusy(f"another load into {self.url} ({holder}) still holds the store after "
                                f"{waited:.0f} s; try again when it ends, or wait longer with "
                                "GRAPHBENCH_LOCK_TIMEOUT=SECONDS")
            if not told:
                self.notify(f"waiting for the other load into {self.url} ({holder})…")
                told = True
            time.sleep(POLL_SECONDS * 5)
        self._depth = 1
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, args=(self._stop,), daemon=True,
                                         name="graphbench-lease")
        self._renewer.start()

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth:
            return
        if self._stop is not None and self._renewer is not None:
            self._stop.set()
            self._renewer.join()
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            self.run(_GIVE_BACK, {"me": self.me})
        except (DriverError, Neo4jError, OSError, GraphbenchError):
            # the server went away (often the very error being raised): the lease lapses by itself
            # within LEASE_SECONDS, and this must not replace that error's one sentence with a traceback
            pass

    def _take(self) -> bool:
        from neo4j.exceptions import ConstraintError

        try:
            rows = self.run(_TAKE, {"me": self.me, "pid": os.getpid(), "host": socket.gethostname(),
                                    "ms": LEASE_SECONDS * 1000})
        except ConstraintError:  # two first writers MERGEd the lease node at once: ask again
            return False
        return bool(rows) and rows[0]["holder"] == self.me

    def _holder(self) -> str:
        rows = self.run(_WHO, {})
        if not rows or rows[0]["pid"] is None:
            return "pid unknown"
        return f"pid {rows[0]['pid']} on {rows[0]['host']}"

    def _renew(self, stop: threading.Event) -> None:
        while not stop.wait(LEASE_SECONDS / 3):
            try:
                self._take()
            except Exception:  # noqa: BLE001 - a missed renewal is retried; the writes report a lost server
                continue
