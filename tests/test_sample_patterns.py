"""The sample data's planted laundering patterns: each kind present, and its ground truth agrees with
its transfers (totals, times, members, shapes)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from generated_sample import PATTERN_KINDS, account_node, channel_node, text, transactions_by_id, truth_of, valid_rows

from graphbench import normalize


def test_each_pattern_kind_has_at_least_five_instances(sample: Path) -> None:
    kinds = defaultdict(int)
    for pattern in truth_of(sample)["patterns"]:
        kinds[pattern["kind"]] += 1
    assert all(kinds[k] >= 5 for k in PATTERN_KINDS), dict(kinds)
    assert set(kinds) == set(PATTERN_KINDS)


def test_pattern_totals_times_and_members_match_their_transfers(sample: Path) -> None:
    txs = transactions_by_id(sample)
    for pattern in truth_of(sample)["patterns"]:
        rows = [txs[t] for t in pattern["tx_ids"]]
        assert sum(float(r["amount"]) for r in rows) == pytest.approx(pattern["amount"], abs=0.01)
        stamps = sorted(normalize.timestamp(r["timestamp"]) for r in rows)
        assert (stamps[0], stamps[-1]) == (pattern["first_ts"], pattern["last_ts"])
        ends = {channel_node(r["from_type"], r["from_id"]) for r in rows}
        ends |= {channel_node(r["to_type"], r["to_id"]) for r in rows}
        assert ends == set(pattern["members"])


def edges(pattern: dict[str, Any], txs: dict[str, dict[str, Any]]) -> list[tuple[str, str, float, str]]:
    rows = [txs[t] for t in pattern["tx_ids"]]
    return sorted(((channel_node(r["from_type"], r["from_id"]), channel_node(r["to_type"], r["to_id"]),
                    float(r["amount"]), normalize.timestamp(r["timestamp"])) for r in rows), key=lambda e: e[3])


def hours(first: str, last: str) -> float:
    return (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds() / 3600


def test_pattern_shapes(sample: Path) -> None:
    txs = transactions_by_id(sample)
    for pattern in truth_of(sample)["patterns"]:
        flow = edges(pattern, txs)
        sources = {e[0] for e in flow}
        targets = {e[1] for e in flow}
        kind = pattern["kind"]
        if kind == "fan_in":
            assert len(targets) == 1 and len(sources) >= 5
            assert hours(pattern["first_ts"], pattern["last_ts"]) <= 96
        elif kind == "fan_out":
            assert len(sources) == 1 and len(targets) >= 5
            assert hours(pattern["first_ts"], pattern["last_ts"]) <= 96
        elif kind == "cycle":
            assert 3 <= len(flow) <= 6 and flow[0][0] == flow[-1][1]
            assert all(a[1] == b[0] and a[2] > b[2] for a, b in zip(flow, flow[1:], strict=False))
        elif kind in ("scatter_gather", "gather_scatter"):
            middles = sources & targets
            assert len(middles) >= (1 if kind == "gather_scatter" else 4)
            assert len(sources - targets) >= (4 if kind == "gather_scatter" else 1)
            assert len(targets - sources) >= (4 if kind == "gather_scatter" else 1)
        elif kind == "stack":
            (source,) = sources - targets
            (sink,) = targets - sources
            assert longest_path(flow, source, sink) >= 3
        else:
            assert len(sources) == 1 and all(9000 <= e[2] < 10000 for e in flow) and len(flow) >= 5


def longest_path(flow: list[tuple[str, str, float, str]], source: str, sink: str) -> int:
    successors: dict[str, set[str]] = defaultdict(set)
    for start, end, _amount, _ts in flow:
        successors[start].add(end)

    def depth(node: str) -> int:
        return 0 if node == sink else 1 + max((depth(n) for n in successors[node]), default=-10**6)

    return depth(source)


def test_pattern_tx_ids_are_unique_and_patterns_do_not_share_transfers(sample: Path) -> None:
    tx_ids = [t for p in truth_of(sample)["patterns"] for t in p["tx_ids"]]
    assert len(tx_ids) == len(set(tx_ids))
    assert all(re.fullmatch(r"TX\d{9}", t) for t in tx_ids)


# --- same-operator evidence ----------------------------------------------------------------------

def test_each_ring_operators_accounts_are_tied_by_an_identifier_or_a_look_alike_handle(sample: Path) -> None:
    truth = truth_of(sample)
    evidence: dict[str, set[str]] = defaultdict(set)
    for row in valid_rows(sample, "accounts.csv"):
        account = account_node(row["platform"], row["handle"])
        if text(row, "phone"):
            evidence[account].add("phone:" + normalize.phone(row["phone"]))
        if text(row, "email"):
            evidence[account].add("email:" + normalize.email(row["email"]))
    for row in valid_rows(sample, "payment_links.csv"):
        evidence[account_node(row["platform"], row["handle"])].add(channel_node(row["channel_type"], row["channel_id"]))
    escrow = set(truth["popular_identifiers"])
    tied = 0
    for operator in (op for op in truth["operators"] if op["ring"] and len(op["accounts"]) > 1):
        accounts = operator["accounts"]
        linked = {accounts[0]}
        changed = True
        while changed:  # grow the set of accounts reachable through shared evidence
            changed = False
            for account in accounts:
                if account not in linked and any(
                        (evidence[account] & evidence[other]) - escrow or look_alike(account, other)
                        for other in linked):
                    linked.add(account)
                    changed = True
        assert linked == set(accounts), operator
        tied += 1
    assert tied >= 3


def look_alike(first: str, second: str) -> bool:
    """Handles sharing a run of at least 6 letters/digits once separators are dropped (scale.shop ~ scaleshop_vn)."""
    a, b = (re.sub(r"[^a-z0-9]", "", node.rsplit(":", 1)[1]) for node in (first, second))
    return any(a[i:i + 6] in b for i in range(len(a) - 5))
