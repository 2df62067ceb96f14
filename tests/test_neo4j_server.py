"""Integration checks against a real Neo4j server (started by `scripts/neo4j_local.py start`).

Skipped when no server answers, unless GRAPHBENCH_REQUIRE_NEO4J=1, in which case they fail.
Connection from NEO4J_URI (default: the local server's port, GRAPHBENCH_NEO4J_PORT or 7687) /
NEO4J_USER / NEO4J_PASSWORD.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

# the server `scripts/neo4j_local.py start` runs (its port from GRAPHBENCH_NEO4J_PORT), as conftest uses
DEFAULT_URI = f"bolt://127.0.0.1:{os.environ.get('GRAPHBENCH_NEO4J_PORT', '7687')}"
DEFAULT_USER = "neo4j"
DEFAULT_PASSWORD = "graphbench-dev"


def server_required() -> bool:
    return os.environ.get("GRAPHBENCH_REQUIRE_NEO4J") == "1"


def unavailable(reason: str) -> None:
    if server_required():
        pytest.fail(f"GRAPHBENCH_REQUIRE_NEO4J=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def connection_settings() -> tuple[str, str, str]:
    return (
        os.environ.get("NEO4J_URI", DEFAULT_URI),
        os.environ.get("NEO4J_USER", DEFAULT_USER),
        os.environ.get("NEO4J_PASSWORD", DEFAULT_PASSWORD),
    )


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    try:
        import neo4j
    except ImportError:
        unavailable("the `neo4j` driver package is not installed")
    uri, user, password = connection_settings()
    graph_driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
    try:
        graph_driver.verify_connectivity()
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no server here"
        graph_driver.close()
        unavailable(f"no Neo4j answers at {uri} ({type(error).__name__}: {error})")
    yield graph_driver
    graph_driver.close()


@pytest.fixture
def scratch_label(driver) -> Iterator[str]:
    """A label no other data uses, so tests can run against a shared database; removed afterwards."""
    label = f"GraphbenchTest_{uuid.uuid4().hex}"  # generated here, never user input: safe to splice
    yield label
    driver.execute_query(f"MATCH (n:{label}) DETACH DELETE n")


def single_value(driver, query: str, **parameters: object) -> object:
    records, _, _ = driver.execute_query(query, parameters)
    assert len(records) == 1
    return records[0][0]


def test_gds_is_the_2_13_line(driver) -> None:
    assert str(single_value(driver, "RETURN gds.version()")).startswith("2.13.")


def test_apoc_is_the_5_26_line(driver) -> None:
    assert str(single_value(driver, "RETURN apoc.version()")).startswith("5.26.")


def test_louvain_splits_two_triangles_into_two_communities(driver, scratch_label: str) -> None:
    driver.execute_query(
        f"""
        UNWIND [['a','b'],['b','c'],['c','a'],['x','y'],['y','z'],['z','x']] AS pair
        MERGE (s:{scratch_label} {{name: pair[0]}})
        MERGE (t:{scratch_label} {{name: pair[1]}})
        CREATE (s)-[:LINK]->(t)
        """
    )
    graph_name = scratch_label.lower()
    driver.execute_query(
        "CALL gds.graph.project($graph, $label, {LINK: {orientation: 'UNDIRECTED'}})",
        graph=graph_name,
        label=scratch_label,
    )
    try:
        records, _, _ = driver.execute_query(
            """
            CALL gds.louvain.stream($graph, {concurrency: 1})
            YIELD nodeId, communityId
            RETURN communityId, collect(gds.util.asNode(nodeId).name) AS members
            """,
            graph=graph_name,
        )
    finally:
        driver.execute_query("CALL gds.graph.drop($graph, false) YIELD graphName", graph=graph_name)
    communities = {frozenset(record["members"]) for record in records}
    assert communities == {frozenset("abc"), frozenset("xyz")}


def test_a_wrong_password_is_refused(driver) -> None:
    import neo4j
    from neo4j.exceptions import AuthError

    uri, user, password = connection_settings()
    with neo4j.GraphDatabase.driver(uri, auth=(user, password + "-wrong")) as intruder:
        with pytest.raises(AuthError):
            intruder.verify_connectivity()


def test_written_properties_read_back_unchanged(driver, scratch_label: str) -> None:
    written = {
        "handle": "reptile.house",
        "followers": 1234,
        "score": 0.75,
        "tags": ["pangolin", "scales"],
        "flagged": True,
    }
    driver.execute_query(f"CREATE (n:{scratch_label}) SET n = $props", props=written)
    read_back = single_value(driver, f"MATCH (n:{scratch_label}) RETURN properties(n)")
    assert read_back == written
