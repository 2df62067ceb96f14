"""What a detector returns: a ``Pattern`` (explained, ranked) and a ``PatternList`` that says
whether the search was complete.

A ``Pattern`` names channel node ids (``members``), the accounts that use them (when the caller
gives the USES map), its transfers, its base-currency amount and its amounts per original
currency, first/last time, a 0..1 ``score`` for ranking across kinds and a one-line ``reason``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from graphbench.analytics.trace import TransferIndex, to_iso

DAY = 86_400


@dataclass
class Pattern:
    kind: str
    members: list[str]  # channel ids; the centre (collector, distributor, source) first where there is one
    tx_ids: list[str]  # in time order
    amount: float  # total of the pattern's transfers, in the index's base currency
    first_ts: str | None
    last_ts: str | None
    score: float  # 0..1, strength, for ranking across kinds (see each detector)
    center: str | None = None
    reason: str = ""
    accounts: list[str] = field(default_factory=list)  # accounts using the members (USES), if given
    amount_by_currency: dict[str, float] = field(default_factory=dict)  # original currency → total
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "members": self.members, "tx_ids": self.tx_ids, "amount": self.amount,
                "first_ts": self.first_ts, "last_ts": self.last_ts, "score": self.score,
                "center": self.center, "reason": self.reason, "accounts": self.accounts,
                "amount_by_currency": self.amount_by_currency, "transfers": len(self.tx_ids)}


class PatternList(list):
    """A list of patterns that also says whether every search ran to the end.

    ``complete`` is False when a work budget stopped a search early; ``notes`` say which and why.
    It is a plain list otherwise, so callers that iterate or compare with ``[]`` are unaffected.
    """

    def __init__(self, items: Iterable[Pattern] = (), complete: bool = True,
                 notes: list[str] | None = None, work: dict[str, int] | None = None) -> None:
        super().__init__(items)
        self.complete = complete
        self.notes = list(notes or [])
        self.work = dict(work or {})  # units of work each bounded search spent (cycle: hops examined)


def base_currency(index: TransferIndex) -> str:
    """The unit of ``index.amount``: the base currency when the index converted amounts, else the one
    currency of the table, else "(unconverted)"."""
    declared = getattr(getattr(index, "fx", None), "base", None)
    if declared:
        return str(declared)
    held = _UNITS.get(id(index))
    if held is not None and held[0]() is index:
        return held[1]
    values = {str(c) for c in pd.unique(index.currency) if c is not None and c == c}
    unit = values.pop() if len(values) == 1 else "(unconverted)"
    _UNITS[id(index)] = (weakref.ref(index), unit)
    return unit


_UNITS: dict[int, tuple[weakref.ref, str]] = {}  # per index, looked up once (a table may be 1M rows)
_MEMO: dict[int, tuple[weakref.ref, dict]] = {}


def memo(index: TransferIndex, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per index and key (several detectors share degrees, hops, bursts and
    blocks). What is held goes with the index (a 1M-transfer index holds arrays of that size)."""
    held = _MEMO.get(id(index))
    if held is None or held[0]() is not index:
        for stale in [k for k, (ref, _) in _MEMO.items() if ref() is None]:
            del _MEMO[stale]
        held = (weakref.ref(index), {})
        _MEMO[id(index)] = held
        weakref.finalize(index, _forget, id(index), held[0])
    if key not in held[1]:
        held[1][key] = compute()
    return held[1][key]


def _forget(key: int, ref: weakref.ref) -> None:
    held = _MEMO.get(key)
    if held is not None and held[0] is ref:
        del _MEMO[key]


def unique_ints(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for an integer array, by one sort: numpy 2's hashing unique is about
    100x slower on a million keys spread over a wide range (pair and window keys)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def distinct_degrees(index: TransferIndex) -> tuple[np.ndarray, np.ndarray]:
    """(distinct payees, distinct payers) per node code."""
    def compute() -> tuple[np.ndarray, np.ndarray]:
        n = len(index.nodes)
        pairs = unique_ints(index.src * n + index.dst)
        return np.bincount(pairs // n, minlength=n), np.bincount(pairs % n, minlength=n)
    return memo(index, ("degrees",), compute)


def channel_life(index: TransferIndex) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) time each node code sends or receives (int64 max / min if never), read off the
    ends of its time-sorted slices: the same as ``np.minimum.at`` / ``np.maximum.at`` over both ends
    of every transfer, without a pass over the transfers."""
    def compute() -> tuple[np.ndarray, np.ndarray]:
        first = np.full(len(index.nodes), np.iinfo(np.int64).max, dtype=np.int64)
        last = np.full(len(index.nodes), np.iinfo(np.int64).min, dtype=np.int64)
        for ptr, ts in ((index.out_ptr, index.out_ts), (index.in_ptr, index.in_ts)):
            has = np.flatnonzero(np.diff(ptr) > 0)
            first[has] = np.minimum(first[has], ts[ptr[has]])
            last[has] = np.maximum(last[has], ts[ptr[has + 1] - 1])
        return first, last
    return memo(index, ("life",), compute)


def money(index: TransferIndex, amount: float) -> str:
    return f"{amount:,.0f} {base_currency(index)}"


def span_days(index: TransferIndex, pos: np.ndarray) -> float:
    return float(index.ts[pos].max() - index.ts[pos].min()) / DAY if len(pos) else 0.0


def make_pattern(index: TransferIndex, kind: str, positions: Iterable[int], score: float, reason: str,
                 center: int | None = None, members: Iterable[int] | None = None) -> Pattern:
    pos = np.unique(np.fromiter(positions, dtype=np.int64))  # canonical positions are in time order
    codes = list(members) if members is not None else list(np.concatenate([index.src[pos], index.dst[pos]]))
    rest = sorted({int(c) for c in codes} - ({int(center)} if center is not None else set()))
    ordered = ([int(center)] if center is not None else []) + rest
    by_currency: dict[str, float] = {}
    original = getattr(index, "amount_orig", None)
    values = original if original is not None else index.amount
    for cur, amt in zip(index.currency[pos], values[pos], strict=True):
        key = str(cur) if cur is not None and cur == cur else "?"
        by_currency[key] = by_currency.get(key, 0.0) + float(amt)
    return Pattern(kind=kind, members=[str(index.nodes[c]) for c in ordered],
                   tx_ids=[str(t) for t in index.tx_id[pos]],
                   amount=round(float(np.nansum(index.amount[pos])), 2),
                   first_ts=to_iso(index.ts[pos[0]]), last_ts=to_iso(index.ts[pos[-1]]),
                   score=round(float(min(max(score, 0.0), 1.0)), 3),
                   center=None if center is None else str(index.nodes[center]), reason=reason,
                   amount_by_currency={k: round(v, 2) for k, v in sorted(by_currency.items())},
                   positions=pos)
