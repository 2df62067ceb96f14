"""A trace read hop by hop from the store gives the same trail as the trace over the whole table, and
reads only what the trail reaches."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import graphbench.store_reads.trace_walk as trace_module
from graphbench.analytics.trace import trace
from graphbench.store.tables import read_tables
from graphbench.store_reads.trace_walk import trace_store

ROOT = Path(__file__).resolve().parents[1]
TRUTH = json.loads((ROOT / "sample_data" / "ground_truth.json").read_text())
RING = TRUTH["rings"][0]
ESCROW = "PaymentChannel:bank_account:MARKETPLACE-ESCROW-0001"
# (start, direction, hops, tolerance, since, until): both directions, an account start, a tolerance,
# a busy hub, and time windows (a date-only bound and a full stamp)
CASES = [(RING["channels"][0], "out", 3, None, None, None), (RING["channels"][1], "in", 2, None, None, None),
         (RING["accounts"][0], "out", 4, 0.2, None, None), (ESCROW, "in", 1, None, None, None),
         (ESCROW, "out", 2, None, "2023-08-13", "2024-02-11T11:08:53Z"),
         (RING["accounts"][0], "in", 3, None, "2023-08-13", None)]


def _comparable(result) -> dict:
    document = result.to_dict()
    document["transfers"] = sorted(document["transfers"], key=lambda t: (t["tx_id"], t["hop"]))
    document["totals"] = sorted(document["totals"], key=lambda t: (t["node"], str(t["currency"])))
    document["start_channels"] = sorted(document["start_channels"])
    return document


def _check_same_as_whole_table(store, whole: dict[str, pd.DataFrame]) -> None:
    for start, direction, hops, tolerance, since, until in CASES:
        options = {"direction": direction, "hops": hops, "amount_tolerance": tolerance, "since": since,
                   "until": until}
        expected = trace(whole["TRANSFERRED"], [start], uses=whole["USES"], **options)
        actual = trace_store(store, [start], **options)
        assert len(expected.transfers) > 0, start
        assert _comparable(actual) == _comparable(expected), (start, direction, hops)


@pytest.mark.parametrize("chunk", [1_000, 3])
def test_embedded_trace_store_matches_the_whole_table(sample_store, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # chunk 3: every level past the first is read a few channels at a time, in the walk's order
    monkeypatch.setattr(trace_module, "READ_CHUNK", chunk)
    _check_same_as_whole_table(sample_store, read_tables(sample_store, ["TRANSFERRED", "USES"], provenance=False))


def test_reads_stay_bounded_and_a_cut_read_says_truncated(sample_store) -> None:
    reads: list[int] = []

    class Counting:
        def __init__(self, store) -> None:
            self.store = store

        def transfers_of(self, channels, direction="out", limit=100_000, **window):
            part = self.store.transfers_of(channels, direction, limit, **window)
            reads.append(len(part))
            return part

        def neighbourhood(self, *args, **kwargs):
            return self.store.neighbourhood(*args, **kwargs)

    full = trace_store(Counting(sample_store), [RING["channels"][0]], hops=3)
    assert not full.truncated and len(reads) <= 4
    assert sum(reads) < len(sample_store.relationships("TRANSFERRED", []))  # not the whole table
    reads.clear()
    cut = trace_store(Counting(sample_store), [RING["channels"][0]], hops=3, max_read=5)
    # one row past the cap is read, to know the cap cut something; only the cap's rows are traced
    assert cut.truncated and sum(reads) <= 5 + 1 and len(cut.transfers) <= 5


def _second_level(transfers: pd.DataFrame) -> list[str]:
    """The channels that paid the escrow: what a backward trace from it reads at its second level."""
    return sorted(set(transfers.loc[transfers["end"] == ESCROW, "start"]) - {ESCROW})


def test_a_trail_cut_at_max_transfers_stops_reading_and_matches_the_whole_table(
        sample_store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Backwards from the escrow hub the walk reaches max_transfers within two hops: the hops after
    that are never read, and the trail is still the whole-table trace's."""
    whole = read_tables(sample_store, ["TRANSFERRED", "USES"], provenance=False)
    levels: list[int] = []

    class Counting:
        def transfers_of(self, channels, direction="out", limit=100_000, **window):
            part = sample_store.transfers_of(channels, direction, limit, **window)
            levels.append(len(part))
            return part

    for cap in (150, 1_000):
        levels.clear()
        expected = trace(whole["TRANSFERRED"], [ESCROW], direction="in", hops=3, max_transfers=cap)
        actual = trace_store(Counting(), [ESCROW], direction="in", hops=3, max_transfers=cap)
        assert expected.truncated and len(expected.transfers) == cap
        assert _comparable(actual) == _comparable(expected)
        assert len(levels) <= 2  # of the 4 levels an uncut 3-hop trail reads
    # a big level read in chunks, in the walk's order: the cut trail needs only the first chunks
    monkeypatch.setattr(trace_module, "READ_CHUNK", 20)
    for cap in (800, 900):
        levels.clear()
        expected = trace(whole["TRANSFERRED"], [ESCROW], direction="in", hops=3, max_transfers=cap)
        actual = trace_store(Counting(), [ESCROW], direction="in", hops=3, max_transfers=cap)
        assert expected.truncated and _comparable(actual) == _comparable(expected)
        all_at_once = len(sample_store.transfers_of(_second_level(whole["TRANSFERRED"]), "in"))
        assert sum(levels[1:]) < all_at_once, (cap, levels)


@pytest.mark.neo4j
def test_neo4j_trace_store_matches_the_whole_table(neo4j_sample, sample_store,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    neo4j_store = neo4j_sample  # the sample, loaded once for the tests that read it (tests/conftest.py)
    whole = read_tables(sample_store, ["TRANSFERRED", "USES"], provenance=False)
    for chunk in (1_000, 3):  # whole levels, then levels read a few channels at a time
        monkeypatch.setattr(trace_module, "READ_CHUNK", chunk)
        _check_same_as_whole_table(neo4j_store, whole)
