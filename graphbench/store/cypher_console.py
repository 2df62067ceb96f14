"""The analysts' read-only Cypher console: what the server says a statement will do decides, not the text.

A statement runs only when all of these hold:

1. its tokens (strings, backtick names and comments read as Cypher reads them, so ``'//'``, spaces
   around dots and backticks change nothing) start no command (SHOW, TERMINATE, USE, LOAD CSV, user
   and database administration, EXPLAIN/PROFILE/CYPHER prefixes) and call only allowed procedures
   and functions — a first, friendly message;
2. ``EXPLAIN`` of it, in a READ transaction, reports query type ``r`` and a plan whose every operator
   is a known read operator, whose procedure calls are on :data:`PROCEDURES` and whose expressions call
   only built-in functions or the namespaces in :data:`FUNCTION_NAMESPACES` (this is the guard that
   cannot be talked around: it is the server's own reading of the statement);
3. it then runs in a READ transaction with a server-side timeout, and the client stops reading after
   ``limit`` records or ``max_bytes`` of rows, saying so.

Assumption: the console's user may read the whole graph (the store has no finer access rules).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from graphbench.errors import QueryRefused

ROW_LIMIT = 1000  # rows shown; the rest is not fetched
TIMEOUT_S = 30.0  # server-side: the transaction is stopped by Neo4j itself
MAX_BYTES = 20_000_000  # rows held by the client, measured as JSON text
FETCH_SIZE = 200  # records per Bolt pull, so a cut result is never fetched in full

# Procedures the console may CALL: schema introspection only, nothing that reaches files, URLs,
# settings, other sessions or the GDS catalog.
PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
    "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
})
# Namespaced functions the console may call (built-in temporal/spatial ones and pure APOC helpers);
# every other namespaced function (gds.graph.project is one: it builds a projection) is refused.
FUNCTION_NAMESPACES = ("date.", "datetime.", "localdatetime.", "localtime.", "time.", "duration.", "point.",
                       "vector.similarity.", "apoc.coll.", "apoc.text.", "apoc.map.")

# Plan operators that only read (Neo4j 5 names, without the "@database" suffix and "(All)"-style
# variants). Any other operator — LoadCSV, Create, Merge, SetProperty, Delete, Foreach, TransactionApply,
# ShowTransactions, TerminateTransactions, … — refuses the statement.
READ_OPERATORS = frozenset("""
ProduceResults EmptyResult Argument ArgumentTracker Projection Filter Limit ExhaustiveLimit Skip Sort
PartialSort Top PartialTop Distinct OrderedDistinct EagerAggregation OrderedAggregation Aggregation
Unwind PartitionedUnwind Optional Apply SemiApply AntiSemiApply LetSemiApply LetAntiSemiApply
SelectOrSemiApply SelectOrAntiSemiApply LetSelectOrSemiApply LetSelectOrAntiSemiApply ConditionalApply
AntiConditionalApply RollUpApply CartesianProduct Union OrderedUnion NodeHashJoin ValueHashJoin
NodeLeftOuterHashJoin NodeRightOuterHashJoin CacheProperties Eager EmptyRow Anti AssertSameNode
AssertSameRelationship ProjectEndpoints TriadicSelection TriadicBuild TriadicFilter NullifyMetadata
AllNodesScan NodeByLabelScan NodeByIdSeek NodeByElementIdSeek IntersectionNodeByLabelsScan
UnionNodeByLabelsScan SubtractionNodeByLabelsScan NodeIndexSeek NodeUniqueIndexSeek MultiNodeIndexSeek
AssertingMultiNodeIndexSeek AssertingMultiRelationshipIndexSeek NodeIndexSeekByRange
NodeUniqueIndexSeekByRange NodeIndexContainsScan NodeIndexEndsWithScan NodeIndexScan
NodeCountFromCountStore RelationshipCountFromCountStore
DirectedRelationshipIndexScan UndirectedRelationshipIndexScan DirectedRelationshipIndexSeek
UndirectedRelationshipIndexSeek DirectedRelationshipIndexSeekByRange UndirectedRelationshipIndexSeekByRange
DirectedRelationshipIndexContainsScan UndirectedRelationshipIndexContainsScan
DirectedRelationshipIndexEndsWithScan UndirectedRelationshipIndexEndsWithScan
DirectedRelationshipUniqueIndexSeek UndirectedRelationshipUniqueIndexSeek
DirectedRelationshipUniqueIndexSeekByRange UndirectedRelationshipUniqueIndexSeekByRange
DirectedRelationshipByIdSeek UndirectedRelationshipByIdSeek DirectedRelationshipByElementIdSeek
UndirectedRelationshipByElementIdSeek DirectedRelationshipTypeScan UndirectedRelationshipTypeScan
DirectedUnionRelationshipTypesScan UndirectedUnionRelationshipTypesScan DirectedAllRelationshipsScan
UndirectedAllRelationshipsScan
Expand OptionalExpand VarLengthExpand BFSPruningVarLengthExpand ShortestPath StatefulShortestPath Repeat
Trail ProcedureCall
""".split())

# Words that start a statement the console never runs, whatever the plan would say.
_COMMANDS = {
    "show": "SHOW commands", "terminate": "TERMINATE TRANSACTIONS", "use": "USE (the console reads its own "
    "database)", "explain": "EXPLAIN / PROFILE (the console explains every statement itself)",
    "profile": "EXPLAIN / PROFILE (the console explains every statement itself)", "cypher": "CYPHER options",
    "grant": "administration commands", "deny": "administration commands", "revoke": "administration commands",
    "alter": "administration commands", "rename": "administration commands", "start": "administration commands",
    "stop": "administration commands", "enable": "administration commands",
}
_WRITE_CLAUSES = {"create", "merge", "delete", "detach", "set", "remove", "drop", "foreach"}

_TOKEN = re.compile(r"""
    (?P<space>\s+|//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<quoted>`(?:[^`]|``)*(?:`|\Z))
  | (?P<number>\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<other>.)
""", re.S | re.X)


class ConsoleRows(list):
    """The rows (a list of dicts) and, when the console stopped reading early, ``cut``: why, in words."""

    cut: str | None = None


def run_console(driver: Any, database: str | None, cypher: str, params: dict[str, Any] | None = None, *,
                limit: int = ROW_LIMIT, timeout_s: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> ConsoleRows:
    """Run one console statement read-only (see the module docstring); QueryRefused says why it did not."""
    from neo4j import READ_ACCESS
    from neo4j.exceptions import DriverError, Neo4jError

    check_text(cypher)
    try:
        with driver.session(database=database, default_access_mode=READ_ACCESS, fetch_size=FETCH_SIZE) as session:
            with session.begin_transaction(timeout=timeout_s) as tx:
                explained = tx.run("EXPLAIN " + cypher, params or {}).consume()
                check_plan(explained.query_type, explained.plan)
                return _bounded(tx.run(cypher, params or {}), limit, max_bytes)
    except Neo4jError as exc:  # one sentence, never a traceback
        code, message = exc.code or "", exc.message or type(exc).__name__
        if "TransactionTimedOut" in code or "Transaction.Terminated" in code:
            raise QueryRefused(f"stopped: the console's time limit of {timeout_s:g} s ran out (Neo4j ended the "
                               "transaction); narrow the query or add LIMIT") from None
        if "AccessMode" in code or "read access mode" in message:
            raise QueryRefused("refused: the statement would change data; the console is read-only") from None
        if "MemoryPool" in code or "OutOfMemory" in code:
            raise QueryRefused("stopped: the query needed more memory than Neo4j allows one transaction; "
                               "return fewer or smaller rows") from None
        raise QueryRefused(f"Neo4j refused the query: {message}") from None
    except DriverError as exc:  # a lost connection and the like
        raise QueryRefused(f"the query did not finish: {exc}") from None


def _bounded(result: Any, limit: int, max_bytes: int) -> ConsoleRows:
    """At most ``limit`` rows and about ``max_bytes`` of them; the rest is never pulled from the server."""
    rows = ConsoleRows()
    size = 0
    for record in result:
        if len(rows) >= limit:
            rows.cut = f"cut at {limit:,} rows: the console shows at most {limit:,}; add LIMIT or aggregate"
            break
        row = record.data()
        size += len(json.dumps(row, default=str))
        if size > max_bytes:
            rows.cut = (f"cut at {len(rows):,} rows: the next row passed the console's size limit of "
                        f"{max_bytes / 1e6:g} MB; return fewer or smaller columns")
            break
        rows.append(row)
    return rows  # leaving the transaction discards what the server still holds


# -- what the text says ----------------------------------------------------------------------------

def tokens(cypher: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each token, comments and white space dropped; a backtick name is a ``qname``, unquoted."""
    for match in _TOKEN.finditer(cypher):
        kind = match.lastgroup or "other"
        text = match.group(kind)
        if kind == "space":
            continue
        if kind == "quoted":
            yield "qname", text[1:-1].replace("``", "`") if text.endswith("`") and len(text) > 1 else text[1:]
        else:
            yield kind, text


def called_names(cypher: str) -> list[tuple[str, bool]]:
    """Every dotted name the statement calls, as (name, is_procedure): ``x.y(`` and ``CALL x.y``."""
    found: list[tuple[str, bool]] = []
    toks = list(tokens(cypher))
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        if kind not in ("name", "qname"):
            i += 1
            continue
        parts, j = [text], i + 1
        while j + 1 < len(toks) and toks[j] == ("other", ".") and toks[j + 1][0] in ("name", "qname"):
            parts.append(toks[j + 1][1])
            j += 2
        after_call = i > 0 and toks[i - 1][0] == "name" and toks[i - 1][1].lower() == "call"
        preceded_by_dot = i > 0 and toks[i - 1] == ("other", ".")
        if len(parts) > 1 and not preceded_by_dot and (after_call or (j < len(toks) and toks[j] == ("other", "("))):
            found.append((".".join(parts), after_call))
        i = j
    return found


def check_text(cypher: str) -> None:
    """The friendly first look: commands, LOAD CSV, writes and calls, read from the tokens."""
    words = _keywords(cypher)
    if not words:
        raise QueryRefused("refused: the statement is empty")
    first = words[0]
    if first in _COMMANDS:
        raise QueryRefused(f"refused: {_COMMANDS[first]} are not run by the read-only console")
    for word in words:
        if word in ("terminate", "show", "use") and word != first:
            raise QueryRefused(f"refused: {_COMMANDS[word]} are not run by the read-only console")
    if any(a == "load" and b == "csv" for a, b in zip(words, words[1:], strict=False)):
        raise QueryRefused("refused: LOAD CSV would make the server read a file or fetch a URL; "
                           "the console reads the graph only")
    write = next((w for w in words if w in _WRITE_CLAUSES), None)
    if write:
        raise QueryRefused(f"refused: {write.upper()} would change data; the console is read-only")
    for name, is_procedure in called_names(cypher):
        _check_call(name, is_procedure)


def _keywords(cypher: str) -> list[str]:
    """The bare words that can be keywords: not backtick-quoted, not a property (after ``.``), a label or
    type (after ``:``) or a map key (before ``:``)."""
    toks = list(tokens(cypher))
    words = []
    for i, (kind, text) in enumerate(toks):
        if kind != "name" or (i and toks[i - 1] in (("other", "."), ("other", ":"))):
            continue
        if i + 1 < len(toks) and toks[i + 1] == ("other", ":"):
            continue
        words.append(text.lower())
    return words


def _check_call(name: str, is_procedure: bool) -> None:
    if is_procedure:
        if name not in PROCEDURES:
            raise QueryRefused(f"refused: the console may call only {', '.join(sorted(PROCEDURES))}; "
                               f"not {name}")
    elif not name.lower().startswith(FUNCTION_NAMESPACES):
        raise QueryRefused(f"refused: the function {name} is not one the console may call "
                           "(built-in functions and apoc.coll/text/map are)")


# -- what the server says --------------------------------------------------------------------------

def check_plan(query_type: str | None, plan: dict[str, Any] | None) -> None:
    """The guard that holds: the server's query type and plan of the statement."""
    if query_type != "r":
        what = {"w": "write", "rw": "change", "s": "change the schema or settings of"}.get(query_type or "", "touch")
        raise QueryRefused(f"refused: Neo4j reports that the statement would {what} data (query type "
                           f"{query_type!r}); the console is read-only")
    if not plan:
        raise QueryRefused("refused: Neo4j gave no plan for the statement, so the console cannot vouch for it")
    for operator, details in _operators(plan):
        if operator not in READ_OPERATORS:
            shown = "LOAD CSV" if operator == "LoadCSV" else operator
            raise QueryRefused(f"refused: the plan uses {shown}, which the read-only console does not run")
        calls = [name for name, _ in called_names(details or "")]
        if operator == "ProcedureCall":  # its details start with the procedure: "db.labels() :: (label :: STRING)"
            _check_call(calls.pop(0) if calls else "an unnamed procedure", True)
        for called in calls:  # every function any operator's expressions call
            _check_call(called, False)


def _operators(plan: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """(base operator name, details) of every operator in the plan tree."""
    stack = [plan]
    while stack:
        node = stack.pop()
        name = str(node.get("operatorType", "")).split("@")[0]
        yield name.split("(")[0], (node.get("args") or {}).get("Details")
        stack.extend(node.get("children") or [])
