"""Shared fixtures: the sample data loaded into an embedded store, and the real local Neo4j.

Tests that need Neo4j are marked ``neo4j``. When ``GRAPHBENCH_REQUIRE_NEO4J=1`` (as in
``make test``), an unreachable server fails them instead of skipping them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# the sample generator's fixtures (generator, small, full, sample) for the two sample-data test files
pytest_plugins = ["generated_sample"]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
NEO4J_URL = os.environ.get("NEO4J_URI", f"bolt://127.0.0.1:{os.environ.get('GRAPHBENCH_NEO4J_PORT', '7687')}")


@pytest.fixture(scope="session")
def ground_truth() -> dict:
    path = SAMPLE / "ground_truth.json"
    if not path.exists():
        pytest.skip("sample_data/ground_truth.json is not generated yet")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_load(tmp_path_factory: pytest.TempPathFactory):
    """(store, report): the sample data loaded once into a throw-away embedded store."""
    from graphbench.store import open_store
    from loaders.load import load_dir

    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("sample_data is not generated yet")
    store = open_store("memory:")
    report = load_dir(store, SAMPLE, rejects_dir=tmp_path_factory.mktemp("rejects"))
    return store, report


@pytest.fixture(scope="session")
def sample_store(sample_load):
    return sample_load[0]


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory):
    """``copy(folder) -> url``: the sample loaded into a ``file:`` workspace once per session, copied to
    ``folder/ws`` with its rejects in ``folder/rejects``. A copy holds the very files a fresh load of the
    sample writes; for tests that read (or change) such a workspace but do not test the load itself."""
    import shutil

    from graphbench.store import open_store
    from loaders.load import load_dir

    template: list[Path] = []

    def copy(folder: Path) -> str:
        if not template:
            if not (SAMPLE / "accounts.csv").exists():
                pytest.skip("sample_data is not generated yet")
            made = tmp_path_factory.mktemp("sample-workspace")
            store = open_store(f"file:{made / 'ws'}")
            load_dir(store, SAMPLE, rejects_dir=made / "rejects")
            store.close()
            template.append(made)
        folder.mkdir(parents=True, exist_ok=True)
        for part in ("ws", "rejects"):
            shutil.copytree(template[0] / part, folder / part)
        return f"file:{folder / 'ws'}"
    return copy


def _neo4j_or_skip():
    from graphbench.errors import StoreUnavailable
    from graphbench.store import open_store

    try:
        return open_store(NEO4J_URL)
    except StoreUnavailable as exc:
        if os.environ.get("GRAPHBENCH_REQUIRE_NEO4J") == "1":
            pytest.fail(f"Neo4j is required but unavailable: {exc}")
        pytest.skip(f"Neo4j not available: {exc}")


@pytest.fixture(scope="session")
def neo4j_session_store():
    store = _neo4j_or_skip()
    yield store
    store.close()


# how often the tests emptied the server, and after which emptying (with what counts) `neo4j_sample` loaded it
_NEO4J_STATE: dict = {"emptied": 0, "sample": None}


def empty_neo4j(store) -> None:
    """Empty the server (in batches: a benchmark may have left 1M transfers, more than one transaction
    may hold) and count it, so `neo4j_sample` knows its load is gone. Every test fixture that empties the
    server goes through here."""
    with store._session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    _NEO4J_STATE["emptied"] += 1


@pytest.fixture(scope="session")
def neo4j_emptier():
    """`empty_neo4j`, for module fixtures that empty the server themselves (a test module importing
    conftest would get a second copy of the count)."""
    return empty_neo4j


@pytest.fixture
def neo4j_store(neo4j_session_store):
    """The real Neo4j store, emptied before the test."""
    empty_neo4j(neo4j_session_store)
    return neo4j_session_store


@pytest.fixture
def neo4j_sample(neo4j_session_store, tmp_path_factory: pytest.TempPathFactory):
    """The sample loaded into the real Neo4j, for tests that only read it: loaded again only when the server
    was emptied (or its counts changed) since the last load. Those tests run one after another (see
    pytest_collection_modifyitems below), so one load serves them all; a test that wrote would have to
    load the sample itself."""
    from loaders.load import load_dir

    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("sample_data is not generated yet")
    loaded = _NEO4J_STATE["sample"]
    if loaded is None or loaded[0] != _NEO4J_STATE["emptied"] or neo4j_session_store.stats() != loaded[1]:
        empty_neo4j(neo4j_session_store)
        load_dir(neo4j_session_store, SAMPLE, rejects_dir=tmp_path_factory.mktemp("rejects"))
        _NEO4J_STATE["sample"] = (_NEO4J_STATE["emptied"], neo4j_session_store.stats())
    return neo4j_session_store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read the sample in Neo4j (fixture `neo4j_sample`) run one after another, where the
    first of them was: no other Neo4j test empties the server between them, so they share one load of it
    (each load ~10-15 s). Every other test keeps its place."""
    readers = [item for item in items if "neo4j_sample" in getattr(item, "fixturenames", ())]
    if len(readers) < 2:
        return
    first = items.index(readers[0])
    moved = {id(item) for item in readers}
    rest = [item for item in items if id(item) not in moved]
    items[:] = rest[:first] + readers + rest[first:]


@pytest.fixture(autouse=True)
def _audit_log_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each test's audit entries out of the working tree."""
    monkeypatch.setenv("GRAPHBENCH_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("GRAPHBENCH_USERS", str(tmp_path / "users.json"))  # no sign-in unless a test adds accounts
