"""Money trails: follow transfers out of (or back into) payment channels, hop by hop, in time order.

The TRANSFERRED table is turned once into a ``TransferIndex``: integer node codes, transfers in
time order, and two CSR adjacencies (outgoing per source, incoming per target) whose slices are
time-sorted, so "the transfers leaving X at or after t" is one ``searchsorted`` on a slice. The
same index serves the pattern detectors (``graphbench.analytics.patterns``).

Time rule: money that arrived at X by a transfer at time t can only leave X by a transfer at
time >= t (for ``direction="in"``, mirrored: money that left X at t came in at <= t).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from graphbench.analytics.canonical import canonical_order, sorted_codes
from graphbench.analytics.epoch import to_epoch_seconds
from graphbench.analytics.fx import Converted, FxRates, to_base
from graphbench.analytics.transfer_columns import TextColumn, columns_from_batches
from graphbench.schema import TRANSFER_FIELDS

Direction = Literal["out", "in"]
TRANSFER_COLUMNS = ("hop", "tx_id", "from", "to", "amount", "amount_orig", "currency", "ts")


def factorize_ids(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, ids) with codes in order of first appearance, as ``pd.factorize``; Arrow's hashing of
    strings is twice pandas' on the 2M transfer ends of 1M transfers."""
    import pyarrow as pa

    try:
        encoded = pa.array(values, type=pa.string()).dictionary_encode()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        encoded = None
    if encoded is None or encoded.null_count:  # not all text: pandas, with missing ones as "None"
        codes, ids = pd.factorize(pd.Series(values).astype(str))
        return codes.astype(np.int64), np.asarray(ids, dtype=object)
    return (encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
            encoded.dictionary.to_numpy(zero_copy_only=False).astype(object))


