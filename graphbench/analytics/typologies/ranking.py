"""Run the detectors, merge duplicates, leave out fans that are part of a more specific pattern,
attach the accounts behind each channel, and rank.

Everything here is order-free: merges are by shared transfers, sorting is by (score, first time,
transfer ids), never by node codes or input order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd

from graphbench.analytics.trace import TransferIndex
from graphbench.analytics.typologies.base import Pattern, PatternList, make_pattern
from graphbench.analytics.typologies.bipartite import bipartite, stacked_blocks
from graphbench.analytics.typologies.cycles import cycles
from graphbench.analytics.typologies.fans import fans, gather_scatter
from graphbench.analytics.typologies.params import PatternParams
from graphbench.analytics.typologies.relays import relay_episodes, scatter_gather, stacks
from graphbench.analytics.typologies.rings import one_sum_rings
from graphbench.analytics.typologies.structuring import structuring

KINDS = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack", "bipartite", "structuring")
FANS = ("fan_in", "fan_out")
# which kind explains more when two cover the same transfers: the whole ring, the whole layered
# stack, then the one-centre shapes, the block, structuring, and plain fans last
PRECEDENCE = ("cycle", "stack", "scatter_gather", "gather_scatter", "bipartite", "structuring", "fan_in", "fan_out")

AccountsOf: TypeAlias = Mapping[str, Sequence[str]] | pd.DataFrame


def find_patterns(transfers: pd.DataFrame | TransferIndex, kinds: Sequence[str] | None = None,
                  params: PatternParams | None = None, top: int | None = None,
                  accounts: AccountsOf | None = None) -> PatternList:
    """Every pattern of the asked kinds (all by default).

    Order: by kind (in the order asked), strongest first within a kind; with ``top``, the ``top``
    strongest across kinds. ``accounts``: channel id → account ids, or the USES table
    (``start`` = Account, ``end`` = PaymentChannel), to name the accounts behind each pattern.
    Fans that are part of a more specific pattern are reported only as that pattern. The result
    is a list with ``complete`` (False when a work budget stopped a search) and ``notes``.
    """
    params = params or PatternParams()
    wanted = list(KINDS) if kinds is None else list(dict.fromkeys(kinds))
    unknown = set(wanted) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown pattern kind(s) {sorted(unknown)}; known: {', '.join(KINDS)}")
    index = transfers if isinstance(transfers, TransferIndex) else TransferIndex.from_frame(transfers)
    if not len(index):
        return PatternList()
    notes: list[str] = []
    work: dict[str, int] = {}
    found: dict[str, list[Pattern]] = {}
    for kind in wanted:
        if kind in FANS:
            found[kind] = fans(index, params, incoming=kind == "fan_in")
        elif kind == "gather_scatter":
            found[kind] = gather_scatter(index, params)
        elif kind == "scatter_gather":
            found[kind] = scatter_gather(index, params)
        elif kind == "stack":
            # chains of relays between quiet gaps (fresh mules), and stacked payer→payee blocks
            # (mules with other traffic); duplicates are merged below by shared transfers
            found[kind] = stacks(index, relay_episodes(index, params), params) + stacked_blocks(index, params)
        elif kind == "bipartite":
            found[kind] = bipartite(index, params)
        elif kind == "cycle":
            found[kind], cycle_notes, work["cycle"] = cycles(index, params)
            notes.extend(cycle_notes)
            if params.one_sum_rings:
                rings, ring_notes = one_sum_rings(index, params)
                found[kind] += _not_covered(rings, found[kind], len(index), params.merge_overlap)
                notes.extend(ring_notes)
        elif kind == "structuring":
            found[kind] = structuring(index, params)
    # cycles are already merged by shared transfers over one channel set; merging across channel
    # sets would glue a busy clique's many small rings into one blob
    merged = {kind: ps if kind == "cycle" else merge(ps, index, params.merge_overlap) for kind, ps in found.items()}
    # a pattern mostly inside one of a kind that explains more (a bipartite layer or a relay of a
    # stack, a stretch of a cycle, the fan of a scatter-gather) is reported as that one only
    taken = np.zeros(len(index), dtype=bool)  # transfers of the kinds already kept
    for kind in PRECEDENCE:
        if kind in merged:
            merged[kind] = [p for p in merged[kind] if taken[p.positions].mean() < params.merge_overlap]
            for p in merged[kind]:
                taken[p.positions] = True
    if accounts is not None:
        owners = _owners(accounts)
        for ps in merged.values():
            for p in ps:
                p.accounts = sorted({a for m in p.members for a in owners.get(m, ())})
    if top is not None:
        ranked = sorted((p for ps in merged.values() for p in ps), key=rank_key)[:max(top, 0)]
    else:
        ranked = [p for kind in wanted for p in sorted(merged[kind], key=rank_key)]
    return PatternList(ranked, complete=not notes, notes=notes, work=work)


def _not_covered(extra: list[Pattern], kept: list[Pattern], n: int, overlap: float) -> list[Pattern]:
    """``extra`` patterns less than ``overlap`` inside the transfers of ``kept`` (a one-sum ring that
    is also a time-respecting cycle is reported once, as the cycle)."""
    taken = np.zeros(n, dtype=bool)
    for p in kept:
        taken[p.positions] = True
    return [p for p in extra if taken[p.positions].mean() < overlap]


def rank_key(p: Pattern) -> tuple:
    return (-p.score, p.first_ts or "", p.kind, p.tx_ids)


def _owners(accounts: AccountsOf) -> dict[str, list[str]]:
    if isinstance(accounts, pd.DataFrame):
        if accounts.empty or not {"start", "end"} <= set(accounts.columns):
            return {}
        return accounts.groupby("end")["start"].apply(lambda s: sorted(set(map(str, s)))).to_dict()
    return {str(k): list(v) for k, v in accounts.items()}


def merge(patterns: list[Pattern], index: TransferIndex, overlap: float) -> list[Pattern]:
    """Union detections of one kind that share >= ``overlap`` of the smaller one's transfers; the
    union keeps the strongest one's reason and score."""
    if len(patterns) < 2:
        return patterns
    patterns = sorted(patterns, key=rank_key)
    parent = list(range(len(patterns)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, list[int]] = {}
    for i, p in enumerate(patterns):
        for pos in p.positions.tolist():
            owner.setdefault(pos, []).append(i)
    shared: dict[tuple[int, int], int] = {}
    for holders in owner.values():
        for a in range(len(holders)):
            for b in range(a + 1, len(holders)):
                key = (holders[a], holders[b])
                shared[key] = shared.get(key, 0) + 1
    for (a, b), n in shared.items():
        if n >= overlap * min(len(patterns[a].positions), len(patterns[b].positions)):
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)  # the strongest (first ranked) stays the root
    groups: dict[int, list[Pattern]] = {}
    for i, p in enumerate(patterns):
        groups.setdefault(root(i), []).append(p)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        best = group[0]
        positions = np.concatenate([p.positions for p in group])
        center = index.code_of[best.center] if best.center else None
        members = [index.code_of[m] for p in group for m in p.members]
        out.append(make_pattern(index, best.kind, positions, best.score, best.reason, center, members))
    return out
