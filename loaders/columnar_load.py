"""Loading a file column-wise into a store that takes Arrow tables (the embedded store's ``upsert_tables``).

Today: transactions in a UTF-8 CSV without a mapping (:mod:`loaders.transactions_columnar`). Per record
batch, the rows decided column-wise become two Arrow tables; every other row (odd, failing, warning) goes
through the row parser (``one``, the same code a row-by-row load runs), and its records join the tables
with their place in load order. Rows in = loaded + rejected stays exact, and rejects and warnings come
out in row order with file, row, field and reason.

The channel records of the file are merged in memory and reach the store once, at the end of the file
(:mod:`loaders.columnar_stage`: exact, and the store's channel rows are not rewritten on every block).

The transfers reach the store in pieces of whole DuckDB row groups (:data:`ROW_GROUP`), the rest of a block
waiting for the next one: an append that ends in a partial row group has that group rewritten by the next
append and again at the checkpoint (measured on 1M transfers: 2.4x the CPU and a file twice the size).
The pieces are merged in load order, one after another, as the blocks were, so the graph is the same.

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

# DuckDB's row-group size (its default, 2048 x 60 rows): appends of whole groups are written once
ROW_GROUP = 122_880
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
    transfers = _Pieces(store)
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
                transfers.add(_concat(rels))
                if stage.big():
                    stage.flush(store)
            else:  # what is staged or waiting reaches the store first: load order holds
                stage.flush(store)
                transfers.flush()
                store.upsert_tables({"PaymentChannel": _concat(nodes)}, {"TRANSFERRED": _concat(rels)})
            if progress:
                progress(source.path.name, report.rows, expected)
        transfers.flush()
        stage.flush(store)
    except pa.ArrowInvalid:
        report.rows = report.loaded = 0
        for records in kept:
            records.clear()
        return False
    finally:
        stage.close()
    return True


class _Pieces:
    """TRANSFERRED rows on their way to the store in whole row groups, in load order."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.waiting: list[pa.Table] = []
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.waiting.append(table)
        self.rows += table.num_rows
        if self.rows < ROW_GROUP:
            return
        whole = _concat(self.waiting)
        cut = self.rows - self.rows % ROW_GROUP
        self.store.upsert_tables({}, {"TRANSFERRED": whole.slice(0, cut)})
        rest = whole.slice(cut)
        self.waiting, self.rows = ([rest] if rest.num_rows else []), rest.num_rows

    def flush(self) -> None:
        if self.waiting:
            self.store.upsert_tables({}, {"TRANSFERRED": _concat(self.waiting)})
        self.waiting, self.rows = [], 0


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
