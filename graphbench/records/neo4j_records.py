"""Records as ``(:GraphbenchRecord {rid, kind, key, doc})`` nodes in the graph's own Neo4j database.

``rid`` (kind and key joined by a unit separator) is unique by constraint, so ``MERGE`` on it is atomic and
:meth:`put_new` creates a document at most once however many loads race. ``doc`` is the JSON text. The
label is outside graphbench's schema: counts, exports and named queries never read these nodes. All
Cypher is parameterised; the module opens no connection itself (it is given the store's ``run``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Runner = Callable[[str, dict[str, Any]], list[dict[str, Any]]]
_SEPARATOR = "\x1f"
_constrained: set[int] = set()


class Neo4jRecords:
    def __init__(self, run: Runner) -> None:
        self._run = run
        owner = id(getattr(run, "__self__", run))  # once per store object, not per call
        if owner not in _constrained:
            run("CREATE CONSTRAINT graphbench_record_rid IF NOT EXISTS "
                "FOR (r:GraphbenchRecord) REQUIRE r.rid IS UNIQUE", {})
            _constrained.add(owner)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        rows = self._run("MATCH (r:GraphbenchRecord {rid: $rid}) RETURN r.doc AS doc", {"rid": _rid(kind, key)})
        return json.loads(rows[0]["doc"]) if rows else None

    def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        self._run("MERGE (r:GraphbenchRecord {rid: $rid}) SET r.kind = $kind, r.key = $key, r.doc = $doc",
                  {"rid": _rid(kind, key), "kind": kind, "key": key, "doc": _text(doc)})

    def put_new(self, kind: str, key: str, doc: dict[str, Any]) -> bool:
        rows = self._run("MERGE (r:GraphbenchRecord {rid: $rid}) "
                         "ON CREATE SET r.kind = $kind, r.key = $key, r.doc = $doc, r.fresh = true "
                         "WITH r, coalesce(r.fresh, false) AS created REMOVE r.fresh RETURN created",
                         {"rid": _rid(kind, key), "kind": kind, "key": key, "doc": _text(doc)})
        return bool(rows and rows[0]["created"])

    def all(self, kind: str) -> list[dict[str, Any]]:
        rows = self._run("MATCH (r:GraphbenchRecord) WHERE r.kind = $kind RETURN r.doc AS doc ORDER BY r.key",
                         {"kind": kind})
        return [json.loads(r["doc"]) for r in rows]

    def delete(self, kind: str, key: str) -> bool:
        rows = self._run("MATCH (r:GraphbenchRecord {rid: $rid}) DELETE r RETURN count(*) AS n",
                         {"rid": _rid(kind, key)})
        return bool(rows and rows[0]["n"])


def _rid(kind: str, key: str) -> str:
    return f"{kind}{_SEPARATOR}{key}"


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str)
