"""Traces read from a store hop by hop: only the transfers within reach, never the whole table.

The walk itself is the pure :func:`graphbench.analytics.trace.trace`; this module decides what to read
(level by level, in the walk's order, inside the time window) so that its answer is the whole-table
trace's. On Neo4j this is what ``graphbench trace`` and the Money page run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from graphbench.analytics.epoch import to_epoch_seconds
from graphbench.analytics.fx import FxRates
from graphbench.analytics.trace import (
    Direction,
    TraceResult,
    channels_of,
    to_iso,
    trace_with_visits,
)
from graphbench.schema import TRANSFER_FIELDS
from graphbench.store.base import GraphStore

READ_CHUNK = 1_000  # channels per read when a big level is read in the walk's order


def trace_store(store: GraphStore, start_ids: Sequence[str] | str, direction: Direction = "out", hops: int = 3,
                since: str | None = None, until: str | None = None, amount_tolerance: float | None = None,
                max_transfers: int = 10_000, max_read: int = 200_000, *, base_currency: str = "USD",
                rates: FxRates | None = None) -> TraceResult:
    """:func:`trace` on the transfers within reach, read from the store hop by hop, never the whole table.

    Level k reads the transfers of the channels first met at level k, inside the time window, for
    hops + 1 levels (the last one tells whether the money goes on past the hop limit), so the result is
    the full-table trace's; an account start is resolved to its channels through its own USES
    relationships. At most ``max_read`` transfers are read; past that the result is marked ``truncated``.
    Reading stops early once the walk over what is in hand already reaches ``max_transfers``.
    """
    asked = [start_ids] if isinstance(start_ids, str) else list(start_ids)
    uses = pd.DataFrame([(account, channel) for account in asked if account.startswith("Account:")
                         for channel in _channels_used(store, account)], columns=["start", "end"])
    channels = channels_of(asked, uses)
    seen = set(channels)
    # the window as the stored stamps spell it, so the store can leave out what the walk never takes
    lo, hi = (to_iso(int(to_epoch_seconds([when])[0])) if when else None for when in (since, until))
    frontier, read, cut = channels, 0, False
    parts: list[pd.DataFrame] = []
    fetched: set[str] = set()  # channels whose transfers (in the window) are in hand

    def walk(to_hop: int) -> tuple[TraceResult, list[str]]:
        return trace_with_visits(_joined(parts), asked, direction, to_hop, since, until, amount_tolerance, max_transfers,
                                 uses, base_currency=base_currency, rates=rates)

    for level in range(hops + 1):
        if not frontier:
            break
        # past the hop limit only "does the money go on?" is asked: each channel's last (first) transfer
        # answers it without a tolerance; with one, amounts matter and every transfer is read
        last_only = level == hops and amount_tolerance is None
        chunks = [frontier]
        if 0 < level < hops and len(frontier) > READ_CHUNK:
            # a big level is read in the order the walk will expand it, in growing chunks: a trail cut at
            # max_transfers often needs only its first channels (backwards from a hub, 10k of 90k transfers)
            visits = walk(level + 1)[1]
            order = list(dict.fromkeys([*(c for c in visits if c not in fetched), *frontier]))
            chunks, size = [], READ_CHUNK
            while order:
                chunks.append(order[:size])
                order, size = order[size:], size * 2
        level_parts = []
        for chunk in chunks:
            part = store.transfers_of(chunk, direction, limit=max_read - read + 1, since=lo, until=hi,
                                      last_only=last_only)
            read += len(part)
            if read > max_read:
                cut = True
                part = part.head(len(part) - (read - max_read))
            parts.append(part)
            level_parts.append(part)
            fetched.update(chunk)
            if cut:
                break
            if level < hops and read >= max_transfers:
                # the walk stops at max_transfers: once it does having met only channels in hand, those
                # still unread cannot change the trail
                partial, visits = walk(level + 1)
                if partial.truncated and fetched.issuperset(visits):
                    return partial
        if cut:
            break
        onward = pd.concat([part["end" if direction == "out" else "start"] for part in level_parts])
        frontier = [c for c in dict.fromkeys(onward.tolist()) if c not in seen]
        seen.update(frontier)
    result = walk(hops)[0]
    return replace(result, truncated=True) if cut else result


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(TRANSFER_FIELDS))


def _channels_used(store: GraphStore, account: str) -> list[str]:
    around = store.neighbourhood(account, hops=1, limit=10_000, rel_types=["USES"])
    return sorted(n for n in around if n != account and str(n).startswith("PaymentChannel:"))
