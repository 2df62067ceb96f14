"""Issue 19.1: two loads started together into one store end with exactly what two loads in a row give.

Before the writer lock, two `graphbench load` processes into one `file:` workspace both exited 0 and one
silently replaced the other's tables (accounts missing, relationships pointing at nodes that were never
written); two into an empty Neo4j died with a ConstraintError traceback. Real processes, real stores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphbench.schema import NODE_TYPES, REL_TYPES
from graphbench.store import open_store
from graphbench.store.embedded import EmbeddedStore
from loaders.load import load_dir

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
# lines of each sample file per slice (header kept): two slices share species, hashtags and channels
SLICE = {"accounts.csv": 150, "payment_links.csv": 200, "listings.jsonl": 300, "transactions.csv": 700,
         "shipments.csv": 80}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two different exports: the first and the second slice of the sample's files."""
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("sample_data is not generated yet")
    made = []
    for part in (0, 1):
        folder = tmp_path_factory.mktemp(f"export{part}")
        for name, size in SLICE.items():
            lines = (SAMPLE / name).read_text(encoding="utf-8").splitlines(keepends=True)
            header = [] if name.endswith(".jsonl") else lines[:1]
            body = lines[len(header):]
            (folder / name).write_text("".join(header + body[part * size:(part + 1) * size]), encoding="utf-8")
        made.append(folder)
    return made[0], made[1]


def _load_process(url: str, folder: Path, rejects: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "graphbench", "--store", url, "--json", "load", str(folder),
                             "--rejects", str(rejects)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **env})


def _together(url: str, folders: tuple[Path, Path], tmp_path: Path) -> list[tuple[int, str]]:
    runs = [_load_process(url, folder, tmp_path / f"rejects{i}") for i, folder in enumerate(folders)]
    return [(run.wait(timeout=900), run.communicate()[1]) for run in runs]


def _dangling(store) -> list[str]:
    ids = set()
    for label in NODE_TYPES:
        ids.update(store.nodes(label, columns=[])["id"])
    wrong = []
    for rel_type in REL_TYPES:
        table = store.relationships(rel_type, columns=[])
        ends = set(table["start"]) | set(table["end"])
        wrong += [f"{rel_type} → {node}" for node in sorted(ends - ids)[:3]]
    return wrong


