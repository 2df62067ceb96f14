"""A trace read hop by hop from the store gives the same trail as the trace over the whole table, and
reads only what the trail reaches."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from graphbench.analytics.trace import trace, trace_store
from graphbench.store.tables import read_tables

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


def test_embedded_trace_store_matches_the_whole_table(sample_store) -> None:
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


@pytest.mark.neo4j
def test_neo4j_trace_store_matches_the_whole_table(neo4j_store, sample_store, tmp_path: Path) -> None:
    from loaders.load import load_dir

    load_dir(neo4j_store, ROOT / "sample_data", rejects_dir=tmp_path / "rejects")
    _check_same_as_whole_table(neo4j_store, read_tables(sample_store, ["TRANSFERRED", "USES"], provenance=False))
