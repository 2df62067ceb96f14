"""Rings of one sum: the very same amount passed along >= 3 hops, in any time order, closed or not.

AMLSim's cycle typology (IBM AMLSim, the 20K samples) makes every member of a ring pay the next
the same sum, each on its own step of the run ("unordered" schedule), and a member that never pays
(its balance ran short, or its step fell outside the data) leaves the ring open: a chain of equal
sums. A time-respecting search (``cycles.py``) finds neither. This detector does, from what such a
ring leaves behind whatever the schedule: transfers of exactly one sum (same currency, to the cent,
as written) linking >= ``ring_min_hops`` hops through distinct channels within ``ring_window_days``.

Why exact sums and not a band: a band of even 0.5 % lets the ordinary traffic of every channel
chain by chance (a channel with six payments in and six out has ~36 chances per band), while
the same cents passed on by three hands is rare unless the amount is common or the hands are
busy. That is checked per chain, as the number of such chains chance alone would give in the
table: a transfer of an amount that makes up a share f of all N transfers continues through a
relay that pays k transfers in all with chance about k * f, so a chain through relays of
k1, k2, ... payments is expected N * (k1 f) * (k2 f) * ... times by chance. A chain is reported
when that is below ``ring_chance_limit`` (1: less than one such chain expected in the whole table).
A price or a round 100.00 that everyone pays has a large f; a merchant or a payroll relaying it
has a large k; either makes the chain what chance gives. Amounts whose distinct hops number m
among n channels with m * (m / n) ** 2 above the same limit are skipped before the search (by the
same reasoning with every channel equally busy), which keeps the search small.

Not covered here: a ring that changes currency or keeps a cut per hop (``cycles.py`` finds those
when time-respecting), and 2-hop returns (a refund or settling up; ``cycles.py`` rules on those).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies.base import DAY, Pattern, make_pattern, money, span_days
from graphbench.analytics.typologies.params import PatternParams


def one_sum_rings(index: TransferIndex, params: PatternParams) -> tuple[list[Pattern], list[str]]:
    """Open and closed rings of one sum (see the module docstring), one pattern per linked group of
    hops, and notes when the work budget cut the search."""
    hops = _candidate_hops(index, params)
    if hops is None:
        return [], []
    window = int(params.ring_window_days * DAY)
    sends = np.bincount(index.src, minlength=len(index.nodes))  # transfers each channel pays, in all
    found: list[Pattern] = []
    budget = [params.ring_work_budget]
    cut = False
    for _, group in hops.groupby("cls", sort=True):
        share = len(group) / len(index)  # the amount's share of all transfers
        edges: dict[tuple[int, int], list[int]] = defaultdict(list)  # hop → its transfers
        for s, d, p in zip(group["src"].tolist(), group["dst"].tolist(), group["pos"].tolist(), strict=True):
            edges[(s, d)].append(p)
        for component in _components(edges):
            result = _qualifying(component, edges, index.ts, window, params, budget)
            if result is None:
                cut = True
                continue
            positions, nodes, closed, longest = result
            if positions and _chance_chains(index, positions, share, sends) <= params.ring_chance_limit:
                found.append(_ring_pattern(index, positions, nodes, closed, longest))
        if budget[0] <= 0:
            cut = True
            break
    notes = [f"cycle: the one-sum ring search stopped after {params.ring_work_budget:,} path steps; "
             "rings of one sum may be missing"] if cut else []
    return found, notes


def _candidate_hops(index: TransferIndex, params: PatternParams) -> pd.DataFrame | None:
    """Transfers of the amount classes (currency, cents as written) that pass the chance check and
    hold a hop from one relay (a channel that both receives and pays that sum) to another: only
    those can lie on a chain of >= 3 hops. Relays are found first, by hashing, so a table of a
    million random amounts costs a few vectorised passes."""
    values = index.amount_orig if index.amount_orig is not None else index.amount
    ok = np.isfinite(values) & (index.src != index.dst) & (values > 0)
    if not ok.any():
        return None
    pos = np.flatnonzero(ok)
    cur_code, currencies = pd.factorize(index.currency[pos], use_na_sentinel=False)
    cents = np.round(values[pos] * 100).astype(np.int64)
    cls = pd.factorize(cents * max(len(currencies), 1) + cur_code)[0].astype(np.int64)
    src, dst = index.src[pos], index.dst[pos]
    n = max(len(index.nodes), 1)
    in_key, out_key = cls * n + dst, cls * n + src
    # a hop from a relay to a relay: its sender also receives the sum, its receiver also pays it
    relay_hop = _in_each_other(out_key, in_key)
    if not relay_hop.any():
        return None
    # the chance check, over every distinct hop of the classes still in question
    take = pd.Index(cls).isin(np.unique(cls[relay_hop]))
    hops = pd.DataFrame({"cls": cls[take], "src": src[take], "dst": dst[take], "pos": pos[take]})
    m = hops.drop_duplicates(["cls", "src", "dst"]).groupby("cls").size()
    k = params.ring_min_hops
    chance = m * (m / n) ** (k - 1)  # chance chains of k hops: m distinct hops among n channels
    passing = m.index[(m >= k) & (chance <= params.ring_chance_limit)]
    hops = hops[hops["cls"].isin(passing)]
    return hops if len(hops) else None


def _chance_chains(index: TransferIndex, positions: list[int], share: float, sends: np.ndarray) -> float:
    """How many chains this tight chance would give in the table: N times, per relay (a member
    that both pays and receives the sum here), the chance that one of its payments is this amount."""
    pos = np.asarray(positions, dtype=np.int64)
    relays = np.intersect1d(index.src[pos], index.dst[pos])
    return float(len(index) * np.prod(sends[relays] * share))


def _in_each_other(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per position: ``a[i]`` occurs in ``b`` and ``b[i]`` occurs in ``a``. Both sorted once, then
    searched in sorted order (random-order binary searches over 1M keys miss the cache)."""
    order_a, order_b = np.argsort(a), np.argsort(b)
    sa, sb = a[order_a], b[order_b]
    a_in_b = np.empty(len(a), dtype=bool)
    b_in_a = np.empty(len(b), dtype=bool)
    a_in_b[order_a] = sb[np.minimum(np.searchsorted(sb, sa), len(sb) - 1)] == sa
    b_in_a[order_b] = sa[np.minimum(np.searchsorted(sa, sb), len(sa) - 1)] == sb
    return a_in_b & b_in_a


