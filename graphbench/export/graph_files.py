"""GraphML and GEXF (for Gephi, yEd, Cytoscape): the whole graph as a networkx graph with typed
attributes — numbers stay numbers, lists are joined with ';' (neither format has lists)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from graphbench.export.jsonl import table_records
from graphbench.schema import NODE_TYPES, REL_TYPES

_SKIP = {"sources"}  # provenance lists stay in the JSON Lines export; GraphML keeps file/row/sha256


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def build_graph(store: Any) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for label in NODE_TYPES:
        for record in table_records(store.nodes(label)):
            node = record.pop("id")
            attrs = {k: _value(v) for k, v in record.items() if k not in _SKIP}
            graph.add_node(node, label=label, **attrs)
    for rel_type in REL_TYPES:
        for record in table_records(store.relationships(rel_type)):
            start, end = record.pop("start"), record.pop("end")
            attrs = {k: _value(v) for k, v in record.items() if k not in _SKIP}
            # "relationship", not "type": GEXF reserves an edge's type for directed/undirected
            graph.add_edge(start, end, key=f"{rel_type}:{attrs.get('tx_id', '')}", relationship=rel_type, **attrs)
    _uniform_types(graph)
    return graph


def _uniform_types(graph: nx.MultiDiGraph) -> None:
    """GraphML/GEXF declare one type per attribute key: an int key that also holds floats becomes float,
    anything mixed with text becomes text."""
    for items in (graph.nodes(data=True), ((None, None, d) for _, _, d in graph.edges(data=True))):
        seen: dict[str, set[type]] = {}
        rows = [row[-1] for row in items]
        for data in rows:
            for key, value in data.items():
                seen.setdefault(key, set()).add(type(value))
        for key, kinds in seen.items():
            if kinds <= {int, float} and float in kinds:
                target: type = float
            elif len(kinds) > 1:
                target = str
            else:
                continue
            for data in rows:
                if key in data:
                    data[key] = target(data[key])


def write_graphml(store: Any, path: str | Path) -> dict[str, int]:
    graph = build_graph(store)
    nx.write_graphml(graph, path, named_key_ids=True)
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def write_gexf(store: Any, path: str | Path) -> dict[str, int]:
    graph = build_graph(store)
    nx.write_gexf(graph, path)
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