def to_iso(seconds: int | float | None) -> str | None:
    if seconds is None:
        return None
    return pd.Timestamp(int(seconds), unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class TransferIndex:
    """Transfers in canonical time order (see ``canonical``) with integer node codes (sorted ids) and
    time-sorted adjacency slices."""

    nodes: np.ndarray  # node id of each code (object array)
    src: np.ndarray  # code of the sending node, per transfer (time order)
    dst: np.ndarray
    ts: np.ndarray  # int64 epoch seconds
    amount: np.ndarray  # float64, in the base currency (NaN: its currency has no rate); every comparison uses it
    tx_id: np.ndarray | TextColumn  # object, or Arrow text indexed like it (from_batches)
    currency: np.ndarray  # object
    out_ptr: np.ndarray  # transfers leaving code c: out_order[out_ptr[c]:out_ptr[c + 1]], by time
    out_order: np.ndarray
    out_ts: np.ndarray  # ts[out_order], for searchsorted on a slice
    in_ptr: np.ndarray
    in_order: np.ndarray
    in_ts: np.ndarray
    code_of: dict[str, int] = field(repr=False)
    amount_orig: np.ndarray | None = None  # float64, as written, in ``currency``
    fx: Converted | None = None  # base currency, rates label, what could not be converted

    @classmethod
    def from_frame(cls, transfers: pd.DataFrame, base_currency: str = "USD",
                   rates: FxRates | None = None) -> TransferIndex:
        """Build from a TRANSFERRED table (``start, end, tx_id, amount, currency, ts``).

        ``amount`` becomes the amount in ``base_currency`` at each transfer's date (``rates``: the
        packaged ECB table unless given; see :mod:`graphbench.analytics.fx`), ``amount_orig`` keeps it
        as written."""
        # a store with no transfers yet returns a table with only start/end
        transfers = transfers.reindex(columns=list(dict.fromkeys([*transfers.columns, *TRANSFER_FIELDS])))
        n = len(transfers)
        ts = to_epoch_seconds(transfers["ts"]) if n else np.zeros(0, dtype=np.int64)
        codes, nodes = factorize_ids(np.concatenate([transfers["start"].to_numpy(dtype=object),
                                                     transfers["end"].to_numpy(dtype=object)]))
        tx_id = (transfers["tx_id"] if "tx_id" in transfers else pd.Series(range(n))).to_numpy(dtype=object)
        currency = (transfers["currency"] if "currency" in transfers
                    else pd.Series([None] * n)).to_numpy(dtype=object)
        amount = pd.to_numeric(transfers["amount"], errors="coerce").to_numpy(dtype=np.float64)
        return cls._assemble({"ts": ts, "codes": codes, "nodes": nodes, "tx_id": tx_id, "amount": amount,
                              "currency": currency}, base_currency, rates)

    @classmethod
    def from_batches(cls, batches: Iterable[pa.RecordBatch], base_currency: str = "USD",
                     rates: FxRates | None = None) -> TransferIndex | None:
        """The index ``from_frame`` gives for the same rows, built from Arrow record batches of
        ``start, end, tx_id, amount, currency, ts`` without making Python strings of them (the tx_ids stay
        Arrow text: :mod:`graphbench.analytics.transfer_columns`). None when the columns are not of the
        plain layout the loaders write: the caller then reads the pandas table."""
        columns = columns_from_batches(batches)
        return None if columns is None else cls._assemble(columns, base_currency, rates)

    @classmethod
    def _assemble(cls, columns: dict[str, Any], base_currency: str, rates: FxRates | None) -> TransferIndex:
        """From row-order columns (``ts, codes, nodes, tx_id, amount, currency``; ``codes`` the start codes
        then the end codes into ``nodes``). Each is taken out of ``columns`` as it is used and dropped once
        reordered, so at 20M transfers no two copies of a column wait side by side."""
        ts = columns.pop("ts")
        n = len(ts)
        # canonical: codes in sorted id order, transfers by (ts, from, to, amount, tx_id), so neither the
        # row order nor the store changes a position (graphbench.analytics.canonical)
        codes, nodes = sorted_codes(columns.pop("codes"), columns.pop("nodes"))
        amount, tx_id = columns.pop("amount"), columns.pop("tx_id")
        order = canonical_order(ts, codes[:n], codes[n:], amount, tx_id)
        src = codes[:n][order]  # int64 codes
        dst = codes[n:][order]
        del codes
        ts = ts[order]
        amount_orig = amount[order]
        del amount
        currency = columns.pop("currency")[order]
        tx_id = tx_id.take(order) if isinstance(tx_id, TextColumn) else tx_id[order]
        del order
        converted = to_base(amount_orig, currency, ts, base_currency, rates)
        n_nodes = len(nodes)
        out_order = np.argsort(src, kind="stable")  # stable: time order kept inside each source
        in_order = np.argsort(dst, kind="stable")
        out_ptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n_nodes))])
        in_ptr = np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=n_nodes))])
        node_array = np.asarray(nodes, dtype=object)
        return cls(
            nodes=node_array, src=src, dst=dst, ts=ts,
            amount=converted.amount, amount_orig=amount_orig, fx=converted,
            tx_id=tx_id, currency=currency,
            out_ptr=out_ptr, out_order=out_order, out_ts=ts[out_order],
            in_ptr=in_ptr, in_order=in_order, in_ts=ts[in_order],
            code_of={node: i for i, node in enumerate(node_array)},
        )

    def __len__(self) -> int:
        return len(self.ts)

    def frame(self, positions: Iterable[int]) -> pd.DataFrame:
        """The transfers at these positions (tx_id, from, to, amount in the base currency, amount_orig as
        written, currency, ts)."""
        pos = np.fromiter(positions, dtype=np.int64)
        orig = self.amount if self.amount_orig is None else self.amount_orig
        return pd.DataFrame({
            "tx_id": self.tx_id[pos], "from": self.nodes[self.src[pos]], "to": self.nodes[self.dst[pos]],
            "amount": self.amount[pos], "amount_orig": orig[pos], "currency": self.currency[pos],
            "ts": [to_iso(t) for t in self.ts[pos]],
        })


@dataclass
class TraceResult:
    start_ids: list[str]  # as asked (accounts or channels)
    start_channels: list[str]  # the channels the trace started from
    direction: str
    transfers: pd.DataFrame  # hop, tx_id, from, to, amount (base), amount_orig, currency, ts — in time order
    totals: pd.DataFrame  # node, currency, sent, sent_base, n_sent, received, received_base, n_received, first_hop
    first_ts: str | None
    last_ts: str | None
    # Where the money ends within the limits: for "out", reached nodes with no onward transfer
    # (in time, window and tolerance); for "in", where it came from (no earlier incoming transfer).
    sinks: list[str]
    open_ends: list[str]  # reached at the last hop and the money goes on: the hop limit cut it
    truncated: bool  # max_transfers was reached
    fx: dict[str, Any] | None = None  # base currency, rates label, transfers left unconverted

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_ids": self.start_ids, "start_channels": self.start_channels,
            "direction": self.direction,
            # a base amount with no rate is NaN here and null in JSON (NaN is no JSON)
            "transfers": _records(self.transfers), "totals": _records(self.totals),
            "first_ts": self.first_ts, "last_ts": self.last_ts,
            "sinks": self.sinks, "open_ends": self.open_ends, "truncated": self.truncated,
            "fx": self.fx,
        }


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    return records


def channels_of(start_ids: Sequence[str], uses: pd.DataFrame | None) -> list[str]:
    """Channel ids to start from: ``Account:`` ids are replaced by the channels they use."""
    channels: list[str] = []
    by_account = None
    for node_id in start_ids:
        if node_id.startswith("Account:"):
            if uses is None or uses.empty:
                continue
            if by_account is None:
                by_account = uses.groupby("start")["end"].apply(list).to_dict()
            channels.extend(by_account.get(node_id, []))
        else:
            channels.append(node_id)
    return list(dict.fromkeys(channels))


