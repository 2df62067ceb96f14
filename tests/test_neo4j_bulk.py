"""`graphbench load DIR --bulk`: neo4j-admin import into an empty Neo4j gives the same graph as `load`.

Runs its own throw-away Neo4j (a home of its own under tmp, a free port: scripts/neo4j_local.py with
GRAPHBENCH_NEO4J_HOME / GRAPHBENCH_NEO4J_PORT), never the team's server, which it leaves alone. The
home is never started before the bulk load, so the load imports into a database that was never created
and starts the server once; the second load meets a running server with data and must refuse.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from graphbench.export.jsonl import generate_jsonl
from graphbench.schema import NODE_TYPES
from graphbench.store.neo4j_bulk import write_table_csvs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
pytestmark = pytest.mark.neo4j


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory: pytest.TempPathFactory):
    if not (ROOT / ".neo4j" / "lib").is_dir():
        message = "the Neo4j jars are not fetched (make neo4j): the bulk import needs neo4j-admin"
        if os.environ.get("GRAPHBENCH_REQUIRE_NEO4J") == "1":
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("neo4j-home")
    port = _free_port()
    env = os.environ | {"GRAPHBENCH_NEO4J_HOME": str(home), "GRAPHBENCH_NEO4J_PORT": str(port),
                        "GRAPHBENCH_STORE": f"bolt://127.0.0.1:{port}", "NEO4J_URI": f"bolt://127.0.0.1:{port}"}
    rejects = tmp_path_factory.mktemp("bulk-rejects")
    done = subprocess.run([sys.executable, "-m", "graphbench", "load", str(SAMPLE), "--bulk", "--json",
                           "--rejects", str(rejects)], capture_output=True, text=True, env=env, cwd=ROOT)
    try:
        assert done.returncode == 0, done.stderr[-2000:]
        yield env, json.loads(done.stdout)
    finally:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "neo4j_local.py"), "stop"], env=env,
                       capture_output=True)


@pytest.fixture(scope="module")
def bulk_store(bulk_server):
    from graphbench.store.neo4j_store import Neo4jStore

    env, _ = bulk_server
    password = os.environ.get("NEO4J_PASSWORD", "graphbench-dev")
    store = Neo4jStore(env["NEO4J_URI"], "neo4j", password)
    yield store
    store.close()


def test_bulk_gives_the_graph_load_gives(bulk_server, bulk_store, sample_load) -> None:
    reference, report = sample_load
    _, document = bulk_server
    assert document["loaded"] == report.to_json()["loaded"] and document["rejected"] == report.to_json()["rejected"]
    lines = list(generate_jsonl(reference))
    assert lines and list(generate_jsonl(bulk_store)) == lines
    assert bulk_store.stats() == reference.stats()
    assert document["bulk"]["nodes"] == sum(len(reference.nodes(label)) for label in NODE_TYPES)


def test_bulk_answers_named_queries_as_load(bulk_store, sample_store) -> None:
    accounts = sorted(sample_store.nodes("Account")["id"])[:5]
    channels = sorted(sample_store.nodes("PaymentChannel")["id"])[:5]
    cases = [("shared_identifiers", {"account": a}) for a in accounts]
    cases += [("transfers_out", {"channel": c}) for c in channels] + [("busiest_payers", {"limit": "5"})]
    hits = 0
    for name, params in cases:
        rows = sample_store.run_named(name, params)
        assert bulk_store.run_named(name, params) == rows, (name, params)
        hits += bool(rows)
    assert hits


def test_bulk_creates_the_schema_load_creates(bulk_store) -> None:
    rows = bulk_store.read("SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type")
    unique = {(r["labelsOrTypes"][0], tuple(r["properties"])) for r in rows if "UNIQUE" in r["type"]}
    assert {(label, ("id",)) for label in NODE_TYPES} <= unique
    indexes = {r["name"] for r in bulk_store.read("SHOW INDEXES YIELD name, state") if r["state"] == "ONLINE"}
    assert {"transferred_ts", "transferred_tx_id"} <= indexes


def test_bulk_refuses_a_database_that_holds_data(bulk_server, tmp_path: Path) -> None:
    env, _ = bulk_server
    done = subprocess.run([sys.executable, "-m", "graphbench", "load", str(SAMPLE), "--bulk",
                           "--rejects", str(tmp_path)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 2
    message = done.stderr.strip()
    assert "empty database" in message and "nodes" in message and "Traceback" not in message
    assert len(message.splitlines()) == 1


def test_csv_rows_of_another_type_get_a_file_of_their_own(tmp_path: Path) -> None:
    import pandas as pd

    table = pd.DataFrame({"id": ["a", "b", "c"], "n": pd.Series([1, 2.5, None], dtype=object),
                          "names": [["x", 'say "hi"'], None, ["z"]], "note": ["", "line\nbreak", None]})
    files = write_table_csvs(table, [("id", "id:ID")], "nodes-T", tmp_path)
    texts = sorted(f.read_text() for f in files)
    assert len(files) == 3  # long, double, missing: neo4j-admin types a column once per file
    assert 'id:ID,n:long,names:string[],note:string\n"a",1,"x\x1fsay ""hi""",""\n' in texts
    assert 'id:ID,n:double,note:string\n"b",2.5,"line\nbreak"\n' in texts
    assert 'id:ID,names:string[]\n"c","z"\n' in texts
