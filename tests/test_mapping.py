"""Column mappings: a foreign export loads with no code, and a wrong mapping stops before loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphbench.errors import MappingError
from graphbench.store import open_store
from loaders.load import load_dir

ROOT = Path(__file__).resolve().parents[1]
AMLSIM = Path(__file__).parent / "fixtures" / "amlsim_small"


def test_amlsim_export_loads_through_its_mapping(tmp_path: Path) -> None:
    store = open_store("memory:")
    report = load_dir(store, AMLSIM, mapping=ROOT / "mappings" / "amlsim.yaml", rejects_dir=tmp_path)
    counts = report.to_json()["files"]
    assert counts["transactions.csv"]["loaded"] == 3 and counts["transactions.csv"]["rejected"] == 1
    assert counts["nodes.csv#accounts"]["loaded"] == 5
    transfers = store.relationships("TRANSFERRED").sort_values("tx_id")
    assert list(transfers["tx_id"]) == ["amlsim-1", "amlsim-2", "amlsim-3"]
    assert list(transfers["start"]) == ["PaymentChannel:bank_account:0", "PaymentChannel:bank_account:1",
                                        "PaymentChannel:bank_account:2"]
    assert list(transfers["ts"]) == ["2020-01-02T00:00:00Z", "2020-01-03T00:00:00Z", "2020-01-04T00:00:00Z"]
    uses = store.relationships("USES")
    assert ("Account:amlsim:acct-0", "PaymentChannel:bank_account:0") in set(zip(uses["start"], uses["end"], strict=True))


def test_mapping_naming_a_missing_column_stops_before_anything_loads(tmp_path: Path) -> None:
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("files:\n  transactions:\n    match: 'transactions*.csv'\n"
                       "    columns: {from_id: sender, to_id: targetNodeId, amount: value}\n")
    store = open_store("memory:")
    with pytest.raises(MappingError, match="names column 'sender', which transactions.csv does not have"):
        load_dir(store, AMLSIM, mapping=mapping, rejects_dir=tmp_path)
    assert store.stats()["relationships"]["TRANSFERRED"] == 0


def test_mapping_with_unknown_kind_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("files:\n  invoices:\n    match: '*.csv'\n")
    with pytest.raises(MappingError, match="unknown file kind 'invoices'"):
        load_dir(open_store("memory:"), AMLSIM, mapping=mapping, rejects_dir=tmp_path)