def trace(transfers: pd.DataFrame | TransferIndex, start_ids: Sequence[str] | str,
          direction: Direction = "out", hops: int = 3, since: str | None = None, until: str | None = None,
          amount_tolerance: float | None = None, max_transfers: int = 10_000,
          uses: pd.DataFrame | None = None, *, base_currency: str = "USD", rates: FxRates | None = None
          ) -> TraceResult:
    """Follow the money from ``start_ids`` for up to ``hops`` transfers.

    ``start_ids``: channel ids, or account ids resolved to their channels through ``uses``.
    ``since`` / ``until``: ISO timestamps bounding every transfer followed (inclusive).
    ``amount_tolerance``: a hop continues only if its amount is within ±tolerance (relative) of
    the amount that brought the money (0.2 = ±20 %), both in ``base_currency`` (converted at ``rates``,
    see :mod:`graphbench.analytics.fx`); a transfer whose currency has no rate matches no tolerance, and
    money it brought follows any amount. None follows any amount.
    ``max_transfers``: stop (``truncated=True``) once this many transfers are followed.
    Pass a prebuilt ``TransferIndex`` to trace many times over the same table.
    """
    return trace_with_visits(transfers, start_ids, direction, hops, since, until, amount_tolerance, max_transfers,
                             uses, base_currency=base_currency, rates=rates)[0]


def trace_with_visits(transfers: pd.DataFrame | TransferIndex, start_ids: Sequence[str] | str, direction: Direction,
           hops: int, since: str | None, until: str | None, amount_tolerance: float | None, max_transfers: int,
           uses: pd.DataFrame | None, *, base_currency: str = "USD", rates: FxRates | None = None
           ) -> tuple[TraceResult, list[str]]:
    """:func:`trace`, and the channels expanded at the last hop in the walk's order (up to the one it
    stopped at when truncated): what a hop-by-hop store read (``graphbench.store_reads.trace_walk``) must
    have read for the trail to be final."""
    if direction not in ("out", "in"):
        raise ValueError(f"direction must be 'out' or 'in', not {direction!r}")
    index = (transfers if isinstance(transfers, TransferIndex)
             else TransferIndex.from_frame(transfers, base_currency, rates))
    asked = [start_ids] if isinstance(start_ids, str) else list(start_ids)
    channels = channels_of(asked, uses)
    lo_ts = int(to_epoch_seconds([since])[0]) if since else np.iinfo(np.int64).min
    hi_ts = int(to_epoch_seconds([until])[0]) if until else np.iinfo(np.int64).max
    walker = _Walker(index, direction, lo_ts, hi_ts, amount_tolerance)
    starts = [index.code_of[c] for c in channels if c in index.code_of]

    followed: dict[int, int] = {}  # transfer position → hop
    reached: dict[int, int] = {}  # node code → first hop it was reached at
    # a frontier entry: (node, time bound, amount that brought the money or nan)
    frontier = [(c, lo_ts if direction == "out" else hi_ts, np.nan) for c in starts]
    best_bound: dict[int, int] = {}  # tolerance-free dominance: earliest arrival ("out") expanded
    has_onward: set[int] = set()
    checked: set[int] = set()  # nodes whose onward transfers were looked up
    truncated = False
    last_hop_visits: list[int] = []
    for hop in range(1, hops + 1):
        next_frontier = []
        for node, bound, amount in walker.dedupe(frontier, best_bound):
            if hop == hops:
                last_hop_visits.append(node)
            candidates = walker.candidates(node, bound, amount)
            checked.add(node)
            if len(candidates):
                has_onward.add(node)
            for pos in candidates:
                if pos in followed:
                    continue
                if len(followed) >= max_transfers:
                    truncated = True
                    break
                followed[pos] = hop
                nxt = walker.next_node(pos)
                reached.setdefault(nxt, hop)
                next_frontier.append((nxt, int(index.ts[pos]), float(index.amount[pos])))
            if truncated:
                break
        frontier = next_frontier
        if truncated or not frontier:
            break
    # nodes left on the frontier: the trace stopped there; does the money go on?
    open_ends: set[int] = set()
    if not truncated:
        for node, bound, amount in walker.dedupe(frontier, dict(best_bound)):
            checked.add(node)
            if len(walker.candidates(node, bound, amount)):
                open_ends.add(node)
                has_onward.add(node)
    sinks = {c for c in reached if c in checked and c not in has_onward}
    return (_result(index, asked, channels, direction, followed, reached, sinks, open_ends, truncated),
            [str(index.nodes[c]) for c in last_hop_visits])


