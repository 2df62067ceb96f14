"""One writer at a time: an exclusive lock on a file in the workspace, held for a whole unit of work.

Two loads into one ``file:`` workspace each read the tables, merge their rows in memory and write the
tables back; started together, the second write replaced the first's (accounts lost, relationships left
pointing at nodes that were never written). So a writer takes ``<workspace>/.graphbench-writer.lock``
(``flock``, exclusive) before its first write and keeps it until its work is committed. The kernel drops
the lock when the process ends, however it ends, so a crashed load never blocks the next. A second
writer says it waits, naming the holder's pid, and waits up to ``GRAPHBENCH_LOCK_TIMEOUT`` seconds
(default 900: a load of a million transfers takes minutes), then stops with one sentence.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from graphbench.errors import StoreBusy

LOCK_FILE = ".graphbench-writer.lock"
DEFAULT_TIMEOUT = 900.0
POLL_SECONDS = 0.2


def lock_timeout() -> float:
    """Seconds a writer waits for another; ``GRAPHBENCH_LOCK_TIMEOUT`` overrides (0: do not wait)."""
    try:
        return max(0.0, float(os.environ.get("GRAPHBENCH_LOCK_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def tell(message: str) -> None:
    """Where a waiting writer says so: stderr, so ``--json`` output on stdout stays one document."""
    print(message, file=sys.stderr, flush=True)


class WriterLock:
    """A re-entrant exclusive lock on ``folder/LOCK_FILE`` for this process."""

    def __init__(self, folder: Path, notify: Callable[[str], None] = tell) -> None:
        self.folder = folder
        self.path = folder / LOCK_FILE
        self.notify = notify
        self._fd: int | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float | None = None) -> bool:
        """Take the lock (waiting for another holder); True if this call took it, False if it was held."""
        if self._fd is not None:
            self._depth += 1
            return False
        import fcntl

        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        limit = lock_timeout() if timeout is None else timeout
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                waited = time.monotonic() - started
                if waited >= limit:
                    os.close(fd)
                    raise StoreBusy(f"another load into {self.folder} (pid {holder}) still holds the store after "
                                    f"{waited:.0f} s; try again when it ends, or wait longer with "
                                    "GRAPHBENCH_LOCK_TIMEOUT=SECONDS") from None
                if not told:
                    self.notify(f"waiting for the other load into {self.folder} (pid {holder})…")
                    told = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd, self._depth = fd, 1
        return True

    def release(self) -> None:
        """Undo one ``acquire``; the last one unlocks."""
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        import fcntl

        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def release_all(self) -> None:
        if self._fd is not None:
            self._depth = 1
            self.release()


def _holder(fd: int) -> str:
    """The pid the holder wrote into the lock file, or "unknown" while it has not yet."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"
