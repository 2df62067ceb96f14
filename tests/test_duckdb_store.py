"""The embedded store on DuckDB: a workspace of the earlier Parquet layout is read on first open, the
merge rule holds set-wise (whatever the batch cut), and a reader never sees a half-committed store.

``tests/fixtures/parquet_workspace`` was written by the Parquet store this one replaced (the contract
graph of ``tests/contract``), and ``parquet_workspace.jsonl`` is that store's own export of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from graphbench.batch import GraphBatch, provenance
from graphbench.export.jsonl import generate_jsonl
from graphbench.store import open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_parquet_workspace_is_migrated_on_first_open(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURES / "parquet_workspace", workspace)
    store = open_store(f"file:{workspace}")
    expected = (FIXTURES / "parquet_workspace.jsonl").read_text(encoding="utf-8").splitlines()
    assert list(generate_jsonl(store)) == expected
    assert (workspace / "graph.duckdb").exists() and not (workspace / "nodes").exists()
    assert (workspace / "parquet-before-duckdb" / "nodes" / "Account.parquet").exists()
    # whole numbers with gaps stay whole; list properties stay lists
    followers = store.nodes("Account", columns=["followers"])["followers"]
    assert str(followers.dtype) == "Int64" and followers.isna().sum() == 4
    assert list(store.node("Species:Manis javanica")["common_names"]) == ["Sunda pangolin", "Malayan pangolin"]
    # the migrated store takes writes and merges into what it imported
    batch = GraphBatch()
    batch.add_node("Account:instagram:hub", {"platform": "instagram", "handle": "hub", "followers": 1300},
                   provenance("later.csv", 1, "a" * 64, "2024-07-01T00:00:00Z"))
    store.upsert(batch)
    store.close()
    hub = open_store(f"file:{workspace}").node("Account:instagram:hub")
    assert hub["followers"] == 1300 and hub["display_name"] == "The Hub"
    assert hub["first_seen"] == "2024-06-01T00:00:00Z" and hub["last_seen"] == "2024-07-01T00:00:00Z"
    assert hub["sources"][-1] == f"later.csv#1#{'a' * 64}" and len(hub["sources"]) == 2


def _node(batch: GraphBatch, row: int, seen: str | None, **props: object) -> None:
    batch.add_node("Account:x:seller", {"platform": "x", "handle": "seller", **props},
                   provenance("f.csv", row, f"{row:064x}", seen))


def test_latest_capture_wins_property_by_property_and_a_reload_changes_nothing() -> None:
    records = [("2024-01-05T00:00:00Z", {"bio": "first", "followers": 5}),
               ("2024-01-03T00:00:00Z", {"location": "VN", "bio": "older"}),
               ("2024-01-04T00:00:00Z", {"location": "TH"}),
               (None, {"display_name": "no capture time", "bio": "undated"}),
               ("2024-01-05T00:00:00Z", {"followers": 7})]  # ties the latest: loaded later, so it wins

    def batch_of(part: list, first_row: int) -> GraphBatch:
        batch = GraphBatch()
        for row, (seen, props) in enumerate(part, start=first_row):
            _node(batch, row, seen, **props)
        return batch

    store = open_store("memory:")
    store.upsert(batch_of(records, 1))
    merged = store.node("Account:x:seller")
    assert merged["bio"] == "first" and merged["followers"] == 7 and merged["display_name"] == "no capture time"
    # of the records that name a location, the latest capture (2024-01-04) wins: empty never erases
    assert merged["location"] == "TH"
    assert merged["first_seen"] == "2024-01-03T00:00:00Z" and merged["last_seen"] == "2024-01-05T00:00:00Z"
    assert merged["source_row"] == 5 and len(merged["sources"]) == 5
    for cut in range(len(records) + 1):  # the same records again, cut anywhere: nothing changes
        store.upsert(batch_of(records[:cut], 1))
        store.upsert(batch_of(records[cut:], cut + 1))
        assert store.node("Account:x:seller") == merged, cut
    assert store.stats()["nodes"]["Account"] == 1


def test_sources_are_kept_once_each_up_to_the_cap() -> None:
    from graphbench.batch import MAX_SOURCES

    store = open_store("memory:")
    for rows in (range(1, 40), range(30, 80)):  # overlapping loads
        batch = GraphBatch()
        for row in rows:
            _node(batch, row, "2024-01-01T00:00:00Z")
        store.upsert(batch)
    sources = store.node("Account:x:seller")["sources"]
    assert len(sources) == MAX_SOURCES == len(set(sources))
    assert sources[:3] == [f"f.csv#{n}#{n:064x}" for n in (1, 2, 3)] and sources[-1].startswith("f.csv#50#")
    # hundreds of repeats of one source ahead of the others in one batch (past the prefix that is deduplicated
    # first): still every source once, in load order
    store = open_store("memory:")
    batch = GraphBatch()
    for row in [1] * 450 + list(range(2, 70)):
        _node(batch, row, "2024-01-01T00:00:00Z")
    store.upsert(batch)
    store.upsert(batch)
    assert store.node("Account:x:seller")["sources"] == [f"f.csv#{n}#{n:064x}" for n in range(1, 51)]


def test_a_reader_sees_the_last_commit_not_the_writes_in_progress(tmp_path: Path) -> None:
    url = f"file:{tmp_path / 'ws'}"
    writer, reader = open_store(url), open_store(url)
    batch = GraphBatch()
    batch.add_node("Hashtag:one", {"tag": "one"}, provenance("f.csv", 1, "1" * 64, None))
    writer.upsert(batch)
    assert reader.stats()["nodes"]["Hashtag"] == 0  # nothing committed yet
    writer.commit()
    assert reader.stats()["nodes"]["Hashtag"] == 1
    batch = GraphBatch()
    batch.add_node("Hashtag:two", {"tag": "two"}, provenance("f.csv", 2, "2" * 64, None))
    writer.upsert(batch)
    assert reader.node("Hashtag:two") is None and writer.node("Hashtag:two") is not None
    writer.close()
    assert reader.node("Hashtag:two") is not None


def test_writes_skip_the_compression_methods_named(monkeypatch) -> None:
    import duckdb

    from graphbench.store import duck_workspace

    def skipped() -> str:
        con = duckdb.connect(":memory:")
        duck_workspace.settings(con, None)
        return con.execute("SELECT current_setting('disabled_compression_methods')").fetchone()[0].lower()

    assert set(skipped().split(",")) == {"dict_fsst", "dictionary"}
    monkeypatch.setenv("GRAPHBENCH_DUCKDB_NOT_TRIED", "fsst,dict_fsst")
    assert set(skipped().split(",")) == {"fsst", "dict_fsst"}
