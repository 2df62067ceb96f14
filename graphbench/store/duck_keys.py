"""Hashes of the keys a table holds, so that a batch none of whose keys is stored (nor repeated within it)
goes in without the join against the whole table that finding the keys to merge otherwise takes.

That join reads every stored key on every batch, so a load's cost grew with the store: against 1M stored
transfers it took 0.35 s a batch of 122,880, and it grows in proportion (a 20M-row file would have spent
most of its time there). Here a table's stored keys are read once per writer connection, as 64-bit hashes
(DuckDB's ``hash`` of the key columns), and kept in sorted runs; a batch's hashes are looked up in them,
and only a batch with a hash found (a key stored already, or a collision) or repeated takes the exact
path. A collision costs time, never a wrong merge.

Exact by construction: only :func:`graphbench.store.duck_merge.merge_into` adds rows, and it adds the batch's
hashes once they are written; any other change to a table (rows deleted, a property updated, a key
column's type widened) forgets that table, whose hashes are then read again. Memory: 8 bytes per stored key
of the tables written in this connection (160 MB for 20M transfers), and as much again while the two
largest runs merge.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class StoredKeys:
    """The key hashes of the tables one connection has written to (reset when the connection changes);
    ``table`` is always the quoted SQL name."""

    def __init__(self) -> None:
        self._con: Any = None
        self._runs: dict[str, list[np.ndarray]] = {}  # sorted runs; sizes shrink along the list

    def forget(self, table: str) -> None:
        self._runs.pop(table, None)

    def fresh(self, con: Any, table: str, source: str, key_sql: str) -> tuple[bool, np.ndarray]:
        """Whether no row of ``source`` has a key that ``table`` holds or that another row repeats (then a
        plain insert is the merge), and the rows' key hashes, sorted (for :meth:`add`)."""
        if self._con is not con:
            self._con, self._runs = con, {}
        hashes = np.sort(_hashes(con, source, key_sql))
        if len(hashes) > 1 and bool((hashes[1:] == hashes[:-1]).any()):
            return False, hashes
        runs = self._runs.get(table)
        if runs is None:
            runs = self._runs[table] = [np.sort(_hashes(con, table, key_sql))]
        for run in runs:
            if len(run) and len(hashes):
                at = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
                if bool((run[at] == hashes).any()):
                    return False, hashes
        return True, hashes

    def add(self, con: Any, table: str, hashes: np.ndarray) -> None:
        """The hashes of rows just written to ``table`` (sorted). Runs of like size merge, so there are
        about log2(rows / batch) runs to look in."""
        runs = self._runs.get(table)
        if con is not self._con or runs is None:  # not read yet: read whole when next needed
            return
        runs.append(hashes)
        while len(runs) > 1 and len(runs[-2]) <= 2 * len(runs[-1]):
            merged = np.concatenate([runs.pop(-2), runs.pop()])  # the two runs are freed before the sort
            merged.sort(kind="stable")  # in place (two sorted runs: a merge); np.sort would copy it once more
            runs.append(merged)


def _hashes(con: Any, source: str, key_sql: str) -> np.ndarray:
    """64-bit hashes of each row's key columns (``source`` is a quoted table or view name)."""
    found = con.execute(f"SELECT hash({key_sql}) AS h FROM {source}").fetchnumpy()["h"]
    return np.asarray(found, dtype=np.uint64)
