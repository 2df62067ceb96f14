"""How the Neo4j store splits a batch for its parallel write transactions."""

from __future__ import annotations

import pytest

from graphbench.store import neo4j_writes as neo4j_store
from graphbench.store.neo4j_writes import _chunks


@pytest.mark.parametrize("n", [0, 1, 999, 1_000, 2_500, 19_999, 20_000, 45_001])
def test_chunks_cover_every_row_once_within_the_limits(n: int) -> None:
    rows = [{"id": i} for i in range(n)]
    chunks = _chunks(rows)
    assert [row for chunk in chunks for row in chunk] == rows
    assert all(0 < len(chunk) <= neo4j_store.WRITE_CHUNK for chunk in chunks)
    if n >= neo4j_store.WRITERS * neo4j_store.MIN_CHUNK:  # enough to share: every writer gets work
        assert len(chunks) >= neo4j_store.WRITERS
    if n <= neo4j_store.MIN_CHUNK:  # too little to be worth a second transaction
        assert len(chunks) <= 1
