"""benchmarks/typology_generator.py makes what its docstring promises: the published bounds, time
order, currency changes along chains, fresh mules beside launderers with history, canonical files
that load without a reject, node ids as the loaders build them, the same bytes for the same seed."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from typology_generator import PER_USD, THRESHOLD_USD, generate  # noqa: E402


@pytest.fixture(scope="module")
def multi():
    return generate("tiny", seed=2, currencies=15)


def _rows(data, attempt) -> pd.DataFrame:
    return data.transactions.set_index("tx_id").loc[attempt["tx_ids"]].sort_values("timestamp", kind="stable")


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = generate("tiny", 4), generate("tiny", 4), generate("tiny", 5)
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    assert a.truth == b.truth
    assert not a.transactions["from_id"].equals(c.transactions["from_id"])


def test_bounds_of_the_published_typologies(multi) -> None:
    attempts = multi.truth["attempts"]
    assert {a["typology"] for a in attempts} == {"fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter",
                                                 "bipartite", "stack", "structuring"}
    for a in attempts:
        rows = _rows(multi, a)
        span = pd.to_datetime(rows["timestamp"]).max() - pd.to_datetime(rows["timestamp"]).min()
        assert span <= pd.Timedelta(days=7), a["id"]
        if a["typology"] in ("fan_out", "fan_in"):
            center = rows["from_id" if a["typology"] == "fan_out" else "to_id"]
            assert center.nunique() == 1 and 5 <= a["degree"] <= 16 and len(rows) == a["degree"]
        if a["typology"] == "structuring":
            usd = rows["amount"] / rows["currency"].map(PER_USD)
            assert usd.between(0.85 * THRESHOLD_USD * 0.999, THRESHOLD_USD).all(), a["id"]


def test_cycles_close_in_time_order_and_change_currency_at_every_hop(multi) -> None:
    for a in (a for a in multi.truth["attempts"] if a["typology"] == "cycle"):
        rows = _rows(multi, a)
        assert 2 <= len(rows) <= 12
        frm = ("PaymentChannel:" + rows["from_type"] + ":" + rows["from_id"]).tolist()
        to = ("PaymentChannel:" + rows["to_type"] + ":" + rows["to_id"]).tolist()
        assert frm[1:] == to[:-1] and to[-1] == frm[0], a["id"]  # hop after hop, back home
        assert sorted(frm) == sorted(a["members"])
        currencies = rows["currency"].tolist()
        assert all(x != y for x, y in zip(currencies, currencies[1:], strict=False)), a["id"]


def test_fresh_mules_and_launderers_with_history(multi) -> None:
    t = multi.transactions
    ends = pd.concat(["PaymentChannel:" + t["from_type"] + ":" + t["from_id"],
                      "PaymentChannel:" + t["to_type"] + ":" + t["to_id"]]).to_numpy()
    laundering = set().union(*(set(a["tx_ids"]) for a in multi.truth["attempts"]))
    tx = pd.concat([t["tx_id"], t["tx_id"]]).to_numpy()
    other = pd.Series(ends[[x not in laundering for x in tx]]).value_counts()
    members = {m for a in multi.truth["attempts"] for m in a["members"]}
    with_history = {m for m in members if other.get(m, 0) > 0}
    assert 0.2 * len(members) < len(with_history) < 0.8 * len(members)


def test_files_load_without_rejects_and_ids_match_the_loaders(tmp_path: Path, multi) -> None:
    from graphbench.store import open_store
    from loaders.load import load_dir

    multi.write(tmp_path / "data")
    store = open_store("memory:")
    report = load_dir(store, tmp_path / "data", rejects_dir=tmp_path / "rejects", resolve=False)
    assert report.rejected == 0 and report.warnings == 0
    transfers = store.relationships("TRANSFERRED")
    assert len(transfers) == len(multi.transactions)
    nodes = set(transfers["start"]) | set(transfers["end"])
    assert {m for a in multi.truth["attempts"] for m in a["members"]} <= nodes
    assert sorted(multi.fx_rates["currency"]) == sorted(set(multi.transactions["currency"]))
