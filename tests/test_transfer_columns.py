"""The money graph built batch by batch from Arrow equals the one built from the pandas table.

``TransferIndex.from_batches`` exists so that 20M transfers never become Python strings; it must give
exactly what ``from_frame`` gives for the same rows, however the rows are cut into batches and ordered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from graphbench.analytics.trace import TransferIndex, trace
from graphbench.analytics.transfer_columns import TextColumn
from graphbench.store.embedded import EmbeddedStore
from graphbench.store_reads.money_overview import transfer_index, transfer_table

ARRAYS = ("nodes", "src", "dst", "ts", "currency", "out_ptr", "out_order", "out_ts", "in_ptr", "in_order", "in_ts")


def assert_same_index(got: TransferIndex, want: TransferIndex) -> None:
    for name in ARRAYS:
        assert np.array_equal(np.asarray(getattr(got, name)), np.asarray(getattr(want, name))), name
    for name in ("amount", "amount_orig"):
        assert np.array_equal(getattr(got, name), getattr(want, name), equal_nan=True), name
    assert list(np.asarray(got.tx_id)) == list(np.asarray(want.tx_id))
    assert got.code_of == want.code_of
    assert got.fx is not None and want.fx is not None and got.fx.to_dict() == want.fx.to_dict()
    assert got.frame(range(len(got))).equals(want.frame(range(len(want))))


def batches_of(table: pa.Table, cuts: list[int]) -> list[pa.RecordBatch]:
    bounds = sorted({0, len(table), *(c % (len(table) + 1) for c in cuts)})
    return [b for lo, hi in zip(bounds, bounds[1:], strict=False) for b in table.slice(lo, hi - lo).to_batches()]


STAMPS = st.sampled_from(["2024-03-05T10:00:00Z", "2024-03-05T10:00:00Z", "2024-03-05T12:00:00+02:00",
                          "2024-03-06T00:00:01Z", "2023-12-31T23:59:59Z", "2024-03-05T10:00:00.750Z"])
ROWS = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "é", "paypal:x@y", "B"]),
                          st.sampled_from(["a", "b", "c", "d", "paypal:x@y"]),
                          st.one_of(st.none(), st.sampled_from(["t1", "t2", "T1", "t10", "x"])),
                          st.one_of(st.none(), st.just(float("nan")), st.sampled_from([1.0, 2.5, 100.0, 1e9])),
                          st.one_of(st.none(), st.sampled_from(["USD", "EUR", "GBP", "XXX"])),
                          STAMPS), min_size=0, max_size=40)


def table_of(rows: list[tuple]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 6
    return pa.table({"start": pa.array(columns[0], pa.string()), "end": pa.array(columns[1], pa.string()),
                     "tx_id": pa.array(columns[2], pa.string()), "amount": pa.array(columns[3], pa.float64()),
                     "currency": pa.array(columns[4], pa.string()), "ts": pa.array(columns[5], pa.string())})


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, cuts=st.lists(st.integers(0, 40), max_size=4), seed=st.integers(0, 1000),
       base=st.sampled_from(["USD", "EUR"]))
def test_batches_give_the_index_the_frame_gives(rows: list[tuple], cuts: list[int], seed: int, base: str) -> None:
    # ties on (ts, from, to, amount) settled by tx_id, a fraction of a second (pandas' parser), missing
    # currencies and amounts, ids out of order: any cut into batches, the same index as the frame's
    table = table_of(rows).take(pa.array(np.random.default_rng(seed).permutation(len(rows)), pa.int64()))
    got = TransferIndex.from_batches(batches_of(table, cuts), base)
    assert got is not None
    assert_same_index(got, TransferIndex.from_frame(table.to_pandas(), base))


@settings(max_examples=30, deadline=None)
@given(rows=ROWS, seed=st.integers(0, 1000))
def test_row_order_does_not_change_the_batch_built_index(rows: list[tuple], seed: int) -> None:
    # distinct tx_ids, as a store keeps them (start, end and tx_id are a transfer's key): the canonical
    # order is then total, and a permuted read gives the same index
    table = table_of([(*row[:2], f"t{i}", *row[3:]) for i, row in enumerate(rows)])
    shuffled = table.take(pa.array(np.random.default_rng(seed).permutation(len(rows)), pa.int64()))
    got, want = TransferIndex.from_batches(shuffled.to_batches(max_chunksize=3)), TransferIndex.from_batches(
        table.to_batches())
    assert got is not None and want is not None
    assert_same_index(got, want)


def test_columns_not_of_the_plain_layout_are_left_to_the_frame() -> None:
    plain = table_of([("a", "b", "t1", 1.0, "USD", "2024-03-05T10:00:00Z")])
    for name, values in (("tx_id", pa.array([7], pa.int64())), ("amount", pa.array(["1.0"], pa.string()))):
        odd = plain.set_column(plain.schema.get_field_index(name), name, values)
        assert TransferIndex.from_batches(odd.to_batches()) is None
    assert TransferIndex.from_batches(plain.drop_columns(["currency"]).to_batches()) is None
    assert TransferIndex.from_batches(plain.to_batches()) is not None


def test_text_column_is_indexed_like_the_object_array() -> None:
    values = ["t1", None, "é", "x", ""]
    column, array = TextColumn(pa.array(values, pa.string())), np.asarray(values, dtype=object)
    assert len(column) == 5 and column[2] == "é" and column[1] is None and column[-1] == ""
    for key in ([0, 3, 3], np.array([4, -1, 0]), np.array([True, False, True, False, True]), slice(1, 4),
                np.zeros(0, dtype=np.int64)):
        assert list(column[key]) == list(array[key])
    assert list(column.take(np.array([4, 0]))[np.arange(2)]) == ["", "t1"]
    assert list(np.asarray(column)) == values


def test_the_embedded_store_reads_the_index_batch_by_batch(sample_store) -> None:
    # the sample set as the loaders stored it: batches of 7 rows give the index the whole pandas table
    # gives, and a trace over either is the same trail
    want = TransferIndex.from_frame(transfer_table(sample_store), "EUR")
    small = TransferIndex.from_batches(sample_store.relationship_batches(
        "TRANSFERRED", ["start", "end", "tx_id", "amount", "currency", "ts"], rows=7), "EUR")
    assert small is not None and len(small) == len(want) > 20
    assert isinstance(small.tx_id, TextColumn)
    assert_same_index(small, want)
    assert_same_index(transfer_index(sample_store, "EUR"), want)
    start = str(want.nodes[want.src[0]])
    trails = [trace(index, [start], hops=4).transfers for index in (small, want)]
    assert not trails[0].empty and trails[0].equals(trails[1])


def test_no_transfers_stored_reads_as_an_empty_index(tmp_path) -> None:
    store = EmbeddedStore(str(tmp_path / "empty"))
    try:
        assert list(store.relationship_batches("TRANSFERRED", ["start", "end"])) == []
        index = transfer_index(store)
        assert len(index) == 0 and len(index.nodes) == 0
        assert isinstance(TransferIndex.from_frame(pd.DataFrame(columns=["start", "end"])), TransferIndex)
    finally:
        store.close()


def test_a_published_workspace_reads_the_index_it_stores(tmp_path, sample_workspace) -> None:
    # a committed file: workspace is read through a DuckDB of its own for the batches (closed after);
    # the index is the one the pandas table gives, and the store still reads afterwards
    from graphbench.store import open_store

    store = open_store(sample_workspace(tmp_path))
    try:
        want = TransferIndex.from_frame(transfer_table(store), "USD")
        got = transfer_index(store, "USD")
        assert isinstance(got.tx_id, TextColumn) and len(got) == len(want) > 20
        assert_same_index(got, want)
        assert len(transfer_table(store)) == len(want)
    finally:
        store.close()