@pytest.fixture(scope="module")
def in_a_row(folders: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The stats of the two exports loaded one after the other."""
    store = EmbeddedStore(str(tmp_path_factory.mktemp("in_a_row")))
    for folder in folders:
        load_dir(store, folder, rejects_dir=tmp_path_factory.mktemp("rejects"))
    stats = store.stats()
    store.close()
    return stats


def test_two_loads_into_one_workspace_lose_nothing(folders, in_a_row: dict, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    results = _together(f"file:{workspace}", folders, tmp_path)
    assert [code for code, _ in results] == [0, 0], [err[-500:] for _, err in results]
    assert not any("Traceback" in err for _, err in results)
    store = EmbeddedStore(str(workspace))
    assert store.stats() == in_a_row
    assert _dangling(store) == []


def test_a_second_writer_waits_then_stops_with_one_sentence(folders, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    holder = EmbeddedStore(str(workspace))
    with holder.write_lock():  # another load in progress
        run = _load_process(f"file:{workspace}", folders[0], tmp_path / "rejects", GRAPHBENCH_LOCK_TIMEOUT="1")
        code, (_, err) = run.wait(timeout=300), run.communicate()
    assert code != 0
    assert f"waiting for the other load into {workspace} (pid {os.getpid()})" in err
    assert "still holds the store" in err and "Traceback" not in err
    assert holder.stats()["nodes"]["Account"] == 0  # the waiting load wrote nothing
    holder.close()


def test_a_writer_that_died_leaves_no_lock_behind(folders, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    # a load killed while holding the lock: the kernel drops an flock with its process
    code = ("import sys, time; from graphbench.store.embedded import EmbeddedStore; "
            f"s = EmbeddedStore({str(workspace)!r}); s._begin_write(); print('held', flush=True); time.sleep(60)")
    dying = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert dying.stdout is not None and dying.stdout.readline().strip() == "held"
    dying.kill()
    dying.wait()
    run = _load_process(f"file:{workspace}", folders[0], tmp_path / "rejects", GRAPHBENCH_LOCK_TIMEOUT="5")
    assert run.wait(timeout=300) == 0, run.communicate()[1][-500:]
    assert EmbeddedStore(str(workspace)).stats()["nodes"]["Account"] > 0


@pytest.mark.neo4j
def test_two_loads_into_an_empty_neo4j_lose_nothing(neo4j_store, folders, in_a_row: dict, tmp_path: Path) -> None:
    url = neo4j_store.url
    # as empty as a new server: no constraints yet, so the two loads also race to create them
    for row in neo4j_store.read("SHOW CONSTRAINTS YIELD name"):
        neo4j_store.run(f"DROP CONSTRAINT `{row['name']}` IF EXISTS")
    results = _together(url, folders, tmp_path)
    assert [code for code, _ in results] == [0, 0], [err[-800:] for _, err in results]
    assert not any("Traceback" in err or "ConstraintError" in err for _, err in results)
    store = open_store(url)
    try:
        assert store.stats() == in_a_row
        assert _dangling(store) == []
    finally:
        store.close()


@pytest.mark.neo4j
def test_a_second_writer_into_neo4j_waits_then_stops_and_a_lapsed_lease_is_taken(neo4j_store, folders,
                                                                                 tmp_path: Path) -> None:
    from graphbench.store.neo4j_lease import LEASE_LABEL

    def lease(expires: str) -> None:  # another load's lease, as a load on another machine would leave it
        neo4j_store.run(f"MERGE (l:{LEASE_LABEL} {{id: 'writer'}}) SET l.holder = 'elsewhere:4242:x', l.pid = 4242, "
                        f"l.host = 'elsewhere', l.expires = {expires}")

    lease("timestamp() + 3600000")
    run = _load_process(neo4j_store.url, folders[0], tmp_path / "rejects", GRAPHBENCH_LOCK_TIMEOUT="1")
    code, (_, err) = run.wait(timeout=300), run.communicate()
    assert code != 0
    assert f"waiting for the other load into {neo4j_store.url} (pid 4242 on elsewhere)" in err
    assert "still holds the store" in err and "Traceback" not in err
    assert neo4j_store.stats()["nodes"]["Account"] == 0
    lease("timestamp() - 1")  # its holder died a while ago: the lease has lapsed
    run = _load_process(neo4j_store.url, folders[0], tmp_path / "rejects", GRAPHBENCH_LOCK_TIMEOUT="5")
    assert run.wait(timeout=300) == 0, run.communicate()[1][-500:]
    assert neo4j_store.stats()["nodes"]["Account"] > 0


@pytest.mark.neo4j
def test_a_lease_of_a_dead_process_on_this_machine_is_taken_at_once(neo4j_store, folders, tmp_path: Path) -> None:
    """A killed load's lease (this host, this boot, a pid that no longer runs) does not make the rerun wait
    for it to lapse; a lease whose pid still runs here is waited for like any other."""
    import socket

    from graphbench.store.neo4j_lease import LEASE_LABEL, boot_id

    def lease(pid: int) -> None:  # an hour left on it: only the dead-holder rule can take it within a second
        neo4j_store.run(f"MERGE (l:{LEASE_LABEL} {{id: 'writer'}}) SET l.holder = $holder, l.pid = $pid, "
                        "l.host = $host, l.boot = $boot, l.expires = timestamp() + 3600000",
                        {"holder": f"here:{pid}:x", "pid": pid, "host": socket.gethostname(), "boot": boot_id()})

    lease(os.getpid())  # this very test process: alive
    run = _load_process(neo4j_store.url, folders[0], tmp_path / "rejects", GRAPHBENCH_LOCK_TIMEOUT="1")
    code, (_, err) = run.wait(timeout=300), run.communicate()
    assert code != 0 and "still holds the store" in err
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    lease(gone.pid)
    run = _load_process(neo4j_store.url, folders[0], tmp_path / "rejects", GRAPHBENCH_LOCK_TIMEOUT="1")
    assert run.wait(timeout=300) == 0, run.communicate()[1][-500:]
    assert neo4j_store.stats()["nodes"]["Account"] > 0


def test_a_lease_given_back_to_a_server_that_went_away_does_not_mask_the_error() -> None:
    """A load whose server stops mid-write must end in the store's one sentence: giving the lease back
    fails too (the server is gone), and that failure must not replace the sentence with a traceback."""
    from neo4j.exceptions import ServiceUnavailable

    from graphbench.store.neo4j_lease import WriterLease

    calls: list[str] = []

    def run(cypher: str, params: dict) -> list[dict]:
        calls.append(cypher)
        if len(calls) > 1:
            raise ServiceUnavailable("Couldn't connect to 127.0.0.1:7687")
        return [{"holder": params["me"]}]

    lease = WriterLease(run, "bolt://127.0.0.1:7687", notify=lambda _: None)
    lease.acquire(timeout=1)
    lease.release()  # the give-back meets the stopped server and is dropped
    assert len(calls) == 2 and "holder = null" in calls[1]
