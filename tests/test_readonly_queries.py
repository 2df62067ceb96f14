"""Nobody changes evidence through the query box: the console refuses anything the server's plan of the
statement says is not a read (graphbench/store/cypher_console.py), and runs the rest in READ
transactions; named-query parameters are bound, so injection strings are just values. The attacks on
the console itself (URL and file loading, other sessions, GDS, floods) are in tests/adversarial/."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphbench.errors import GraphbenchError, QueryRefused
from graphbench.export.jsonl import generate_jsonl
from graphbench.store import open_store
from graphbench.store.named_queries import load_query, query_names
from loaders.load import load_dir

MINI = Path(__file__).parent / "fixtures" / "mini"
INJECTIONS = [
    "x' OR 1=1 //",
    "Account:instagram:x'}) DETACH DELETE n //",
    "Account:instagram:x\"}) MATCH (n) DETACH DELETE n RETURN 1 AS id //",
    "'; CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {}) //",
    "Hashtag:pets` ) DELETE n //",
    "$limit",
]
WRITES = [
    "CREATE (n:Account {id: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Account) SET n.handle = 'owned'",
    "MERGE (n:Hashtag {id: 'Hashtag:x'})",
    "MATCH (n:Account) REMOVE n.handle",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "CALL apoc.create.node(['X'], {}) YIELD node RETURN node",
    "CALL gds.graph.drop('x')",
    "DROP CONSTRAINT account_id",
    "match (n) detach delete n",
    "MATCH (n) WITH n CALL { WITH n DETACH DELETE n } RETURN 1",
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    # one store for the 72 cases: each compares the whole graph before and after its own queries, so a
    # case that wrote would fail itself, and the others still start from what they read
    store = open_store("memory:")
    load_dir(store, MINI, rejects_dir=tmp_path_factory.mktemp("rejects"))
    return store


@pytest.mark.parametrize("name", query_names())
@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_in_every_parameter_are_values(loaded, name: str, value: str) -> None:
    before = list(generate_jsonl(loaded))
    for param in load_query(name).params:
        try:
            rows = loaded.run_named(name, {param.name: value})
        except GraphbenchError:
            continue  # refused as an invalid value: fine
        assert rows == []  # never matches anything, never runs as Cypher
    assert list(generate_jsonl(loaded)) == before


@pytest.mark.neo4j
def test_named_queries_with_injections_change_nothing_in_neo4j(neo4j_store, tmp_path: Path) -> None:
    load_dir(neo4j_store, MINI, rejects_dir=tmp_path)
    before = list(generate_jsonl(neo4j_store))
    for name in query_names():
        for param in load_query(name).params:
            for value in INJECTIONS:
                try:
                    assert neo4j_store.run_named(name, {param.name: value}) == []
                except GraphbenchError:
                    pass
    assert list(generate_jsonl(neo4j_store)) == before


@pytest.fixture(scope="module")
def neo4j_mini(neo4j_session_store, neo4j_emptier, tmp_path_factory: pytest.TempPathFactory):
    """The mini fixture in Neo4j, emptied and loaded once for the console cases: as with ``loaded``, each
    compares the whole graph before and after its own statement (a wipe and a load each cost ~1 s)."""
    neo4j_emptier(neo4j_session_store)
    load_dir(neo4j_session_store, MINI, rejects_dir=tmp_path_factory.mktemp("rejects"), resolve=False)
    return neo4j_session_store


@pytest.mark.neo4j
@pytest.mark.parametrize("cypher", WRITES)
def test_console_refuses_writes(neo4j_mini, cypher: str) -> None:
    before = list(generate_jsonl(neo4j_mini))
    with pytest.raises(QueryRefused):
        neo4j_mini.cypher_read(cypher)
    assert list(generate_jsonl(neo4j_mini)) == before


@pytest.mark.neo4j
def test_read_transaction_is_the_real_guard(neo4j_store) -> None:
    # a second guard under the plan check: a write in a READ transaction is refused by the server
    from neo4j.exceptions import ClientError

    with pytest.raises(ClientError):
        neo4j_store.read("CREATE (n:Account {id: 'sneaky'})")
    assert neo4j_store.node("Account:sneaky") is None


@pytest.mark.neo4j
def test_console_answers_reads(neo4j_store, tmp_path: Path) -> None:
    load_dir(neo4j_store, MINI, rejects_dir=tmp_path, resolve=False)
    rows = neo4j_store.cypher_read("MATCH (a:Account) WHERE a.handle CONTAINS $q RETURN a.id AS id ORDER BY id",
                                   {"q": "reptile"})
    assert [r["id"] for r in rows] == ["Account:facebook:reptilehouse.vn", "Account:instagram:reptile.house"]
    # a keyword inside a string literal is not a clause
    assert neo4j_store.cypher_read("RETURN 'CREATE and DELETE' AS text") == [{"text": "CREATE and DELETE"}]
