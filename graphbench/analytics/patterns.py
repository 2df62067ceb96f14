"""Laundering patterns in the TRANSFERRED table: fan-in/out, cycles, scatter-gather, gather-scatter,
stacks (layered chains) and structuring.

What keeps an ordinary busy channel (a marketplace escrow, a popular seller) out of the results:
- fans are bursts: k distinct counterparties inside a short window *and* several times more than
  the channel's own rate outside that window would give;
- relays (the mules of scatter-gather and stacks) are short pass-through episodes: money in, most
  of it out again within days, and a quiet gap around; a channel that never stops is never one;
- cycles and hop-by-hop chains are time-respecting with amounts that shrink a little per hop, so a
  hub's thousands of unrelated transfers do not chain (and the search has a per-start budget).

Everything is computed on the integer ``TransferIndex`` of ``graphbench.analytics.trace``.
Amounts are compared as numbers: mixed currencies are not converted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graphbench.analytics.trace import TransferIndex, to_iso

KINDS = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack", "structuring")
DAY = 86_400


@dataclass(frozen=True)
class PatternParams:
    """Every threshold of the detectors, with the reason for its default."""

    # fan_in / fan_out: >= k distinct counterparties into (out of) one channel within the window.
    # Smurfing collects from many hands quickly; 3 days is the usual short AML look-back.
    fan_min_counterparties: int = 5
    fan_window_days: float = 3.0
    # A burst must be this many times the count the channel's own rate in the `burst_baseline_days`
    # either side of the window predicts: an escrow taking 40 payments a day is busy, not bursting.
    burst_factor: float = 5.0
    burst_baseline_days: float = 30.0
    # If set, only transfers within ±tolerance of the window's median amount count (off by default:
    # smurfs vary amounts on purpose).
    fan_amount_tolerance: float | None = None

    # gather_scatter: an in-burst of >= k sources, then an out-burst of >= k targets from the same
    # channel starting at most `gs_max_delay_days` after the in-burst ends, passing most of it on.
    gs_min_counterparties: int = 4
    gs_window_days: float = 3.0
    gs_max_delay_days: float = 5.0

    # Relays (pass-through episodes): activity separated from the channel's other activity by
    # `relay_quiet_days`, lasting at most `relay_max_span_days`, money in first, and what goes out is
    # between keep_min and keep_max of what came in (mules keep a small cut: at most 15 %; 30 %
    # already lets ordinary people's coincidences chain into "stacks" in random traffic).
    relay_quiet_days: float = 5.0
    relay_max_span_days: float = 10.0
    relay_keep_min: float = 0.85
    relay_keep_max: float = 1.05

    # scatter_gather: one source → >= k relays → one target, all inside the window.
    sg_min_intermediaries: int = 3
    sg_window_days: float = 10.0

    # stack: >= this many layers of relays between a source and a sink (1 layer is scatter-gather).
    stack_min_layers: int = 2

    # cycle: 3..6 hops back to the start, each hop at most `cycle_max_hop_days` after the previous
    # one, all within the window, each hop passing on between (1 - decay) and (1 + growth) of the
    # previous amount.
    cycle_min_length: int = 3
    cycle_max_length: int = 6
    cycle_max_hop_days: float = 3.0
    cycle_window_days: float = 14.0
    cycle_time_ordered: bool = True  # False: hops may come in any order within the window
    hop_amount_decay: float = 0.2
    hop_amount_growth: float = 0.02
    # Bounds that keep the search polynomial on hubs: candidate predecessors per transfer (nearest
    # in time) and DFS steps per start transfer.
    max_candidates: int = 32
    search_budget: int = 2_000

    # structuring: >= `structuring_min_count` transfers in [threshold * (1 - band), threshold) from
    # one source or to one target, each within `structuring_window_days` of the previous one.
    reporting_threshold: float = 10_000.0
    structuring_band: float = 0.1
    structuring_min_count: int = 3
    structuring_window_days: float = 7.0

    # Two detections of one kind (cycles apart) sharing at least this share of the smaller one's
    # transfers are one; a fan sharing this share with a more specific pattern is left out.
    merge_overlap: float = 0.5


@dataclass
class Pattern:
    kind: str
    members: list[str]  # node ids; the centre (collector, distributor, source) first where there is one
    tx_ids: list[str]  # in time order
    amount: float  # total of the pattern's transfers
    first_ts: str | None
    last_ts: str | None
    score: float  # 0..1, rough strength, for sorting (see each detector)
    center: str | None = None
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "members": self.members, "tx_ids": self.tx_ids, "amount": self.amount,
                "first_ts": self.first_ts, "last_ts": self.last_ts, "score": self.score,
                "center": self.center}


def find_patterns(transfers: pd.DataFrame | TransferIndex, kinds: Sequence[str] | None = None,
                  params: PatternParams | None = None) -> list[Pattern]:
    """Every pattern of the asked kinds (all by default), strongest first within a kind.

    Fans that are part of a more specific pattern (the scatter of a scatter-gather, the gather of a
    gather-scatter, …) are reported only as that pattern.
    """
    params = params or PatternParams()
    wanted = list(KINDS) if kinds is None else list(kinds)
    unknown = set(wanted) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown pattern kind(s) {sorted(unknown)}; known: {', '.join(KINDS)}")
    index = transfers if isinstance(transfers, TransferIndex) else TransferIndex.from_frame(transfers)
    if not len(index):
        return []
    found: dict[str, list[Pattern]] = {}
    relays = None
    if {"scatter_gather", "stack"} & set(wanted):
        relays = relay_episodes(index, params)
    for kind in wanted:
        if kind in ("fan_in", "fan_out"):
            found[kind] = _fans(index, params, incoming=kind == "fan_in")
        elif kind == "gather_scatter":
            found[kind] = _gather_scatter(index, params)
        elif kind == "scatter_gather":
            found[kind] = _scatter_gather(index, relays, params)
        elif kind == "stack":
            found[kind] = _stacks(index, relays, params)
        elif kind == "cycle":
            found[kind] = _cycles(index, params)
        elif kind == "structuring":
            found[kind] = _structuring(index, params)
    # cycles are already one per node set; merging cycles that share hops would glue a busy
    # clique's many small rings into one blob
    merged = {kind: patterns if kind == "cycle" else _merge(patterns, index, params.merge_overlap)
              for kind, patterns in found.items()}
    specific = [p for kind, ps in merged.items() if kind not in ("fan_in", "fan_out") for p in ps]
    if specific:
        taken = np.unique(np.concatenate([p.positions for p in specific]))
        for kind in ("fan_in", "fan_out"):
            if kind in merged:
                merged[kind] = [p for p in merged[kind]
                                if np.isin(p.positions, taken).mean() < params.merge_overlap]
    return [p for kind in wanted for p in sorted(merged[kind], key=lambda p: (-p.score, p.first_ts or ""))]


def patterns_frame(patterns: Iterable[Pattern]) -> pd.DataFrame:
    """One row per pattern (members and tx_ids as lists) — for tables and JSON."""
    rows = [p.to_dict() for p in patterns]
    return pd.DataFrame(rows, columns=["kind", "members", "tx_ids", "amount", "first_ts", "last_ts",
                                       "score", "center"])


# --- building a Pattern -------------------------------------------------------------------------

def _pattern(index: TransferIndex, kind: str, positions: Iterable[int], score: float,
             center: int | None = None, members: Iterable[int] | None = None) -> Pattern:
    pos = np.unique(np.fromiter(positions, dtype=np.int64))  # positions are in time order
    codes = list(members) if members is not None else list(np.concatenate([index.src[pos], index.dst[pos]]))
    ordered = ([center] if center is not None else []) + codes
    names = list(dict.fromkeys(str(index.nodes[c]) for c in ordered))
    return Pattern(kind=kind, members=names, tx_ids=[str(t) for t in index.tx_id[pos]],
                   amount=round(float(index.amount[pos].sum()), 2),
                   first_ts=to_iso(index.ts[pos[0]]), last_ts=to_iso(index.ts[pos[-1]]),
                   score=round(float(min(max(score, 0.0), 1.0)), 3),
                   center=None if center is None else str(index.nodes[center]), positions=pos)


def _merge(patterns: list[Pattern], index: TransferIndex, overlap: float) -> list[Pattern]:
    """Union detections of one kind that share >= ``overlap`` of the smaller one's transfers."""
    if len(patterns) < 2:
        return patterns
    parent = list(range(len(patterns)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, list[int]] = {}
    for i, p in enumerate(patterns):
        for pos in p.positions:
            owner.setdefault(int(pos), []).append(i)
    shared: dict[tuple[int, int], int] = {}
    for holders in owner.values():
        for a in range(len(holders)):
            for b in range(a + 1, len(holders)):
                key = (holders[a], holders[b])
                shared[key] = shared.get(key, 0) + 1
    for (a, b), n in shared.items():
        if n >= overlap * min(len(patterns[a].positions), len(patterns[b].positions)):
            parent[root(a)] = root(b)
    groups: dict[int, list[Pattern]] = {}
    for i, p in enumerate(patterns):
        groups.setdefault(root(i), []).append(p)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        best = max(group, key=lambda p: p.score)
        positions = np.concatenate([p.positions for p in group])
        center = index.code_of[best.center] if best.center else None
        members = [index.code_of[m] for p in group for m in p.members]
        out.append(_pattern(index, best.kind, positions, best.score, center, members))
    return out


# --- fans and bursts ----------------------------------------------------------------------------

@dataclass
class _Burst:
    center: int
    positions: np.ndarray  # transfers in the window
    counterparts: np.ndarray  # distinct counterpart codes
    ratio: float  # distinct counterparts / count expected from the centre's rate outside the window


def _bursts(index: TransferIndex, incoming: bool, k: int, window_days: float, burst_factor: float,
            baseline_days: float, amount_tolerance: float | None = None) -> list[_Burst]:
    """Non-overlapping windows where >= k distinct counterparties hit one centre in a burst."""
    ptr, order, times = (index.in_ptr, index.in_order, index.in_ts) if incoming else \
        (index.out_ptr, index.out_order, index.out_ts)
    counterpart = index.src if incoming else index.dst
    window = int(window_days * DAY)
    baseline = int(baseline_days * DAY)
    centers = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    t0 = int(index.ts.min())
    key = centers * (int(index.ts.max()) - t0 + 2 * (window + baseline) + 1) + (times - t0 + window + baseline)
    # window end (exclusive) for every anchor transfer, all centres at once
    ends = np.searchsorted(key, key + window, side="right")
    counts = ends - np.arange(len(key))
    # a window's distinct counterparts <= its transfers: anchors that cannot pass the count or
    # burst test are dropped here, vectorised, so steady hubs cost no Python loop
    # the centre's own rate in the `baseline` days either side of the window (local, so a channel
    # whose business grows or has seasons is compared with its own recent past)
    around_lo = np.searchsorted(key, key - baseline, side="left")
    around_hi = np.searchsorted(key, key + window + baseline, side="right")
    # near the ends of the data only part of the baseline exists: divide by the part that does
    anchor_ts = times.astype(np.int64)
    covered = (np.minimum(anchor_ts + window + baseline, int(index.ts.max()))
               - np.maximum(anchor_ts - baseline, t0) - window)
    expected = (around_hi - around_lo - counts) * window / np.maximum(covered, window)
    hopeful = (counts >= k) & (counts >= burst_factor * expected)
    bursts: list[_Burst] = []
    for c in np.unique(centers[hopeful]):
        a, b = int(ptr[c]), int(ptr[c + 1])
        cps = counterpart[order[a:b]]
        anchors = np.flatnonzero(hopeful[a:b])
        next_free = 0
        for i in anchors:
            if i < next_free:
                continue
            # the best window among the hopeful anchors overlapping this one
            best, best_d = -1, 0
            for j in anchors[(anchors >= i) & (anchors < ends[a + i] - a)]:
                d = len(np.unique(cps[j:ends[a + j] - a]))
                if d > best_d:
                    best, best_d = int(j), d
            stop = int(ends[a + best] - a)
            next_free = stop
            ratio = best_d / expected[a + best] if expected[a + best] > 0 else float("inf")
            if best_d < k or ratio < burst_factor:
                continue
            positions = order[a + best:a + stop]
            if amount_tolerance is not None:
                amounts = index.amount[positions]
                median = float(np.median(amounts))
                positions = positions[np.abs(amounts - median) <= amount_tolerance * median]
            members = np.unique(counterpart[positions])
            if len(members) >= k:
                bursts.append(_Burst(int(c), positions, members, ratio))
    return bursts


def _fans(index: TransferIndex, params: PatternParams, incoming: bool) -> list[Pattern]:
    """Score: half from how many counterparties (2k = full), half from how bursty (10x = full)."""
    kind = "fan_in" if incoming else "fan_out"
    k = params.fan_min_counterparties
    return [
        _pattern(index, kind, burst.positions,
                 0.5 * min(1.0, len(burst.counterparts) / (2 * k)) + 0.5 * min(1.0, burst.ratio / 10),
                 center=burst.center, members=list(burst.counterparts))
        for burst in _bursts(index, incoming, k, params.fan_window_days, params.burst_factor,
                             params.burst_baseline_days, params.fan_amount_tolerance)
    ]


def _gather_scatter(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """In-burst then out-burst at one centre passing on keep_min..keep_max of what came in.
    Score: the share passed on, times how full both sides are (2k each = full)."""
    k = params.gs_min_counterparties
    ins = _bursts(index, True, k, params.gs_window_days, params.burst_factor, params.burst_baseline_days)
    outs = _bursts(index, False, k, params.gs_window_days, params.burst_factor, params.burst_baseline_days)
    outs_at: dict[int, list[_Burst]] = {}
    for burst in outs:
        outs_at.setdefault(burst.center, []).append(burst)
    delay = params.gs_max_delay_days * DAY
    found = []
    for gather in ins:
        g_first, g_last = index.ts[gather.positions[0]], index.ts[gather.positions[-1]]
        for scatter in outs_at.get(gather.center, []):
            s_first = index.ts[scatter.positions[0]]
            if not g_first <= s_first <= g_last + delay:
                continue
            kept = index.amount[scatter.positions].sum() / index.amount[gather.positions].sum()
            if not params.relay_keep_min <= kept <= params.relay_keep_max:
                continue
            fullness = min(1.0, len(gather.counterparts) / (2 * k)) * min(1.0, len(scatter.counterparts) / (2 * k))
            found.append(_pattern(
                index, "gather_scatter", np.concatenate([gather.positions, scatter.positions]),
                0.5 + 0.5 * fullness * min(kept, 1.0), center=gather.center,
                members=list(gather.counterparts) + list(scatter.counterparts)))
            break
    return found


# --- relays: scatter_gather and stacks ----------------------------------------------------------

@dataclass
class RelayEpisodes:
    """Pass-through episodes and, per transfer, the episode it leaves from / arrives in (-1: none)."""

    table: pd.DataFrame  # episode, node, first_ts, last_ts, in_sum, out_sum, relay (bool)
    out_episode: np.ndarray  # per transfer position: relay episode of its sender, or -1
    in_episode: np.ndarray  # per transfer position: relay episode of its receiver, or -1


def relay_episodes(index: TransferIndex, params: PatternParams) -> RelayEpisodes:
    """Split each channel's activity at quiet gaps; an episode is a relay when money came in
    first, went out within `relay_max_span_days`, and keep_min..keep_max of it went out."""
    n = len(index)
    positions = np.arange(n)
    rows = pd.DataFrame({
        "node": np.concatenate([index.src, index.dst]),
        "ts": np.concatenate([index.ts, index.ts]),
        "out": np.concatenate([index.amount, np.zeros(n)]),
        "in": np.concatenate([np.zeros(n), index.amount]),
        "pos": np.concatenate([positions, positions]),
        "is_out": np.concatenate([np.ones(n, dtype=bool), np.zeros(n, dtype=bool)]),
    })
    # money in before money out at the same instant: ins sort first
    rows = rows.sort_values(["node", "ts", "is_out"], kind="stable").reset_index(drop=True)
    node = rows["node"].to_numpy()
    ts = rows["ts"].to_numpy()
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = (node[1:] != node[:-1]) | (np.diff(ts) > params.relay_quiet_days * DAY)
    rows["episode"] = np.cumsum(starts) - 1
    in_ts = np.where(rows["is_out"], np.iinfo(np.int64).max, ts)
    out_ts = np.where(rows["is_out"], ts, np.iinfo(np.int64).max)
    table = (rows.assign(in_ts=in_ts, out_ts=out_ts)
             .groupby("episode")
             .agg(node=("node", "first"), first_ts=("ts", "min"), last_ts=("ts", "max"),
                  in_sum=("in", "sum"), out_sum=("out", "sum"), first_in=("in_ts", "min"),
                  first_out=("out_ts", "min")))
    kept = table["out_sum"] / table["in_sum"].where(table["in_sum"] > 0)
    table["relay"] = ((table["in_sum"] > 0) & (table["out_sum"] > 0)
                      & (table["first_in"] <= table["first_out"])
                      & (table["last_ts"] - table["first_ts"] <= params.relay_max_span_days * DAY)
                      & kept.between(params.relay_keep_min, params.relay_keep_max))
    relay_of_row = np.where(table["relay"].to_numpy()[rows["episode"].to_numpy()], rows["episode"], -1)
    out_episode = np.full(n, -1, dtype=np.int64)
    in_episode = np.full(n, -1, dtype=np.int64)
    is_out = rows["is_out"].to_numpy()
    pos = rows["pos"].to_numpy()
    out_episode[pos[is_out]] = relay_of_row[is_out]
    in_episode[pos[~is_out]] = relay_of_row[~is_out]
    return RelayEpisodes(table=table.drop(columns=["first_in", "first_out"]),
                         out_episode=out_episode, in_episode=in_episode)


def _scatter_gather(index: TransferIndex, relays: RelayEpisodes | None, params: PatternParams) -> list[Pattern]:
    """Relays fed by one source A and paying one target B (A != B), >= k of them in the window.
    Score: how many relays (2k = full)."""
    assert relays is not None
    n = len(index)
    positions = np.arange(n)
    legs = pd.concat([
        pd.DataFrame({"episode": relays.in_episode, "other": index.src, "pos": positions, "side": "in"}),
        pd.DataFrame({"episode": relays.out_episode, "other": index.dst, "pos": positions, "side": "out"}),
    ])
    legs = legs[legs["episode"] >= 0]
    ends = legs.groupby(["episode", "side"])["other"].agg(["nunique", "first"]).unstack("side")
    ends = ends.dropna()
    if ends.empty or ("nunique", "in") not in ends.columns or ("nunique", "out") not in ends.columns:
        return []  # no relay with money both in and out (a small or filtered table)
    simple = ends[(ends[("nunique", "in")] == 1) & (ends[("nunique", "out")] == 1)
                  & (ends[("first", "in")] != ends[("first", "out")])]
    if simple.empty:
        return []
    episodes = pd.DataFrame({"source": simple[("first", "in")].astype(np.int64),
                             "target": simple[("first", "out")].astype(np.int64)}, index=simple.index)
    episodes = episodes.join(relays.table[["node", "first_ts", "last_ts"]])
    window = params.sg_window_days * DAY
    k = params.sg_min_intermediaries
    legs_of = legs.groupby("episode")["pos"].apply(np.asarray)
    found = []
    for (source, target), group in episodes.sort_values("first_ts").groupby(["source", "target"]):
        if group["node"].nunique() < k:
            continue
        # clusters of relays that fit in one window
        start = group["first_ts"].iloc[0]
        cluster: list[int] = []
        for episode, row in group.iterrows():
            if row["last_ts"] - start > window:
                found.extend(_sg_pattern(index, cluster, legs_of, group, source, target, k))
                cluster, start = [], row["first_ts"]
            cluster.append(episode)
        found.extend(_sg_pattern(index, cluster, legs_of, group, source, target, k))
    return found


def _sg_pattern(index: TransferIndex, cluster: list[int], legs_of: pd.Series, group: pd.DataFrame,
                source: int, target: int, k: int) -> list[Pattern]:
    mids = group.loc[cluster, "node"].unique()
    if len(mids) < k:
        return []
    positions = np.concatenate([legs_of[e] for e in cluster])
    return [_pattern(index, "scatter_gather", positions, 0.5 + 0.5 * min(1.0, len(mids) / (2 * k)),
                     center=source, members=[source, *mids, target])]


def _stacks(index: TransferIndex, relays: RelayEpisodes | None, params: PatternParams) -> list[Pattern]:
    """Components of relays paying relays, >= `stack_min_layers` deep, whose outside sources and
    sinks differ (money that comes back to where it started is a cycle, not a stack) and where what
    reaches the sinks is what the sources put in, less at most keep_min per layer.
    Score: depth (4 layers = full)."""
    assert relays is not None
    linked = (relays.out_episode >= 0) & (relays.in_episode >= 0)
    if not linked.any():
        return []
    graph = nx.DiGraph()
    graph.add_edges_from(zip(relays.out_episode[linked].tolist(), relays.in_episode[linked].tolist(), strict=True))
    relay_node = relays.table["node"]
    touching = (relays.out_episode >= 0) | (relays.in_episode >= 0)
    legs = pd.DataFrame({"pos": np.flatnonzero(touching), "from_ep": relays.out_episode[touching],
                         "to_ep": relays.in_episode[touching]})
    found = []
    for component in nx.weakly_connected_components(graph):
        sub = graph.subgraph(component)
        if not nx.is_directed_acyclic_graph(sub):
            continue
        layers = nx.dag_longest_path_length(sub) + 1
        if layers < params.stack_min_layers:
            continue
        episodes = list(component)
        mine = legs[legs["from_ep"].isin(episodes) | legs["to_ep"].isin(episodes)]
        positions = mine["pos"].to_numpy()
        entering = mine[~mine["from_ep"].isin(episodes)]["pos"].to_numpy()
        leaving = mine[~mine["to_ep"].isin(episodes)]["pos"].to_numpy()
        sources, sinks = set(index.src[entering].tolist()), set(index.dst[leaving].tolist())
        if not sources or not sinks or sources & sinks:
            continue
        kept = index.amount[leaving].sum() / index.amount[entering].sum()
        if not params.relay_keep_min ** layers <= kept <= params.relay_keep_max:
            continue
        relay_codes = relay_node.loc[episodes].unique().tolist()
        first_source = int(index.src[entering[0]])
        found.append(_pattern(index, "stack", positions, 0.5 + 0.5 * min(1.0, layers / 4),
                              center=first_source,
                              members=sorted(sources) + relay_codes + sorted(sinks)))
    return found


# --- cycles -------------------------------------------------------------------------------------

def successor_pairs(index: TransferIndex, max_gap_days: float, decay: float, growth: float,
                    max_candidates: int, time_ordered: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(pred, succ) transfer positions where money arriving by ``pred`` may leave by ``succ``:
    same channel, ``succ`` at most ``max_gap_days`` later (either side if not time-ordered), and
    amount(succ) / amount(pred) in [1 - decay, 1 + growth]. At most ``max_candidates`` predecessors
    per transfer, the nearest in time."""
    n = len(index)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    gap = int(max_gap_days * DAY)
    t0 = int(index.ts.min())
    scale = int(index.ts.max()) - t0 + 2 * gap + 1
    in_key = index.dst[index.in_order] * scale + (index.in_ts - t0 + gap)
    base = index.src * scale + (index.ts - t0 + gap)
    lo = np.searchsorted(in_key, base - gap, side="left")
    hi = np.searchsorted(in_key, base + (gap if not time_ordered else 0), side="right")
    if time_ordered:
        lo = np.maximum(lo, hi - max_candidates)
    else:  # nearest in time on both sides
        half = max_candidates // 2
        mid = np.searchsorted(in_key, base, side="left")
        lo = np.maximum(lo, mid - half)
        hi = np.minimum(hi, mid + half)
    counts = np.maximum(hi - lo, 0)
    succ = np.repeat(np.arange(n), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    pred = index.in_order[np.repeat(lo, counts) + offsets]
    ratio = index.amount[succ] / index.amount[pred]
    keep = (ratio >= 1 - decay) & (ratio <= 1 + growth) & (pred != succ)
    if time_ordered:
        keep &= pred < succ  # positions are in time order; ties broken by position
    return pred[keep], succ[keep]


def _cycles(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """Bounded DFS over successor pairs from each transfer, closing at its sender. A cycle is
    reported once, from its lowest-coded node. Score: the share of the money that made it round."""
    pred, succ = successor_pairs(index, params.cycle_max_hop_days, params.hop_amount_decay,
                                 params.hop_amount_growth, params.max_candidates, params.cycle_time_ordered)
    if not len(pred):
        return []
    order = np.argsort(pred, kind="stable")
    nexts = succ[order]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(pred, minlength=len(index)))])
    window = params.cycle_window_days * DAY
    src, dst, ts, amount = index.src, index.dst, index.ts, index.amount
    # a start must lead on and point to a higher-coded node (the start node is the cycle's lowest)
    starts = np.flatnonzero((np.diff(ptr) > 0) & (dst > src))
    seen: set[tuple[int, ...]] = set()
    found = []
    for first in starts.tolist():
        home = int(src[first])
        stack: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [(first, (first,), (home, int(dst[first])))]
        budget = params.search_budget
        while stack and budget > 0:
            budget -= 1
            last, path, visited = stack.pop()
            for nxt in nexts[ptr[last]:ptr[last + 1]].tolist():
                if abs(int(ts[nxt]) - int(ts[first])) > window:
                    continue
                to = int(dst[nxt])
                if to == home:
                    if len(path) + 1 >= params.cycle_min_length:
                        key = tuple(sorted(visited))
                        if key not in seen:
                            seen.add(key)
                            cycle = path + (nxt,)
                            kept = float(amount[nxt] / amount[first])
                            found.append(_pattern(index, "cycle", cycle, 0.5 + 0.5 * min(kept, 1.0),
                                                  center=home, members=list(visited)))
                    continue
                if to < home or to in visited or len(path) + 1 >= params.cycle_max_length:
                    continue
                stack.append((nxt, path + (nxt,), visited + (to,)))
    return found


# --- structuring --------------------------------------------------------------------------------

def _structuring(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """Runs of just-under-threshold transfers from one source (or to one target), each within the
    window of the previous one. Score: how many (3x the minimum = full)."""
    low = params.reporting_threshold * (1 - params.structuring_band)
    under = np.flatnonzero((index.amount >= low) & (index.amount < params.reporting_threshold))
    if not len(under):
        return []
    window = params.structuring_window_days * DAY
    m = params.structuring_min_count
    found = []
    for side, codes in (("source", index.src), ("target", index.dst)):
        frame = pd.DataFrame({"center": codes[under], "pos": under, "ts": index.ts[under]})
        for center, group in frame.groupby("center"):
            if len(group) < m:
                continue
            times = group["ts"].to_numpy()
            run = np.concatenate([[0], np.cumsum(np.diff(times) > window)])
            for _, chunk in group.groupby(run):
                if len(chunk) >= m:
                    pos = chunk["pos"].to_numpy()
                    others = index.dst[pos] if side == "source" else index.src[pos]
                    found.append(_pattern(index, "structuring", pos, min(1.0, len(pos) / (3 * m)),
                                          center=int(center), members=list(np.unique(others))))
    return found
