"""`graphbench load DIR --bulk`: neo4j-admin import into an empty Neo4j gives the same graph as `load`.

Runs its own throw-away Neo4j (a home of its own under tmp, a free port: scripts/neo4j_local.py with
GRAPHBENCH_NEO4J_HOME / GRAPHBENCH_NEO4J_PORT), never the team's server, which it leaves alone. The
home is never started before the bulk load, so the load imports into a database that was never created
and starts the server once; the second load meets a running server with data and must refuse.

The folder loaded is the sample plus three transfers whose values the CSVs must carry exactly (quotes,
commas and a line break in one text, non-ASCII, floats that need 17 digits or are subnormal, an empty
optional field); the reference is `graphbench load` of the same folder into `memory:`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from graphbench.errors import GraphbenchError
from graphbench.export.jsonl import generate_jsonl
from graphbench.schema import NODE_TYPES
from graphbench.store.neo4j_bulk_csv import write_import_csvs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
pytestmark = pytest.mark.neo4j


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TRICKY_TEXT = 'say "hi", then\nleave \u2014 c\u1ea7n b\u00e1n \u9ca8\u9c7c \U0001f988'
TRICKY = [  # tx_id, amount as written, the float it must be in Neo4j, reference
    ("TRICKY-1", "0.30000000000000004", 0.1 + 0.2, TRICKY_TEXT),
    ("TRICKY-2", "5e-324", 5e-324, "plain"),
    ("TRICKY-3", "123456789.12345679", 123456789.12345679, ""),
]


@pytest.fixture(scope="module")
def bulk_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import csv
    import shutil

    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("sample_data is not generated yet")
    folder = tmp_path_factory.mktemp("bulk-data")
    for path in SAMPLE.iterdir():
        if path.suffix in (".csv", ".jsonl"):
            shutil.copyfile(path, folder / path.name)
    with (folder / "transactions_tricky.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["tx_id", "timestamp", "from_type", "from_id", "to_type", "to_id", "amount", "currency",
                         "reference"])
        for number, (tx_id, amount, _, reference) in enumerate(TRICKY):
            writer.writerow([tx_id, f"2025-03-0{number + 1}T10:00:00Z", "paypal", "tricky-payer@mail.example",
                             "paypal", f"tricky-{number}@mail.example", amount, "EUR", reference])
    return folder


@pytest.fixture(scope="module")
def bulk_started(bulk_folder: Path, tmp_path_factory: pytest.TempPathFactory):
    """(env, process, output folder): `graphbench load --bulk` of the folder, started; the throw-away server it starts is
    killed at the end of the module (its home is thrown away: nothing needs its shutdown)."""
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
    out = tmp_path_factory.mktemp("bulk-output")
    # output to files, not pipes: nobody reads a pipe while the reference load runs, and a full one would stall it
    with (out / "stdout").open("w") as stdout, (out / "stderr").open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "graphbench", "load", str(bulk_folder), "--bulk", "--json",
                                    "--rejects", str(rejects)], stdout=stdout, stderr=stderr, env=env, cwd=ROOT)
    try:
        yield env, process, out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        _kill_server(home)


def _kill_server(home: Path) -> None:
    """SIGKILL the throw-away server of ``home`` (scripts/neo4j_local.py's pid file) and wait until it is gone."""
    import signal
    import time

    try:
        pid = int((home / "neo4j.pid").read_text().strip())
        if b"neo4j" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError):
        return  # never started, or already gone
    while Path(f"/proc/{pid}").exists():
        time.sleep(0.1)


@pytest.fixture(scope="module")
def reference_load(bulk_started, bulk_folder: Path, tmp_path_factory: pytest.TempPathFactory):
    """(store, report, export lines): `graphbench load` of the same folder into memory:, made while the bulk
    load of ``bulk_started`` runs in its own process."""
    from graphbench.store import open_store
    from loaders.load import load_dir

    store = open_store("memory:")
    report = load_dir(store, bulk_folder, rejects_dir=tmp_path_factory.mktemp("reference-rejects"))
    return store, report, list(generate_jsonl(store))


@pytest.fixture(scope="module")
def bulk_server(bulk_started, reference_load):
    """(env, the bulk load's --json document), once the bulk load has ended."""
    env, process, out = bulk_started
    assert process.wait() == 0, (out / "stderr").read_text()[-2000:]
    return env, json.loads((out / "stdout").read_text())


