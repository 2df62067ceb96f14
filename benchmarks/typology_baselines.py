"""Naive baselines for each laundering typology, and the matching rule that scores any detector.

The baselines are what an analyst could write in an afternoon; a detector that does not beat them
is not worth its parameters. Every baseline works on fixed 7-day buckets counted from the first
transfer (a bucket is the "up to a week" span of the published typologies), reads raw amounts
(no currency conversion) and knows nothing about the channels' history:

- fan_out / fan_in: a channel with >= 5 distinct counterparties in a bucket (degree threshold;
  5 is AMLSim's fan size) - every such channel-bucket is reported.
- cycle: every time-respecting cycle of 2..12 hops within 7 days (each hop later than the one
  before, no amount rule); at most ``CYCLE_BUDGET`` extensions per start transfer.
- scatter_gather: A -> M -> B (A != B, M paid after it was paid) through >= 3 distinct M in a
  bucket. M with more than ``HUB_CAP`` transfers in the bucket are skipped (the join would be
  quadratic; a cap for run time, not for accuracy).
- gather_scatter: a channel with >= 4 distinct payers and then >= 4 distinct payees in a bucket.
- bipartite: >= 2 payers whose sets of payees in a bucket are the same set of 2..20 channels.
- stack: bipartite groups chained (the payees of one are the payers of another).
- structuring: >= 3 transfers from one payer (or to one payee) in a bucket with a raw amount in
  [9,000, 10,000).

Matching rule (used for detectors and baselines alike): a reported pattern P *matches* attempt A
when their transfers overlap in at least half of A's and at least half of P's transfers
(|P ∩ A| >= 0.5 |A| and >= 0.5 |P|). The second half keeps one giant blob from "finding" every
attempt inside it. Transfers, not member channels: launderers here also shop and get paid, so
their channels appear in honest patterns too, while an attempt's transfers are exactly known.
Recall of typology X: share of X's attempts matched by a reported pattern *of kind X*. Precision
of kind K: share of K's reported patterns that match some attempt (of any typology: a fan
reported on the scatter half of a scatter-gather is still laundering worth a look). Overall
precision: matched reported patterns / all reported.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

WEEK = 7 * 86_400
CYCLE_BUDGET = 300
HUB_CAP = 50
KINDS = ("fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack", "structuring")


def prepare(transfers: pd.DataFrame) -> pd.DataFrame:
    """start, end, tx_id, amount, t (epoch seconds), bucket; sorted by time then tx_id."""
    t = pd.DataFrame({"start": transfers["start"].astype(str), "end": transfers["end"].astype(str),
                      "tx_id": transfers["tx_id"].astype(str),
                      "amount": pd.to_numeric(transfers["amount"], errors="coerce"),
                      "t": pd.to_datetime(transfers["ts"], utc=True, format="ISO8601").astype("int64") // 10**9})
    t = t.sort_values(["t", "tx_id"], kind="stable").reset_index(drop=True)
    t["bucket"] = (t["t"] - t["t"].min()) // WEEK
    return t


def _groups(frame: pd.DataFrame, kind: str, keys: list[str]) -> list[dict[str, Any]]:
    out = []
    for _, g in frame.groupby(keys, sort=True):
        out.append({"kind": kind, "members": sorted(set(g["start"]) | set(g["end"])),
                    "tx_ids": sorted(set(g["tx_id"]))})
    return out


def fans(t: pd.DataFrame, incoming: bool, k: int = 5) -> list[dict[str, Any]]:
    center = "end" if incoming else "start"
    other = "start" if incoming else "end"
    degree = t.groupby([center, "bucket"])[other].transform("nunique")
    return _groups(t[degree >= k], "fan_in" if incoming else "fan_out", [center, "bucket"])


def cycles(t: pd.DataFrame, max_hops: int = 12, window: int = WEEK) -> list[dict[str, Any]]:
    codes, nodes = pd.factorize(pd.concat([t["start"], t["end"]]), sort=True)
    src, dst = codes[:len(t)], codes[len(t):]
    ts = t["t"].to_numpy()
    order = np.lexsort((np.arange(len(t)), src))  # per sender, in time order
    ptr = np.searchsorted(src[order], np.arange(len(nodes) + 1))
    out_ts = ts[order]
    # a start can close only if its receiver pays on and its sender is paid within the window
    span = int(ts.max() - ts.min()) + 2 * window + 1
    out_key = np.sort(src * span + (ts - ts.min()))
    in_key = np.sort(dst * span + (ts - ts.min()))
    rel = ts - ts.min()

    def any_between(keys: np.ndarray, node: np.ndarray) -> np.ndarray:
        return (np.searchsorted(keys, node * span + rel + window, side="right")
                > np.searchsorted(keys, node * span + rel, side="left"))

    starts = np.flatnonzero(any_between(out_key, dst) & any_between(in_key, src))
    found = []
    for first in starts.tolist():
        home, limit = src[first], ts[first] + window
        stack = [(first, (first,), (home, dst[first]))]
        budget = CYCLE_BUDGET
        while stack and budget > 0:
            last, path, seen = stack.pop()
            node = dst[last]
            a, b = ptr[node], ptr[node + 1]
            lo = a + np.searchsorted(out_ts[a:b], ts[last], side="left")
            hi = a + np.searchsorted(out_ts[a:b], limit, side="right")
            for nxt in order[lo:hi].tolist():
                if nxt <= last:  # later in time (ties: later in file order)
                    continue
                budget -= 1
                if dst[nxt] == home:
                    cycle = path + (nxt,)
                    found.append({"kind": "cycle", "members": sorted(nodes[list(seen)].tolist()),
                                  "tx_ids": sorted(t["tx_id"].to_numpy()[list(cycle)].tolist())})
                elif dst[nxt] not in seen and len(path) < max_hops:
                    stack.append((nxt, path + (nxt,), seen + (dst[nxt],)))
    return found


def scatter_gather(t: pd.DataFrame, k: int = 3) -> list[dict[str, Any]]:
    busy = pd.concat([t[["start", "bucket"]].set_axis(["node", "bucket"], axis=1),
                      t[["end", "bucket"]].set_axis(["node", "bucket"], axis=1)]).value_counts()
    busy = set(busy[busy > HUB_CAP].index)
    quiet = t[[(e, b) not in busy for e, b in zip(t["end"], t["bucket"], strict=True)]]
    ins = quiet[["start", "end", "bucket", "t", "tx_id"]].rename(columns={"start": "a", "end": "m", "t": "t1", "tx_id": "x1"})
    outs = t[["start", "end", "bucket", "t", "tx_id"]].rename(columns={"start": "m", "end": "b", "t": "t2", "tx_id": "x2"})
    legs = ins.merge(outs, on=["m", "bucket"])
    legs = legs[(legs["t2"] > legs["t1"]) & (legs["a"] != legs["b"])]
    legs = legs[legs.groupby(["a", "b", "bucket"])["m"].transform("nunique") >= k]
    out = []
    for _, g in legs.groupby(["a", "b", "bucket"], sort=True):
        out.append({"kind": "scatter_gather", "members": sorted({*g["a"], *g["m"], *g["b"]}),
                    "tx_ids": sorted({*g["x1"], *g["x2"]})})
    return out


def gather_scatter(t: pd.DataFrame, k: int = 4) -> list[dict[str, Any]]:
    ins = t.groupby(["end", "bucket"]).agg(payers=("start", "nunique"), first_in=("t", "min"))
    outs = t.groupby(["start", "bucket"]).agg(payees=("end", "nunique"), first_out=("t", "min"))
    both = ins.join(outs.rename_axis(["end", "bucket"]), how="inner")
    both = both[(both["payers"] >= k) & (both["payees"] >= k) & (both["first_out"] > both["first_in"])]
    wanted = set(both.index)
    legs = pd.concat([t.assign(node=t["end"]), t.assign(node=t["start"])])
    legs = legs[[(n, b) in wanted for n, b in zip(legs["node"], legs["bucket"], strict=True)]]
    return _groups(legs, "gather_scatter", ["node", "bucket"])


def _bipartite_groups(t: pd.DataFrame) -> list[tuple[frozenset, frozenset, list[str]]]:
    by_sender = t.groupby(["bucket", "start"])
    payees = by_sender["end"].agg(frozenset)
    payees = payees[payees.map(len).between(2, 20)]
    sent = by_sender["tx_id"].agg(list)
    groups = []
    for (bucket, receivers), senders in payees.reset_index().groupby(["bucket", "end"])["start"]:
        if len(senders) >= 2:  # a sender's transfers in the bucket all go to `receivers`
            txs = [x for s in senders for x in sent[(bucket, s)]]
            groups.append((frozenset(senders), receivers, txs))
    return groups


def bipartite_and_stack(t: pd.DataFrame) -> list[dict[str, Any]]:
    groups = _bipartite_groups(t)
    out = [{"kind": "bipartite", "members": sorted(s | r), "tx_ids": sorted(x)} for s, r, x in groups]
    by_senders: dict[frozenset, list[int]] = {}
    for i, (s, _, _) in enumerate(groups):
        by_senders.setdefault(s, []).append(i)
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    linked = set()
    for i, (_, r, _) in enumerate(groups):
        for j in by_senders.get(r, []):
            parent[root(i)] = root(j)
            linked.update((i, j))
    chains: dict[int, list[int]] = {}
    for i in sorted(linked):
        chains.setdefault(root(i), []).append(i)
    for members in chains.values():
        out.append({"kind": "stack", "members": sorted(set().union(*(groups[i][0] | groups[i][1] for i in members))),
                    "tx_ids": sorted({x for i in members for x in groups[i][2]})})
    return out


def structuring(t: pd.DataFrame, low: float = 9_000.0, high: float = 10_000.0, k: int = 3) -> list[dict[str, Any]]:
    under = t[(t["amount"] >= low) & (t["amount"] < high)]
    out = []
    for side in ("start", "end"):
        sel = under[under.groupby([side, "bucket"])["tx_id"].transform("size") >= k]
        out.extend(_groups(sel, "structuring", [side, "bucket"]))
    return out


def baseline_patterns(transfers: pd.DataFrame, kinds: tuple[str, ...] = KINDS) -> list[dict[str, Any]]:
    """Every naive pattern of the asked kinds."""
    t = prepare(transfers)
    out: list[dict[str, Any]] = []
    if "fan_out" in kinds:
        out += fans(t, incoming=False)
    if "fan_in" in kinds:
        out += fans(t, incoming=True)
    if "cycle" in kinds:
        out += cycles(t)
    if "scatter_gather" in kinds:
        out += scatter_gather(t)
    if "gather_scatter" in kinds:
        out += gather_scatter(t)
    if {"bipartite", "stack"} & set(kinds):
        out += [p for p in bipartite_and_stack(t) if p["kind"] in kinds]
    if "structuring" in kinds:
        out += structuring(t)
    return out


def score(reported: list[dict[str, Any]], attempts: list[dict[str, Any]],
          kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """Per typology: attempts, found, recall; per reported kind: reported, matched, precision."""
    owner: dict[str, int] = {}
    for i, a in enumerate(attempts):
        for x in a["tx_ids"]:
            owner[str(x)] = i
    found = [False] * len(attempts)
    matched = Counter()
    reported_by = Counter()
    for p in reported:
        kind = p["kind"]
        reported_by[kind] += 1
        hits = Counter(owner[x] for x in map(str, p["tx_ids"]) if x in owner)
        if not hits:
            continue
        best, overlap = max(hits.items(), key=lambda kv: (kv[1], -kv[0]))
        if overlap >= 0.5 * len(attempts[best]["tx_ids"]) and overlap >= 0.5 * len(p["tx_ids"]):
            matched[kind] += 1
            if attempts[best]["typology"] == kind:
                found[best] = True
    rows = {}
    for kind in kinds:
        mine = [i for i, a in enumerate(attempts) if a["typology"] == kind]
        rows[kind] = {"attempts": len(mine), "found": sum(found[i] for i in mine),
                      "recall": round(sum(found[i] for i in mine) / len(mine), 3) if mine else None,
                      "reported": reported_by[kind], "matched": matched[kind],
                      "precision": round(matched[kind] / reported_by[kind], 3) if reported_by[kind] else None}
    total = sum(reported_by.values())
    rows["all"] = {"attempts": len(attempts), "found": sum(found),
                   "recall": round(sum(found) / len(attempts), 3) if attempts else None,
                   "reported": total, "matched": sum(matched.values()),
                   "precision": round(sum(matched.values()) / total, 3) if total else None}
    return rows


def account_scores(flagged: set[str], truth: set[str]) -> dict[str, float]:
    hit = len(flagged & truth)
    p = hit / len(flagged) if flagged else 0.0
    r = hit / len(truth) if truth else 0.0
    return {"flagged": len(flagged), "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}