class _Walker:
    """One direction's view of the index: which transfers may follow, and where they lead."""

    def __init__(self, index: TransferIndex, direction: str, lo_ts: int, hi_ts: int,
                 tolerance: float | None) -> None:
        self.index = index
        self.forward = direction == "out"
        self.lo_ts, self.hi_ts = lo_ts, hi_ts
        self.tolerance = tolerance
        if self.forward:
            self.ptr, self.order, self.slice_ts = index.out_ptr, index.out_order, index.out_ts
        else:
            self.ptr, self.order, self.slice_ts = index.in_ptr, index.in_order, index.in_ts

    def next_node(self, pos: int) -> int:
        return int(self.index.dst[pos] if self.forward else self.index.src[pos])

    def dedupe(self, frontier: list[tuple[int, int, float]],
               best_bound: dict[int, int]) -> list[tuple[int, int, float]]:
        """Without a tolerance only the loosest time bound per node matters, and a node already
        expanded with a looser bound (at an earlier hop, so with more hops left) is skipped."""
        if self.tolerance is not None:
            return list(dict.fromkeys(frontier))
        loosest: dict[int, int] = {}
        for node, bound, _ in frontier:
            old = loosest.get(node)
            if old is None or (bound < old if self.forward else bound > old):
                loosest[node] = bound
        kept = []
        for node, bound in loosest.items():
            done = best_bound.get(node)
            if done is not None and (bound >= done if self.forward else bound <= done):
                continue
            best_bound[node] = bound
            kept.append((node, bound, np.nan))
        return kept

    def candidates(self, node: int, bound: int, amount: float) -> np.ndarray:
        """Positions of the transfers that may carry the money on from ``node``, by time."""
        a, b = int(self.ptr[node]), int(self.ptr[node + 1])
        times = self.slice_ts[a:b]
        if self.forward:
            lo = np.searchsorted(times, max(bound, self.lo_ts), side="left")
            hi = np.searchsorted(times, self.hi_ts, side="right")
        else:
            lo = np.searchsorted(times, self.lo_ts, side="left")
            hi = np.searchsorted(times, min(bound, self.hi_ts), side="right")
        positions = self.order[a + lo:a + hi]
        if self.tolerance is not None and not np.isnan(amount) and len(positions):
            amounts = self.index.amount[positions]
            positions = positions[np.abs(amounts - amount) <= self.tolerance * abs(amount)]
        return positions


def _result(index: TransferIndex, asked: list[str], channels: list[str], direction: str,
            followed: dict[int, int], reached: dict[int, int], sinks: set[int],
            open_ends: set[int], truncated: bool) -> TraceResult:
    positions = np.array(sorted(followed), dtype=np.int64)  # positions are in time order
    table = index.frame(positions)
    table.insert(0, "hop", [followed[int(p)] for p in positions])
    table = table[list(TRANSFER_COLUMNS)]
    if len(table):
        # per currency as written (sent, received) and in the base currency (sent_base, received_base);
        # never one sum over several currencies
        # a missing currency grouped as "" (None beside codes cannot be ordered, so the outer join
        # would leave a node's rows in arbitrary order) and given back as None
        by = table.assign(currency=table["currency"].fillna(""))
        sent = by.groupby(["from", "currency"]).agg(
            sent=("amount_orig", "sum"), sent_base=("amount", "sum"), n_sent=("amount", "size"))
        received = by.groupby(["to", "currency"]).agg(
            received=("amount_orig", "sum"), received_base=("amount", "sum"), n_received=("amount", "size"))
        sent.index.names = received.index.names = ["node", "currency"]
        totals = sent.join(received, how="outer").fillna(0).reset_index()
        totals["currency"] = [code or None for code in totals["currency"]]
        totals[["n_sent", "n_received"]] = totals[["n_sent", "n_received"]].astype(int)
        unconverted = totals["currency"].isin(list(index.fx.unknown) if index.fx else [])
        totals.loc[unconverted, ["sent_base", "received_base"]] = np.nan  # no rate: no base amount
        first_hop = {index.nodes[c]: h for c, h in reached.items()}
        totals["first_hop"] = [first_hop.get(n, 0) for n in totals["node"]]  # 0 = a start channel
        totals = totals.sort_values(["first_hop", "node"], kind="stable").reset_index(drop=True)
    else:
        totals = pd.DataFrame(columns=["node", "currency", "sent", "sent_base", "n_sent", "received",
                                       "received_base", "n_received", "first_hop"])
    return TraceResult(
        start_ids=asked, start_channels=channels, direction=direction, transfers=table, totals=totals,
        first_ts=table["ts"].iloc[0] if len(table) else None,
        last_ts=table["ts"].iloc[-1] if len(table) else None,
        sinks=sorted(index.nodes[c] for c in sinks), open_ends=sorted(index.nodes[c] for c in open_ends), truncated=truncated,
        fx=index.fx.to_dict() if index.fx else None,
    )
