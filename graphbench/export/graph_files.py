"""GraphML and GEXF (for Gephi, yEd, Cytoscape): the whole graph as a networkx graph with typed
attributes — numbers stay numbers, lists are joined with ';' (neither format has lists).

Both files validate against their published schemas (tests/test_export_validators.py): GraphML 1.0
and GEXF 1.3, the version Gephi reads (networkx's default is
1.2draft). GraphML ids are XML name tokens: a graphbench id with other characters (``+`` of a phone,
``@`` of an e-mail, a space in a handle) is written with XmlConvert's ``_xHHHH_`` escapes (``Phone:_x002B_
8491…``) and kept as it is in the node's ``graphbench_id``; edge ids are unique in the file. Characters XML 1.0 cannot hold (most C0 controls, lone surrogates) become U+FFFD, so a
scraped bio with an escape sequence in it still gives a file every XML parser opens."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from graphbench.export.jsonl import table_records
from graphbench.schema import NODE_TYPES, REL_TYPES
from graphbench.store.base import GraphStore

_SKIP = {"sources"}  # provenance lists stay in the JSON Lines export; GraphML keeps file/row/sha256
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
GEXF_VERSION = "1.3"


# XML 1.0 (5th edition) NameChar: what an NMTOKEN, hence a GraphML id, may hold
_NAME_CHAR = re.compile("[-.0-9:A-Z_a-z\xb7\xc0-\xd6\xd8-\xf6\xf8-\u037d\u037f-\u1fff\u200c\u200d\u203f\u2040"
                        "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]")

_NAME_TOKEN = re.compile(_NAME_CHAR.pattern + "+")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def name_token(value: str) -> str:
    """``value`` as an XML NMTOKEN, reversibly: characters that may not stand there, and a ``_`` that
    starts ``_x``, become ``_xHHHH_`` (the escape .NET's XmlConvert and yEd read)."""
    if _NAME_TOKEN.fullmatch(value) and "_x" not in value:
        return value  # the usual case, one regex call
    out = []
    for i, char in enumerate(value):
        if _NAME_CHAR.fullmatch(char) and not (char == "_" and value[i + 1:i + 2] == "x"):
            out.append(char)
        else:
            out.append(f"_x{ord(char):04X}_")
    return "".join(out) or "_x0000_"


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return _xml_text(";".join(str(v) for v in value))
    if isinstance(value, str):
        return _xml_text(value)
    if isinstance(value, bool | int | float):
        return value
    return _xml_text(str(value))


def build_graph(store: GraphStore) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for label in NODE_TYPES:
        for record in table_records(store.nodes(label)):
            node = _xml_text(record.pop("id"))
            attrs = {k: _value(v) for k, v in record.items() if k not in _SKIP}
            graph.add_node(node, label=label, **attrs)
    seen_keys: set[str] = set()
    for rel_type in REL_TYPES:
        for record in table_records(store.relationships(rel_type)):
            start, end = _xml_text(record.pop("start")), _xml_text(record.pop("end"))
            attrs = {k: _value(v) for k, v in record.items() if k not in _SKIP}
            # the key is the edge's id in both files, unique in the document (GraphML's schema demands it)
            key = f"{rel_type}:{start}--{end}" + (f":{attrs['tx_id']}" if "tx_id" in attrs else "")
            base, n = key, 1
            while key in seen_keys:  # the same relationship twice (e.g. a transfer without tx_id)
                n += 1
                key = f"{base}.{n}"
            seen_keys.add(key)
            # "relationship", not "type": GEXF reserves an edge's type for directed/undirected
            graph.add_edge(start, end, key=key, relationship=rel_type, **attrs)
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


def write_graphml(store: GraphStore, path: str | Path) -> dict[str, int]:
    graph = build_graph(store)
    tokens = nx.MultiDiGraph()  # ids as name tokens; networkx writes an edge's key as its id
    for node, data in graph.nodes(data=True):
        tokens.add_node(name_token(node), graphbench_id=node, **data)
    for u, v, key, data in graph.edges(keys=True, data=True):
        tokens.add_edge(name_token(u), name_token(v), key=name_token(key), **data)
    nx.write_graphml(tokens, path)  # key ids d0, d1…: a node and an edge attribute may share a name
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def write_gexf(store: GraphStore, path: str | Path) -> dict[str, int]:
    graph = build_graph(store)
    writer = GEXFWriter(version=GEXF_VERSION)
    # networkx's 1.3 header names the XSI namespace wrongly ("http://w3.org/…") and gives the graph a
    # name="" the schema does not allow: neither is needed
    writer.xml.attrib.pop("xmlns:xsi", None)
    writer.xml.attrib.pop("xsi:schemaLocation", None)
    writer.add_graph(graph)
    writer.graph_element.attrib.pop("name", None)
    writer.write(path)
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