@pytest.fixture(scope="module")
def bulk_store(bulk_server):
    from graphbench.store.neo4j_store import Neo4jStore

    env, _ = bulk_server
    password = os.environ.get("NEO4J_PASSWORD", "graphbench-dev")
    store = Neo4jStore(env["NEO4J_URI"], "neo4j", password)
    yield store
    store.close()


def test_bulk_gives_the_graph_load_gives(bulk_server, bulk_store, reference_load) -> None:
    reference, report, lines = reference_load
    _, document = bulk_server
    assert document["loaded"] == report.to_json()["loaded"] and document["rejected"] == report.to_json()["rejected"]
    assert lines and list(generate_jsonl(bulk_store)) == lines
    assert bulk_store.stats() == reference.stats()
    assert document["bulk"]["nodes"] == sum(len(reference.nodes(label)) for label in NODE_TYPES)


def test_bulk_carries_exact_values(bulk_store) -> None:
    rows = bulk_store.read("MATCH (a)-[r:TRANSFERRED]->(b) WHERE r.tx_id STARTS WITH 'TRICKY-' "
                           "RETURN r.tx_id AS tx, r.amount AS amount, r.reference AS reference, "
                           "r.sources AS sources, a.id AS payer, labels(b) AS labels ORDER BY tx")
    assert [r["tx"] for r in rows] == [t[0] for t in TRICKY]
    for row, (_, _, amount, reference) in zip(rows, TRICKY, strict=True):
        assert row["amount"] == amount and isinstance(row["amount"], float)  # bit for bit
        assert row["reference"] == (reference or None)  # an empty optional field is no property
        assert isinstance(row["sources"], list) and len(row["sources"]) == 1
        assert row["sources"][0].endswith("transactions_tricky.csv#" + row["tx"][-1] + "#" + row["sources"][0][-64:])
        assert row["payer"] == "PaymentChannel:paypal:tricky-payer@mail.example"
        assert sorted(row["labels"]) == ["Entity", "PaymentChannel"]


def test_bulk_answers_named_queries_as_load(bulk_store, reference_load) -> None:
    sample_store = reference_load[0]
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


def _staged(tmp_path: Path, statements: list[str]) -> Path:
    import duckdb

    database = tmp_path / "graph.duckdb"
    con = duckdb.connect(str(database))
    for statement in statements:
        con.execute(statement)
    con.close()
    return database


def test_csvs_follow_the_rules_with_known_text(tmp_path: Path) -> None:
    database = _staged(tmp_path, [
        "CREATE TABLE n_Account (id VARCHAR, bio VARCHAR, followers BIGINT, score DOUBLE, verified BOOLEAN, "
        "tags VARCHAR[], weights DOUBLE[])",
        "INSERT INTO n_Account VALUES ('Account:x:1', 'say \"hi\", then\nleave', 7, '0.30000000000000004'::DOUBLE, true, "
        "['a', NULL, 'b,c'], [1.0, 2.5]), ('Account:x:2', '', NULL, 5e-324, false, [], NULL), "
        "('Account:x:3', NULL, -3, 'nan'::DOUBLE, NULL, [NULL], NULL), "
        "('Account:x:4', 'ünï 鲨鱼', NULL, '-inf'::DOUBLE, NULL, NULL, NULL)",
        "CREATE TABLE r_TRANSFERRED (start VARCHAR, \"end\" VARCHAR, tx_id VARCHAR, amount DOUBLE)",
        "INSERT INTO r_TRANSFERRED VALUES ('A', 'B', 'T1', 123456789.12345679)",
        "CREATE TABLE r_POSTED (start VARCHAR, \"end\" VARCHAR)",  # no rows: no file
    ])
    files = {f.name: f for f in write_import_csvs(database, tmp_path / "csv")}
    assert sorted(files) == ["Account", "TRANSFERRED"]
    account, transfer = files["Account"], files["TRANSFERRED"]
    assert account.header.read_text() == ("id:ID,bio:string,followers:long,score:double,verified:boolean,"
                                          "tags:string[],weights:double[]\n")
    assert account.data.read_text(encoding="utf-8") == (
        '"Account:x:1","say ""hi"", then\nleave",7,0.30000000000000004,true,"a\x1fb,c","1.0\x1f2.5"\n'
        '"Account:x:2","",,5e-324,false,,\n'  # "" is an empty string; an empty field is missing; [] is missing
        '"Account:x:3",,-3,,,,\n'  # NaN and a list of only NULLs are missing
        '"Account:x:4","ünï 鲨鱼",,-Infinity,,,\n')
    assert account.rows == 4 and account.multiline and not transfer.multiline
    assert transfer.header.read_text() == ":START_ID,:END_ID,tx_id:string,amount:double\n"
    assert transfer.data.read_text() == '"A","B","T1",123456789.12345679\n'
    assert account.argument() == f"--nodes=Account:Entity={account.header},{account.data}"


