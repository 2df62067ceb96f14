"""Issue 19.3: the read-only Cypher console cannot be talked into writing, fetching URLs, reading the
server's files, killing other sessions, touching the GDS catalog or flooding the client.

Every payload below was tried against the shipped console; each is refused now, with 0 requests to a
local HTTP listener (it stands for any host the server could reach), another session's transaction
and connection alive, and the GDS catalog untouched.

Run under the team lock: ``flock /tmp/team/neo4j.lock .venv/bin/python -m pytest tests/adversarial/test_console.py``.
"""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from graphbench.errors import QueryRefused
from graphbench.export.jsonl import generate_jsonl
from loaders.load import load_dir

pytestmark = pytest.mark.neo4j

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"

# {url} is the listener's address; every payload must be refused and must not reach it
PAYLOADS = [
    # URL loading (SSRF) and the server's import folder
    "LOAD CSV FROM '{url}' AS row RETURN row",
    "WITH '//' AS x LOAD CSV FROM '{url}' AS row RETURN row",  # comment stripping before strings
    "WITH \"/*\" AS x LOAD CSV FROM '{url}' AS row RETURN row /* */",
    "load   csv\nfrom '{url}' as row return row",
    "CALL { LOAD CSV FROM '{url}' AS row RETURN row } RETURN row",
    "LOAD CSV FROM 'file:///accounts.csv' AS row RETURN row",
    "LOAD CSV WITH HEADERS FROM 'file:///../../etc/passwd' AS row RETURN row",
    "CALL apoc . load . json('{url}')",
    "CALL `apoc`.`load`.`json`('{url}')",
    "CALL apoc/* hidden */.load.json('{url}') YIELD value RETURN value",
    "WITH '//' AS x CALL apoc.load.json('{url}') YIELD value RETURN value",
    "CALL apoc.load.jsonParams('{url}', {}, null) YIELD value RETURN value",
    "CALL apoc.load.xml('{url}') YIELD value RETURN value",
    "RETURN apoc.import.json('{url}') AS x",
    # settings, transactions and connections of other sessions
    "CALL `dbms`.`listConfig`()",
    "CALL dbms . listConfig() YIELD name, value RETURN name, value",
    "CALL dbms.listConfig('security') YIELD name RETURN name",
    "SHOW SETTINGS",
    "SHOW TRANSACTIONS",
    "SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "CALL dbms.killConnection('bolt-1')",
    "CALL dbms.killConnections(['bolt-1', 'bolt-2'])",
    "CALL dbms.listConnections()",
    "SHOW PROCEDURES",
    "SHOW USERS",
    "USE system SHOW DATABASES",
    "USE neo4j MATCH (n) RETURN n LIMIT 1",
    "ALTER USER neo4j SET PASSWORD 'owned-owned'",
    "CREATE USER h6probe SET PASSWORD 'owned-owned'",
    "STOP DATABASE neo4j",
    "CALL db.clearQueryCaches()",
    "CALL db.createLabel('Owned')",
    # the GDS catalog: build, mutate, export
    "MATCH (a:Account) RETURN gds.graph.project('h6_probe', a, null) AS g",
    "MATCH (a:Account) WITH gds . graph . project('h6_probe', a, null) AS g RETURN g",
    "CALL gds.graph.project('h6_probe', 'Account', '*')",
    "CALL gds.graph.project.cypher('h6_probe', 'MATCH (n) RETURN id(n) AS id', 'RETURN 0 AS source, 0 AS target')",
    "CALL gds.pageRank.mutate('h6_probe', {mutateProperty: 'pr'})",
    "CALL gds.graph.export.csv('h6_probe', {exportName: 'h6'})",
    "CALL gds.graph.drop('h6_probe', false)",
    # writes, however dressed
    "CREATE (n:Account {id: 'Account:x:owned'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Account) SET n.handle = 'owned'",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS RETURN 1",
    "CALL apoc.cypher.run('CREATE (n) RETURN n', {})",
    "CALL apoc.create.node(['X'], {}) YIELD node RETURN node",
    "CALL apoc.util.sleep(600000)",
    "EXPLAIN CREATE (n)",
    "PROFILE MATCH (n) RETURN n",
    "CYPHER runtime=slotted MATCH (n) RETURN n",
    "RETURN 1 AS x; CREATE (n:Owned)",
]


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"a": 1}\n')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, type[_Counter]]]:
    """An HTTP server on 127.0.0.1 that counts requests; stopped at the end of the test."""
    handler = type("Counter", (_Counter,), {"hits": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/x.json", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def loaded(neo4j_store, tmp_path: Path):
    load_dir(neo4j_store, MINI, rejects_dir=tmp_path, resolve=False)
    return neo4j_store


def _gds_graphs(store) -> list[str]:
    return [row["graphName"] for row in store.run("CALL gds.graph.list() YIELD graphName RETURN graphName")]


def test_every_payload_is_refused_and_nothing_leaves_or_changes(loaded, listener) -> None:
    url, counter = listener
    before = list(generate_jsonl(loaded))
    graphs_before = _gds_graphs(loaded)
    # a victim: another session's open transaction and its connection, which the payloads try to kill
    victim = loaded._driver.session()
    victim_tx = victim.begin_transaction()
    victim_tx.run("MATCH (n) RETURN count(n) AS n").consume()
    not_refused = []
    for template in PAYLOADS:
        cypher = template.replace("{url}", url)
        try:
            loaded.cypher_read(cypher)
        except QueryRefused as exc:
            assert str(exc) and "Traceback" not in str(exc)
        else:
            not_refused.append(cypher)
    assert not_refused == []
    assert counter.hits == 0
    assert victim_tx.run("RETURN 1 AS one").single()["one"] == 1  # neither terminated nor disconnected
    victim_tx.rollback()
    victim.close()
    assert _gds_graphs(loaded) == graphs_before
    assert list(generate_jsonl(loaded)) == before


def test_the_listener_counts_a_real_fetch(loaded, listener) -> None:
    # the probe can fail: the server does reach the listener when graphbench's own code asks it to, so
    # the 0 above is the console's doing, not a listener that hears nothing
    url, counter = listener
    assert loaded.read("LOAD CSV FROM $url AS row RETURN count(row) AS n", {"url": url})[0]["n"] == 1
    assert counter.hits == 1


def test_a_long_result_is_cut_at_the_row_cap_and_says_so(loaded) -> None:
    tracemalloc.start()
    try:
        rows = loaded.cypher_read("UNWIND range(1, 3000000) AS x RETURN x", limit=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r["x"] for r in rows] == list(range(1, 1001))
    assert rows.cut and "1,000" in rows.cut
    assert peak < 50_000_000  # the 3M rows are never held by the client (it was 1.1 GB)


def test_a_wide_result_is_cut_at_the_size_cap(loaded) -> None:
    from graphbench.store.cypher_console import run_console

    rows = run_console(loaded._driver, loaded.database, "UNWIND range(1, 500) AS x RETURN x, "
                       "reduce(s = '', i IN range(1, 1000) | s + 'y') AS big", limit=1000, max_bytes=100_000)
    assert 0 < len(rows) < 500 and rows.cut and "size" in rows.cut


def test_the_server_side_time_limit_stops_a_slow_query(loaded) -> None:
    from graphbench.store.cypher_console import run_console

    with pytest.raises(QueryRefused, match="time limit"):
        run_console(loaded._driver, loaded.database,
                    "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(*) AS n", timeout_s=1)


def test_legitimate_reads_still_work(loaded) -> None:
    rows = loaded.cypher_read("MATCH (a:Account) WHERE a.handle CONTAINS $q RETURN a.id AS id ORDER BY id",
                              {"q": "reptile"})
    assert [r["id"] for r in rows] == ["Account:facebook:reptilehouse.vn", "Account:instagram:reptile.house"]
    assert rows.cut is None
    assert loaded.cypher_read("RETURN '//' AS a, 'LOAD CSV' AS b, 'apoc.load.json(' AS c") == [
        {"a": "//", "b": "LOAD CSV", "c": "apoc.load.json("}]
    assert "Account" in {r["label"] for r in loaded.cypher_read("CALL db.labels()")}
    assert loaded.cypher_read("CALL db.labels() YIELD label WITH label WHERE label = 'Account' RETURN label") == [
        {"label": "Account"}]
    assert loaded.cypher_read("MATCH (c:PaymentChannel) CALL (c) { MATCH (c)-[t:TRANSFERRED]->() "
                              "RETURN count(t) AS n } RETURN sum(n) AS transfers")[0]["transfers"] > 0
    assert loaded.cypher_read("RETURN apoc.text.join(['a', 'b'], '-') AS j, date('2024-01-02').year AS y") == [
        {"j": "a-b", "y": 2024}]


def test_refusals_name_what_was_refused(loaded) -> None:
    with pytest.raises(QueryRefused, match="LOAD CSV"):
        loaded.cypher_read("WITH '//' AS x LOAD CSV FROM 'http://127.0.0.1:9/x' AS row RETURN row")
    with pytest.raises(QueryRefused, match="apoc.load.json"):
        loaded.cypher_read("CALL `apoc` . `load`.json('http://127.0.0.1:9/x')")
    with pytest.raises(QueryRefused, match="gds.graph.project"):
        loaded.cypher_read("MATCH (a) RETURN gds.graph.project('g', a, null) AS g")
    with pytest.raises(QueryRefused, match="change data"):
        loaded.cypher_read("CREATE (n:Owned)")


def test_the_server_itself_refuses_file_urls_and_apoc_loading(loaded, listener) -> None:
    # the layer under the console (scripts/neo4j_local.py's settings): even a statement that got past
    # every check in the client finds no file URLs and no APOC loaders on the server
    from neo4j.exceptions import ClientError

    url, counter = listener
    with pytest.raises(ClientError, match="file URLs|configuration"):
        loaded.read("LOAD CSV FROM 'file:///accounts.csv' AS row RETURN row")
    for procedure in ("apoc.load.json", "apoc.load.jsonParams", "apoc.cypher.run", "apoc.export.csv.all"):
        with pytest.raises(ClientError, match="no procedure"):
            loaded.read(f"CALL {procedure}($url)", {"url": url})
    assert counter.hits == 0
    loaded.run("CALL gds.graph.project('h6_export_probe', 'Account', '*')")
    try:  # GDS has no export folder to write files to
        with pytest.raises(ClientError, match="gds.export.location"):
            loaded.run("CALL gds.graph.export.csv('h6_export_probe', {exportName: 'h6'})")
    finally:
        loaded.run("CALL gds.graph.drop('h6_export_probe', false)")
