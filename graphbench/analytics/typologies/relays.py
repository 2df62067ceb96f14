"""Relays: scatter_gather (one source → mules → one target) and stack (layers of mules).

scatter_gather is found from relay hops: money into a mule M from A, and out of M to B at the same
time or up to `relay_hop_days` later carrying relay_keep_min..max of it. A mule may have any other
traffic (launderers also shop): only these hops count. A source/target pair with >= k distinct
mules inside the window is a scatter-gather.

stack uses pass-through episodes (activity between quiet gaps that starts with money in and passes
most of it on) linked into layers.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies.base import DAY, Pattern, make_pattern, money, span_days
from graphbench.analytics.typologies.fans import hubs
from graphbench.analytics.typologies.hops import successor_pairs
from graphbench.analytics.typologies.params import PatternParams


def relay_hops(index: TransferIndex, params: PatternParams) -> tuple[np.ndarray, np.ndarray]:
    """(into-mule, out-of-mule) transfer position pairs (the nearest `max_candidates` ins per out)."""
    return successor_pairs(index, params.relay_hop_days, 1 - params.relay_keep_min, params.relay_keep_max - 1,
                           params.max_candidates, time_ordered=True, max_pairs=params.max_pairs)


def scatter_gather(index: TransferIndex, params: PatternParams) -> list[Pattern]:
    """Score: 0.5 + half from how many mules (2k = full)."""
    pred, succ = relay_hops(index, params)
    if not len(pred):
        return []
    hops = pd.DataFrame({"a": index.src[pred], "m": index.dst[pred], "b": index.dst[succ],
                         "t": index.ts[pred], "pred": pred, "succ": succ})
    # business hubs (merchants, payrolls, escrows) are neither the ends nor the mules of a scatter-gather
    hub = hubs(index, params.fan_hub_degree, paying=True) | hubs(index, params.fan_hub_degree, paying=False)
    hops = hops[(hops["a"] != hops["b"]) & ~hub[hops["a"]] & ~hub[hops["b"]] & ~hub[hops["m"]]]
    k = params.sg_min_intermediaries
    n = len(index.nodes)
    ab = hops["a"].to_numpy() * n + hops["b"].to_numpy()
    abm = np.unique(ab * n + hops["m"].to_numpy())  # (a, b, mule) once each
    pair, mules = np.unique(abm // n, return_counts=True)
    hops = hops[np.isin(ab, pair[mules >= k])].sort_values(["a", "b", "t", "pred", "succ"])
    window = params.sg_window_days * DAY
    found = []
    for (a, b), group in hops.groupby(["a", "b"], sort=True):
        times = group["t"].to_numpy()
        # clusters of hops whose first legs fit in one window (greedy from the earliest, by time)
        start = 0
        while start < len(group):
            stop = int(np.searchsorted(times, times[start] + window, side="right"))
            chunk = group.iloc[start:stop]
            mids = np.unique(chunk["m"].to_numpy())
            sent = float(np.nansum(index.amount[np.unique(chunk["pred"].to_numpy())]))
            got = float(np.nansum(index.amount[np.unique(chunk["succ"].to_numpy())]))
            if len(mids) >= k and params.relay_keep_min <= (got / sent if sent else 0) <= params.relay_keep_max:
                positions = np.concatenate([chunk["pred"].to_numpy(), chunk["succ"].to_numpy()])
                reason = (f"{index.nodes[a]} sent {money(index, sent)} through {len(mids)} intermediaries that "
                          f"passed {got / sent if sent else 0:.0%} of it to {index.nodes[b]} within "
                          f"{span_days(index, np.unique(positions)):.1f} days")
                found.append(make_pattern(index, "scatter_gather", positions,
                                          0.5 + 0.5 * min(1.0, len(mids) / (2 * k)), reason,
                                          center=int(a), members=[int(a), *mids.tolist(), int(b)]))
                start = stop
            else:  # next time step (never into the middle of simultaneous hops)
                start = int(np.searchsorted(times, times[start], side="right"))
    return found


@dataclass
class RelayEpisodes:
    """Relay (pass-through) episodes and, per transfer, the one it leaves from / arrives in (-1: none)."""

    table: pd.DataFrame  # one row per relay episode, in episode order: node, first_ts, last_ts, in_sum, out_sum, relay
    out_episode: np.ndarray  # per transfer position: relay episode of its sender, or -1
    in_episode: np.ndarray  # per transfer position: relay episode of its receiver, or -1


# Channels are split into episodes in groups of about this many transfer ends: every step is per
# channel, so the episodes are the same, and 20M transfers never make their ~10 2n-row arrays at once.
CHANNEL_GROUP_ROWS = 1 << 22


def relay_episodes(index: TransferIndex, params: PatternParams,
                   group_rows: int = CHANNEL_GROUP_ROWS) -> RelayEpisodes:
    """Split each channel's activity at quiet gaps; an episode is a relay when money came in
    first (money in and out in one time step counts as in first), went out within
    `relay_max_span_days`, and keep_min..keep_max of it went out. A channel with no earlier
    activity simply starts an episode: a fresh mule is not exempt; a business hub is never a relay."""
    n = len(index)
    out_episode = np.full(n, -1, dtype=np.int64)
    in_episode = np.full(n, -1, dtype=np.int64)
    tables: list[pd.DataFrame] = []
    if n:
        # a dense time rank stands for the time step when the two orders are merged (see _group_episodes)
        rank = np.concatenate([[0], np.cumsum(np.diff(index.ts) > 0)])
        hub = hubs(index, params.fan_hub_degree, paying=True) | hubs(index, params.fan_hub_degree, paying=False)
        ends = index.in_ptr + index.out_ptr  # transfer ends of channels 0..c-1
        lo, n_nodes, numbered = 0, len(index.nodes), 0
        while lo < n_nodes:
            hi = max(int(np.searchsorted(ends, ends[lo] + group_rows, side="right")) - 1, lo + 1)
            table = _group_episodes(index, params, rank, hub, lo, min(hi, n_nodes), numbered,
                                    out_episode, in_episode)
            tables.append(table)
            numbered += len(table)
            lo = min(hi, n_nodes)
    columns = {"node": np.int64, "first_ts": np.int64, "last_ts": np.int64, "in_sum": float, "out_sum": float,
               "relay": bool}
    table = (pd.concat(tables, ignore_index=True) if tables
             else pd.DataFrame({c: np.zeros(0, dtype=t) for c, t in columns.items()}))
    return RelayEpisodes(table=table, out_episode=out_episode, in_episode=in_episode)


def _group_episodes(index: TransferIndex, params: PatternParams, rank: np.ndarray, hub: np.ndarray, lo: int,
                    hi: int, numbered: int, out_episode: np.ndarray, in_episode: np.ndarray) -> pd.DataFrame:
    """The relay episodes of channels ``lo`` ≤ c < ``hi`` (numbered from ``numbered``), written into
    ``out_episode`` / ``in_episode`` at the positions of their transfers."""
    into = index.in_order[index.in_ptr[lo]:index.in_ptr[hi]]  # by (receiver, position)
    out_of_ = index.out_order[index.out_ptr[lo]:index.out_ptr[hi]]  # by (sender, position)
    in_ts, out_ts = index.in_ts[index.in_ptr[lo]:index.in_ptr[hi]], index.out_ts[index.out_ptr[lo]:index.out_ptr[hi]]
    n_in, n_out = len(into), len(out_of_)
    # every transfer twice, as money out of its sender and into its receiver, per channel in time,
    # money in before money out at one instant, then by position. in_order and out_order are
    # already per channel in position (so time) order: merged by one sorted search each instead
    # of sorting the keys. Rows of the merged sequence are filled straight from the two orders;
    # where_in / where_out say where each went.
    steps = int(rank[-1]) + 1
    in_key = index.dst[into] * steps + rank[into]  # sorted
    out_key = index.src[out_of_] * steps + rank[out_of_]  # sorted
    where_in = np.arange(n_in) + np.searchsorted(out_key, in_key, side="left")  # increasing
    where_out = np.arange(n_out) + np.searchsorted(in_key, out_key, side="right")
    del in_key, out_key  # (each temporary is let go once used)
    node = np.empty(n_in + n_out, dtype=index.src.dtype)
    node[where_in], node[where_out] = index.dst[into], index.src[out_of_]
    ts = np.empty(n_in + n_out, dtype=index.ts.dtype)
    ts[where_in], ts[where_out] = in_ts, out_ts
    starts = np.ones(len(node), dtype=bool)
    starts[1:] = (node[1:] != node[:-1]) | (np.diff(ts) > params.relay_quiet_days * DAY)
    first = np.flatnonzero(starts)
    first_ts = ts[first]
    last_ts = ts[np.append(first[1:], len(ts)) - 1]
    owner = node[first]
    del node, ts
    episode = np.cumsum(starts) - 1
    del starts
    # the sums as np.add.reduceat makes them (its summation order, zeros for the other direction
    # included), so a share at a bound falls on the same side as ever
    money_in = np.zeros(n_in + n_out)
    money_in[where_in] = np.nan_to_num(index.amount[into])
    in_sum = np.add.reduceat(money_in, first)
    del money_in
    money_out = np.zeros(n_in + n_out)
    money_out[where_out] = np.nan_to_num(index.amount[out_of_])
    out_sum = np.add.reduceat(money_out, first)
    del money_out
    # times never decrease inside an episode: its first and last times, and its first money in and
    # out, are read off the rows, not reduced
    in_of, out_of = episode[where_in], episode[where_out]  # both non-decreasing
    del episode, where_in, where_out
    big = np.iinfo(np.int64).max
    first_in = _first_per(in_of, in_ts, len(first), big)
    first_out = _first_per(out_of, out_ts, len(first), big)
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = out_sum / np.where(in_sum > 0, in_sum, np.nan)
    relay = (~hub[owner] & (in_sum > 0) & (out_sum > 0) & (first_in <= first_out)
             & (last_ts - first_ts <= params.relay_max_span_days * DAY)
             & (kept >= params.relay_keep_min) & (kept <= params.relay_keep_max))
    # only the relay episodes are kept, numbered in episode order (on 20M transfers the episodes are
    # tens of millions, the relays few); per transfer, the relay episode it leaves / arrives in
    number = numbered + np.cumsum(relay) - 1
    out_episode[out_of_] = np.where(relay[out_of], number[out_of], -1)
    in_episode[into] = np.where(relay[in_of], number[in_of], -1)
    return pd.DataFrame({"node": owner[relay], "first_ts": first_ts[relay], "last_ts": last_ts[relay],
                         "in_sum": in_sum[relay], "out_sum": out_sum[relay], "relay": relay[relay]})


def _first_per(of: np.ndarray, values: np.ndarray, episodes: int, missing: int) -> np.ndarray:
    """Per episode, ``values`` at its first row (``of``: each row's episode, non-decreasing), or
    ``missing`` for an episode with no row."""
    head = np.ones(len(of), dtype=bool)
    head[1:] = of[1:] != of[:-1]
    out = np.full(episodes, missing, dtype=np.int64)
    out[of[head]] = values[head]
    return out


def stacks(index: TransferIndex, relays: RelayEpisodes, params: PatternParams) -> list[Pattern]:
    """Components of relays paying relays, >= `stack_min_layers` deep, whose outside sources and
    sinks differ (money that comes back to where it started is a cycle, not a stack) and where what
    reaches the sinks is what the sources put in, less at most keep_min per layer.
    Score: depth (4 layers = full)."""
    linked = (relays.out_episode >= 0) & (relays.in_episode >= 0)
    if not linked.any():
        return []
    graph = nx.DiGraph()
    graph.add_edges_from(zip(relays.out_episode[linked].tolist(), relays.in_episode[linked].tolist(), strict=True))
    relay_node = relays.table["node"].to_numpy()
    components = sorted(nx.weakly_connected_components(graph), key=min)
    # each transfer touching a linked relay belongs to that relay's component (both its ends'
    # episodes, when it has two, are one component: it links them); legs grouped by component, in
    # position order inside each
    label = np.full(len(relay_node), -1, dtype=np.int64)
    for i, component in enumerate(components):
        label[list(component)] = i
    pos = np.flatnonzero((relays.out_episode >= 0) | (relays.in_episode >= 0))
    from_c = np.where(relays.out_episode[pos] >= 0, label[relays.out_episode[pos]], -1)
    to_c = np.where(relays.in_episode[pos] >= 0, label[relays.in_episode[pos]], -1)
    leg_c = np.where(from_c >= 0, from_c, to_c)
    by_c = np.argsort(leg_c, kind="stable")
    pos, from_c, to_c, leg_c = pos[by_c], from_c[by_c], to_c[by_c], leg_c[by_c]
    bounds = np.searchsorted(leg_c, np.arange(len(components) + 1))
    found = []
    for i, component in enumerate(components):
        sub = graph.subgraph(component)
        if not nx.is_directed_acyclic_graph(sub):
            continue
        layers = nx.dag_longest_path_length(sub) + 1
        if layers < params.stack_min_layers:
            continue
        episodes = sorted(component)
        mine = slice(bounds[i], bounds[i + 1])
        positions = pos[mine]
        entering = positions[from_c[mine] != i]  # from outside the component
        leaving = positions[to_c[mine] != i]
        sources, sinks = set(index.src[entering].tolist()), set(index.dst[leaving].tolist())
        if not sources or not sinks or sources & sinks:
            continue
        put_in = float(np.nansum(index.amount[entering]))
        kept = float(np.nansum(index.amount[leaving])) / put_in if put_in else 0.0
        if not params.relay_keep_min ** layers <= kept <= params.relay_keep_max:
            continue
        relays_of = pd.unique(relay_node[episodes]).tolist()
        reason = (f"{money(index, put_in)} from {len(sources)} source(s) passed through {layers} layers of "
                  f"{len(relays_of)} relays and {kept:.0%} of it reached {len(sinks)} sink(s) within "
                  f"{span_days(index, positions):.1f} days")
        found.append(make_pattern(index, "stack", positions, 0.5 + 0.5 * min(1.0, layers / 4), reason,
                                  center=next(iter(sources)) if len(sources) == 1 else None,
                                  members=sorted(sources) + relays_of + sorted(sinks)))
    return found
