"""The stored-key hashes that let a batch of new keys skip the merge's join (graphbench/store/duck_keys.py):
whatever the hashes say, the store ends as the exact merge leaves it — with real hashes, with hashes that
collide all the time, when a key column's type is widened, and after a row is updated or a table dropped."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphbench.export.jsonl import generate_jsonl
from graphbench.store import duck_keys
from graphbench.store import embedded as embedded_module
from graphbench.store.duck_values import records_table
from graphbench.store.embedded import EmbeddedStore


def _transfer(tx: object, amount: float, seen: str, row: int) -> dict:
    return {"start": "PaymentChannel:paypal:a@x.example", "end": "PaymentChannel:paypal:b@x.example",
            "tx_id": tx, "amount": amount, "first_seen": seen, "last_seen": seen, "sources": [f"f.csv#{row}#h{row}"]}


def _batches(plan: list[list[tuple[int, float, int]]]) -> list[pa.Table]:
    seq = 0
    tables = []
    for batch in plan:
        rows = [_transfer(f"T{tx}", amount, f"2024-01-{day:02d}T00:00:00Z", seq + k)
                for k, (tx, amount, day) in enumerate(batch)]
        tables.append(records_table(rows, ["start", "end"], seq_start=seq))
        seq += len(rows)
    return tables


def _load(tables: list[pa.Table], exact: bool, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    store = EmbeddedStore(None)
    if exact:  # the store without key hashes: every batch takes the join
        monkeypatch.setattr(embedded_module, "StoredKeys", lambda: None)
        store = EmbeddedStore(None)
        monkeypatch.undo()
    for table in tables:
        store.upsert_tables({}, {"TRANSFERRED": table})
    return sorted(generate_jsonl(store))


plans = st.lists(st.lists(st.tuples(st.integers(0, 12), st.floats(0, 100, allow_nan=False), st.integers(1, 28)),
                          min_size=1, max_size=8), min_size=1, max_size=6)


@settings(max_examples=8, deadline=None)
@given(plans, st.booleans())
def test_key_hashes_never_change_what_the_merge_leaves(plan, colliding: bool) -> None:
    with pytest.MonkeyPatch.context() as patch:
        if colliding:  # every other key looks stored: the exact path must still be taken and be right
            real = duck_keys._hashes
            patch.setattr(duck_keys, "_hashes", lambda con, source, keys: real(con, source, keys) % np.uint64(2))
        fast = _load(_batches(plan), False, patch)
    with pytest.MonkeyPatch.context() as patch:
        exact = _load(_batches(plan), True, patch)
    assert fast == exact
    assert sum('"TRANSFERRED"' in line for line in fast) == len({tx for batch in plan for tx, _, _ in batch})


def test_a_widened_key_column_is_hashed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """tx_id first loaded as numbers, then as text: the column becomes text, and "7" is the 7 stored."""
    store = EmbeddedStore(None)
    store.upsert_tables({}, {"TRANSFERRED": records_table([_transfer(7, 1.0, "2024-01-01T00:00:00Z", 1)],
                                                          ["start", "end"])})
    store.upsert_tables({}, {"TRANSFERRED": records_table([_transfer("7", 2.0, "2024-01-02T00:00:00Z", 2)],
                                                          ["start", "end"], seq_start=1)})
    rels = store.relationships("TRANSFERRED")
    assert len(rels) == 1 and rels["amount"].tolist() == [2.0]


def test_an_updated_key_is_hashed_again() -> None:
    store = EmbeddedStore(None)
    store.upsert_tables({}, {"TRANSFERRED": _batches([[(1, 1.0, 1)]])[0]})
    a, b = "PaymentChannel:paypal:a@x.example", "PaymentChannel:paypal:b@x.example"
    store.set_rel_property("TRANSFERRED", a, b, "tx_id", "T2")  # the stored key is now T2
    store.upsert_tables({}, {"TRANSFERRED": records_table([_transfer("T2", 5.0, "2024-02-01T00:00:00Z", 9)],
                                                          ["start", "end"], seq_start=5)})
    rels = store.relationships("TRANSFERRED")
    assert rels["tx_id"].tolist() == ["T2"] and rels["amount"].tolist() == [5.0]