def test_csvs_refuse_the_list_delimiter_in_one_sentence(tmp_path: Path) -> None:
    database = _staged(tmp_path, [
        "CREATE TABLE n_Listing (id VARCHAR, title VARCHAR, source_file VARCHAR, source_row BIGINT)",
        "INSERT INTO n_Listing VALUES ('Listing:a:1', 'fine', 'l.csv', 1), "
        "('Listing:a:2', 'bad' || chr(31) || 'title', 'l.csv', 2)",
    ])
    with pytest.raises(GraphbenchError) as refused:
        write_import_csvs(database, tmp_path / "csv")
    message = str(refused.value)
    assert "Listing:a:2" in message and "l.csv row 2" in message and "title" in message and "U+001F" in message
    assert "without --bulk" in message and "\n" not in message


def test_bulk_refuses_the_delimiter_before_touching_neo4j(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "transactions.csv").write_text(
        "tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency,reference\n"
        "T1,2025-01-01T00:00:00Z,paypal,a@mail.example,paypal,b@mail.example,1.5,USD,odd\x1fnote\n",
        encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    port = _free_port()
    env = os.environ | {"GRAPHBENCH_NEO4J_HOME": str(home), "GRAPHBENCH_NEO4J_PORT": str(port)}
    done = subprocess.run([sys.executable, "-m", "graphbench", "--store", f"bolt://127.0.0.1:{port}", "load",
                           str(tmp_path / "data"), "--bulk", "--quiet", "--rejects", str(tmp_path / "rejects")],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    message = done.stderr.strip()
    assert done.returncode == 2, message
    assert "U+001F" in message and "transactions.csv row 1" in message and "reference" in message
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert not (home / "data").exists()  # neither imported nor started


def test_import_progress_reads_neo4j_admin_stages() -> None:
    from graphbench.store.neo4j_bulk import _ImportProgress

    seen: list[tuple[int, int]] = []
    shown = _ImportProgress(lambda _name, done, total: seen.append((done, total)))
    for line in ["Neo4j version: 5.26.19", "(1/4) Node import 2026-12-01 22:58:25.039+0000",
                 "-......... .......... .......... .......... ..........   5% ∆1s 933ms [1s 933ms]",
                 "(2/4) Relationship import 2026-12-01", ".......... .......... .......... .......... ..........  "
                 "45% ∆2s [3s]", "Relationship import COMPLETED in 931ms"]:
        shown.line(line)
    shown.finish()
    assert seen == [(5, 400), (145, 400), (400, 400)]


def test_csv_doubles_read_back_bit_for_bit(tmp_path: Path) -> None:
    import random
    import struct

    import duckdb
    import pyarrow as pa

    rng = random.Random(7)
    values = [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(3000)]
    values = [v for v in values if v == v and abs(v) != float("inf")] + [0.1 + 0.2, 1 / 3, -0.0, 2.0**-1074]
    database = tmp_path / "graph.duckdb"
    con = duckdb.connect(str(database))
    con.register("doubles", pa.table({"start": [f"a{i}" for i in range(len(values))], "end": ["b"] * len(values),
                                      "amount": pa.array(values, pa.float64())}))
    con.execute("CREATE TABLE r_TRANSFERRED AS SELECT * FROM doubles")
    con.close()
    (file,) = write_import_csvs(database, tmp_path / "csv")
    read = {}
    for line in file.data.read_text().splitlines():
        start, _, amount = line.split(",")
        read[start.strip('"')] = float(amount)
    assert [struct.pack("<d", read[f"a{i}"]) for i in range(len(values))] == [struct.pack("<d", v) for v in values]


def test_csvs_refuse_a_graph_with_nothing_to_import(tmp_path: Path) -> None:
    database = _staged(tmp_path, ["CREATE TABLE n_Account (id VARCHAR)"])
    with pytest.raises(GraphbenchError, match="no nodes and no relationships"):
        write_import_csvs(database, tmp_path / "csv")
