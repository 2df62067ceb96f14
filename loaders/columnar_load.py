"""Loading a file column-wise into a store that takes Arrow tables (the embedded store's ``upsert_tables``).

Today: transactions in a UTF-8 CSV without a mapping (:mod:`loaders.transactions_columnar`). Per record
batch, the rows decided column-wise become two Arrow tables; every other row (odd, failing, warning) goes
through the row parser (``one``, the same code a row-by-row load runs), and its records join the tables
with their place in load order. Rows in = loaded + rejected stays exact, and rejects and warnings come
out in row order with file, row, field and reason.

The channel records of the file are merged in memory and reach the store once, at the end of the file
(:mod:`loaders.columnar_stage`: exact, and the store's channel rows are not rewritten on every block).

When pyarrow cannot parse the file after all (a ragged row, an unclosed quote), the rows written so far
stay (writing them again changes nothing), the staged ones are dropped, and the whole file is read again
row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from graphbench.batch import GraphBatch
from graphbench.store.base import SupportsTableUpserts
from graphbench.store.duck_values import records_table
from loaders import columnar, transactions_columnar
from loaders.columnar_stage import NodeStage

RowParser = Callable[..., GraphBatch | None]
Progress = Callable[[str, int, int], None]


def takes(store: Any, source: Any) -> list[str] | None:
    """The file's header when this file can be loaded column-wise into this store, else None."""
    if not isinstance(store, SupportsTableUpserts):  # Neo4j takes batches
        return None
    if source.kind != "transactions" or source.entry is not None:  # the file's kind
        return None
    header = columnar.readable(source.path)
    return header if header and transactions_columnar.usable(header) else None


def load(store: Any, source: Any, report: Any, recorded_path: str, one: RowParser, progress: Progress | None,
         expected: int, kept: tuple[list[Any], list[Any]]) -> bool:
    """Load the file column-wise; False (nothing counted) when the row reader must take it."""
    header = takes(store, source)
    if header is None:
        return False
    known: dict[str, dict[Any, Any]] = {}  # values normalised so far in this file
    stage = NodeStage("PaymentChannel")  # the channels of the file, merged in memory (columnar_stage.py)
    try:
        for block in columnar.blocks(source.path, header):
            parsed = transactions_columnar.parse_block(block, recorded_path, known)
            nodes, rels = [parsed.nodes], [parsed.rels]
            report.loaded += parsed.rels.num_rows
            report.rows += block.cells.num_rows
            left = [i for i, done in enumerate(parsed.ok) if not done]
            if left:
                extra_nodes, extra_rels = _by_row(block, header, left, one)
                nodes += extra_nodes
                rels += extra_rels
            if len(nodes) == 1 and stage.takes(parsed.nodes):
                stage.add(parsed.nodes)
                store.upsert_tables({}, {"TRANSFERRED": _concat(rels)})
                if stage.big():
                    stage.flush(store)
            else:  # what is staged reaches the store first: load order holds
                stage.flush(store)
                store.upsert_tables({"PaymentChannel": _concat(nodes)}, {"TRANSFERRED": _concat(rels)})
            if progress:
                progress(source.path.name, report.rows, expected)
        stage.flush(store)
    except pa.ArrowInvalid:
        report.rows = report.loaded = 0
        for records in kept:
            records.clear()
        return False
    finally:
        stage.close()
    return True


def _by_row(block: columnar.Block, header: list[str], positions: list[int], one: RowParser
            ) -> tuple[list[pa.Table], list[pa.Table]]:
    """The rows not decided column-wise, through the row parser, as tables in their load order."""
    from loaders.reader import record_sha256

    subset = block.cells.take(positions).to_pylist()
    numbers = block.numbers.take(positions).to_pylist()
    nodes: dict[str, list[dict[str, Any]]] = {}
    rels: dict[str, list[dict[str, Any]]] = {}
    seqs: dict[tuple[str, str], list[int]] = {}
    for number, cells in zip(numbers, subset, strict=True):
        raw = {name: cells[name] for name in header}
        batch = one(number, raw, record_sha256(raw))
        if batch is None:
            continue
        base = number * transactions_columnar.RECORDS_PER_ROW
        for k, node in enumerate(batch.nodes):
            nodes.setdefault(node.label, []).append({"id": node.id, **node.props})
            seqs.setdefault(("n", node.label), []).append(base + k)
        for k, rel in enumerate(batch.rels, start=len(batch.nodes)):
            rels.setdefault(rel.type, []).append({"start": rel.start, "end": rel.end, **rel.props})
            seqs.setdefault(("r", rel.type), []).append(base + k)
    unexpected = set(nodes) - {"PaymentChannel"} | set(rels) - {"TRANSFERRED"}
    if unexpected:  # the row parser of transactions makes nothing else
        raise RuntimeError(f"transactions made {sorted(unexpected)}")
    node_tables = [records_table(rows, ["id"], seqs=seqs[("n", label)]) for label, rows in nodes.items()]
    rel_tables = [records_table(rows, ["start", "end"], seqs=seqs[("r", t)]) for t, rows in rels.items()]
    return node_tables, rel_tables


def _concat(tables: list[pa.Table]) -> pa.Table:
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]
