"""Analysis reads without provenance: the same tables, minus the provenance columns, whether the
embedded store reads them from disk or from memory, and in Neo4j."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from graphbench.schema import NODE_TYPES, PROVENANCE_PROPS
from graphbench.store import open_store
from graphbench.store.tables import ANALYSIS_TABLES, read_tables
from loaders.load import load_dir

MINI = Path(__file__).parent / "fixtures" / "mini"


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    keys = [c for c in ("id", "start", "end", "tx_id") if c in a.columns]
    a = a.sort_values(keys, kind="stable").reset_index(drop=True)
    b = b[list(a.columns)].sort_values(keys, kind="stable").reset_index(drop=True)
    # the stores tell "no value" apart differently (None, NaN, <NA>); the values are what must agree
    a, b = (frame.astype(object).where(frame.notna(), None) for frame in (a, b))
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


@pytest.fixture
def committed(tmp_path: Path) -> str:
    store = open_store(f"file:{tmp_path / 'ws'}")
    load_dir(store, MINI, rejects_dir=tmp_path / "rejects")
    store.close()
    return f"file:{tmp_path / 'ws'}"


def test_lean_read_drops_only_provenance(committed: str) -> None:
    full = read_tables(open_store(committed))
    lean = read_tables(open_store(committed), provenance=False)  # a fresh store: read from disk
    assert set(full) == set(lean)
    for name, table in full.items():
        assert not set(PROVENANCE_PROPS) & set(lean[name].columns), name
        kept = [c for c in table.columns if c not in PROVENANCE_PROPS]
        assert list(lean[name].columns) == kept, name
        _same(table[kept], lean[name])
    assert len(lean["TRANSFERRED"]) > 0 and "amount" in lean["TRANSFERRED"]


def test_disk_and_memory_reads_agree(committed: str) -> None:
    on_disk = open_store(committed)
    in_memory = open_store(committed)
    for name in ANALYSIS_TABLES:  # load every table into memory first
        (in_memory.nodes if name in NODE_TYPES else in_memory.relationships)(name)
    for name, table in read_tables(on_disk, provenance=False).items():
        _same(table, read_tables(in_memory, [name], provenance=False)[name])


def test_columns_pick_and_order_properties(committed: str) -> None:
    store = open_store(committed)
    picked = store.relationships("TRANSFERRED", ["amount", "no_such_property", "tx_id"])
    assert list(picked.columns) == ["start", "end", "amount", "no_such_property", "tx_id"]
    assert picked["no_such_property"].isna().all()
    full = open_store(committed).relationships("TRANSFERRED")
    _same(full[["start", "end", "amount", "tx_id"]], picked.drop(columns="no_such_property"))


@pytest.mark.neo4j
def test_neo4j_lean_read_matches_embedded(neo4j_store, committed: str, tmp_path: Path) -> None:
    load_dir(neo4j_store, MINI, rejects_dir=tmp_path / "neo4j-rejects")
    embedded = read_tables(open_store(committed), provenance=False)
    for name, table in read_tables(neo4j_store, provenance=False).items():
        assert not set(PROVENANCE_PROPS) & set(table.columns), name
        assert set(table.columns) == set(embedded[name].columns), name
        _same(embedded[name], table)
    picked = neo4j_store.nodes("Account", ["handle", "platform"])
    assert list(picked.columns) == ["id", "handle", "platform"] and len(picked) == len(embedded["Account"])