def _components(edges: dict[tuple[int, int], list[int]]) -> list[list[tuple[int, int]]]:
    """Weakly linked groups of hops (union-find over channels), each sorted, sorted by first hop."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, d in edges:
        a, b = root(s), root(d)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for hop in sorted(edges):
        groups[root(hop[0])].append(hop)
    return sorted(groups.values())


def _qualifying(component: list[tuple[int, int]], edges: dict[tuple[int, int], list[int]], ts: np.ndarray,
                window: int, params: PatternParams, budget: list[int]
                ) -> tuple[list[int], list[int], bool, int] | None:
    """Transfers and channels on simple paths (or rings) of >= ``ring_min_hops`` hops whose hops all
    have a transfer within one window; whether a ring closes; the longest such path. None when the
    work budget ran out."""
    if len(component) < params.ring_min_hops:
        return [], [], False, 0
    succ: dict[int, list[int]] = defaultdict(list)
    for s, d in component:
        succ[s].append(d)
    times = {hop: np.sort(ts[edges[hop]]) for hop in component}
    on_path: set[tuple[int, int]] = set()
    taken: set[int] = set()  # transfers of qualifying paths, each within its own window
    closed, longest = False, 0
    max_hops = params.cycle_max_length

    def keep(hops: list[tuple[int, int]]) -> None:
        lo, hi = _span(hops, times, window) or (0, -1)
        on_path.update(hops)
        taken.update(p for hop in hops for p in edges[hop] if lo <= ts[p] <= hi)

    for start in sorted(succ):
        stack: list[tuple[int, tuple[int, ...]]] = [(start, (start,))]
        while stack:
            budget[0] -= 1
            if budget[0] < 0:
                return None
            node, path = stack.pop()
            for nxt in succ.get(node, ()):
                if nxt == path[0] and len(path) >= params.ring_min_hops:
                    ring = list(zip(path, path[1:] + (nxt,), strict=True))
                    if _within(ring, times, window):
                        keep(ring)
                        closed = True
                        longest = max(longest, len(ring))
                    continue
                if nxt in path or len(path) > max_hops:
                    continue
                chain = list(zip(path, path[1:] + (nxt,), strict=True))
                if not _within(chain, times, window):
                    continue  # a longer path through these hops is no tighter
                if len(chain) >= params.ring_min_hops:
                    keep(chain)
                    longest = max(longest, len(chain))
                stack.append((nxt, path + (nxt,)))
    if not on_path:
        return [], [], False, 0
    nodes = sorted({c for hop in on_path for c in hop})
    return sorted(taken), nodes, closed, longest


def _within(hops: list[tuple[int, int]], times: dict[tuple[int, int], np.ndarray], window: int) -> bool:
    """Whether some interval of ``window`` seconds holds a transfer of every hop."""
    return _span(hops, times, window) is not None


def _span(hops: list[tuple[int, int]], times: dict[tuple[int, int], np.ndarray], window: int
          ) -> tuple[int, int] | None:
    """The earliest-starting interval of at most ``window`` seconds holding a transfer of every hop
    (sliding window over the hops' merged times), or None."""
    merged = sorted((int(t), i) for i, hop in enumerate(hops) for t in times[hop])
    need = len(hops)
    count: dict[int, int] = defaultdict(int)
    have, left = 0, 0
    for right, (_, i) in enumerate(merged):
        count[i] += 1
        have += count[i] == 1
        while merged[right][0] - merged[left][0] > window:
            j = merged[left][1]
            count[j] -= 1
            have -= count[j] == 0
            left += 1
        if have == need:
            return merged[left][0], merged[left][0] + window
    return None


def _ring_pattern(index: TransferIndex, positions: list[int], nodes: list[int], closed: bool,
                  longest: int) -> Pattern:
    pos = np.asarray(positions, dtype=np.int64)
    values = index.amount_orig if index.amount_orig is not None else index.amount
    cur = index.currency[pos[0]]
    each = f"{float(values[pos[0]]):,.2f} {cur if isinstance(cur, str) and cur else ''}".strip()
    shape = ("a closed ring" if closed else
             "an open ring (a hop unpaid or outside the data) or a relay chain")
    reason = (f"the same {each} passed along {longest} hops through {len(nodes)} channels in "
              f"{span_days(index, pos):.0f} days, in no time order: {shape}; "
              f"{money(index, float(np.nansum(index.amount[pos])))} in all")
    # weaker evidence than a time-respecting ring that keeps a cut; longer chains are rarer by chance
    score = (0.8 if closed else 0.55) + 0.03 * min(longest - 3, 5)
    return make_pattern(index, "cycle", pos, score, reason, members=nodes)
