"""One writer at a time on a Neo4j server: a lease node that a load holds from start to end.

Two loads into one empty database raced: each saw a label empty and CREATEd its nodes, and one died with
a ``ConstraintError``; two resolutions each deleted and rewrote the derived links. A lock file cannot
serve here (the loads may run on two machines), so the lock lives in the database: one
``GraphbenchWriter`` node (not a schema label: no export, stats or search sees it) records who holds it
and until when. The holder renews it every third of ``LEASE_SECONDS``; a holder that dies stops renewing
and its lease lapses, so a crashed load blocks the next for at most ``LEASE_SECONDS``. A second writer
says it waits and for whom, and stops with one sentence after ``GRAPHBENCH_LOCK_TIMEOUT`` seconds.

A holder that died on *this* machine need not be waited for: the lease records the holder's host name
and kernel boot id, and when both are this machine's and its pid no longer runs, the lease is taken at
once (a killed load, or one whose server went away before it could give the lease back, no longer
blocks the rerun for a minute). Assumption: host name plus boot id names one pid namespace; two
containers that share a kernel *and* a host name while writing into one server would defeat it, so
a pid that runs, a foreign host or a missing boot id always means waiting for the lapse.
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
         "SET l.holder = $me, l.pid = $pid, l.host = $host, l.boot = $boot, l.expires = timestamp() + $ms "
         "RETURN l.holder AS holder")
_WHO = (f"MATCH (l:{LEASE_LABEL} {{id: 'writer'}}) "
        "RETURN l.holder AS holder, l.pid AS pid, l.host AS host, l.boot AS boot")
# lapses a dead holder's lease, only if that same holder still has it (never a new one's)
_LAPSE = f"MATCH (l:{LEASE_LABEL} {{id: 'writer'}}) WHERE l.holder = $holder SET l.expires = 0"
_GIVE_BACK = f"MATCH (l:{LEASE_LABEL} {{id: 'writer'}}) WHERE l.holder = $me SET l.holder = null, l.expires = 0"

Runner = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


class WriterLease:
    """A re-entrant lease on the server's one writer for this store object."""

    def __init__(self, run: Runner, url: str, notify: Callable[[str], None] = tell,
                 once: Runner | None = None) -> None:
        self.run = run
        # renewals and the give-back: one attempt each, no driver retries (a renewal stuck in 30 s of
        # retries against a stopped server kept a failed load from ending for that long)
        self.once = once or run
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
            rows = self.run(_WHO, {})  # one read per poll serves both questions
            if self._lapse_dead_local_holder(rows):
                continue
            holder = _described(rows)
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
            self.once(_GIVE_BACK, {"me": self.me})
        except (DriverError, Neo4jError, OSError, GraphbenchError):
            # the server went away (often the very error being raised): the lease lapses by itself
            # within LEASE_SECONDS, and this must not replace that error's one sentence with a traceback
            pass

    def _take(self, runner: Runner | None = None) -> bool:
        from neo4j.exceptions import ConstraintError

        try:
            rows = (runner or self.run)(_TAKE, {"me": self.me, "pid": os.getpid(), "host": socket.gethostname(),
                                    "boot": boot_id(), "ms": LEASE_SECONDS * 1000})
        except ConstraintError:  # two first writers MERGEd the lease node at once: ask again
            return False
        return bool(rows) and rows[0]["holder"] == self.me

    def _lapse_dead_local_holder(self, rows: list[dict[str, Any]]) -> bool:
        """True when the holder (``rows``: what _WHO read) was a process of this machine that no longer runs
        (its lease now lapsed)."""
        if not rows:
            return False
        holder = rows[0]
        if not (holder["boot"] and holder["boot"] == boot_id() and holder["host"] == socket.gethostname()
                and isinstance(holder["pid"], int) and not pid_runs(holder["pid"])):
            return False
        self.run(_LAPSE, {"holder": holder["holder"]})
        return True

    def _renew(self, stop: threading.Event) -> None:
        while not stop.wait(LEASE_SECONDS / 3):
            try:
                self._take(self.once)
            except Exception:  # noqa: BLE001 - a missed renewal is retried; the writes report a lost server
                continue


def _described(rows: list[dict[str, Any]]) -> str:
    if not rows or rows[0]["pid"] is None:
        return "pid unknown"
    return f"pid {rows[0]['pid']} on {rows[0]['host']}"


def boot_id() -> str | None:
    """This kernel's boot id (Linux), or None where there is none: then no holder is ever taken as dead."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def pid_runs(pid: int) -> bool:
    """Whether a process with this pid runs on this machine (one we may not signal still runs)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
