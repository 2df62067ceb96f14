"""Interrupted loads: a loader killed part-way, or a Neo4j server stopped part-way, and then the
same load run again, leave exactly the graph of one uninterrupted load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphbench.export.jsonl import generate_jsonl
from graphbench.store import open_store
from loaders.load import load_dir

ROOT = Path(__file__).resolve().parents[1]
# three write batches of loaders/load.py (WRITE_BATCH records, three a row): the first one's transfers
# show the load has begun, and two more are still to come when it is interrupted
ROWS = 20_000


def write_transfers(folder: Path, rows: int = ROWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "transactions.csv").open("w", encoding="utf-8") as handle:
        handle.write("tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency,reference\n")
        for i in range(rows):
            handle.write(f"T{i:06d},2024-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z,paypal,buyer{i % 997}@mail.example,"
                         f"paypal,seller{i % 101}@shop.example,{10 + i % 500}.50,USD,order {i}\n")
    return folder


def start_load(store_url: str, data: Path, rejects: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "graphbench.cli", "--store", store_url, "load", str(data),
                             "--rejects", str(rejects), "--quiet", "--no-resolve"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=os.environ | (env or {}))


def transfer_count(store) -> int:
    return store.read("MATCH ()-[r:TRANSFERRED]->() RETURN count(r) AS n")[0]["n"]


def wait_for_first_transfers(store, loader: subprocess.Popen) -> None:
    """Return once the loader has committed some transfers (or has ended, or two minutes passed)."""
    deadline = time.time() + 120
    while time.time() < deadline and loader.poll() is None and transfer_count(store) == 0:
        time.sleep(0.2)


def reference_lines(data: Path, tmp_path: Path) -> list[str]:
    """The export of one uninterrupted load of the same files."""
    store = open_store("memory:")
    load_dir(store, data, rejects_dir=tmp_path / "ref-rejects", resolve=False)
    return list(generate_jsonl(store))


def test_sigkill_embedded_load_then_rerun(tmp_path: Path) -> None:
    data = write_transfers(tmp_path / "data", rows=150_000)  # ~10 s to load: killed after 3 s
    url = f"file:{tmp_path / 'ws'}"
    loader = start_load(url, data, tmp_path / "rej")
    time.sleep(3.0)
    assert loader.poll() is None, "the load finished before it could be interrupted: make the file bigger"
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    store = open_store(url)
    load_dir(store, data, rejects_dir=tmp_path / "rej", resolve=False)
    store.close()
    assert list(generate_jsonl(open_store(url))) == reference_lines(data, tmp_path)


@pytest.fixture(scope="module")
def transfers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The transfers file of the two Neo4j tests and the export of one uninterrupted load of it."""
    folder = tmp_path_factory.mktemp("transfers")
    data = write_transfers(folder / "data")
    return data, reference_lines(data, folder)


@pytest.mark.neo4j
def test_sigkill_neo4j_load_then_rerun(neo4j_store, transfers, tmp_path: Path) -> None:
    data, reference = transfers
    loader = start_load(neo4j_store.url, data, tmp_path / "rej")
    wait_for_first_transfers(neo4j_store, loader)
    assert loader.poll() is None, "the load finished before it could be interrupted"
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    partial = transfer_count(neo4j_store)
    assert 0 < partial < ROWS
    load_dir(neo4j_store, data, rejects_dir=tmp_path / "rej", resolve=False)
    assert list(generate_jsonl(neo4j_store)) == reference


@pytest.mark.neo4j
def test_neo4j_stopped_mid_load_gives_one_sentence_then_rerun_completes(neo4j_store, transfers,
                                                                        tmp_path: Path) -> None:
    data, reference = transfers
    # the driver's retries of a write the stopped server cannot take: 5 s, not its default 30 (the message
    # is the same; the test only waits less for it)
    loader = start_load(neo4j_store.url, data, tmp_path / "rej", env={"GRAPHBENCH_NEO4J_RETRY_S": "5"})
    wait_for_first_transfers(neo4j_store, loader)
    assert loader.poll() is None, "the load finished before the server could be stopped"
    server = [sys.executable, str(ROOT / "scripts" / "neo4j_local.py")]
    stopping = subprocess.Popen([*server, "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _, err = loader.communicate(timeout=180)  # while the server finishes its shutdown
        assert stopping.wait(timeout=180) == 0
        assert loader.returncode == 2
        message = err.strip().splitlines()
        assert len(message) == 1 and "Neo4j" in message[0] and "Traceback" not in err
    finally:
        stopping.wait(timeout=180)
        subprocess.run([*server, "start"], check=True, capture_output=True, env=os.environ)
    store = open_store(neo4j_store.url)
    load_dir(store, data, rejects_dir=tmp_path / "rej", resolve=False)
    assert list(generate_jsonl(store)) == reference
    store.close()


def test_the_driver_retry_setting_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphbench.errors import StoreUnavailable
    from graphbench.settings import neo4j_retry_seconds

    monkeypatch.delenv("GRAPHBENCH_NEO4J_RETRY_S", raising=False)
    assert neo4j_retry_seconds() == 30.0  # the driver's own default
    monkeypatch.setenv("GRAPHBENCH_NEO4J_RETRY_S", "2.5")
    assert neo4j_retry_seconds() == 2.5
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("GRAPHBENCH_NEO4J_RETRY_S", bad)
        with pytest.raises(StoreUnavailable, match="GRAPHBENCH_NEO4J_RETRY_S") as refused:
            neo4j_retry_seconds()
        assert "\n" not in str(refused.value)
