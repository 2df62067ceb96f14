"""The graph canvas's data side: what the bundled sigma.js component (``bundle/``) is sent.

Pure: takes nodes and edges (DataFrames, lists of dicts or a networkx graph) and returns one compact,
column-wise payload — node ids once, edges as integer positions into them, repeated strings (labels,
relationship types, currencies) as indexes into short lists — so 20,000 nodes and 100,000 edges
travel as a few megabytes of JSON. The Streamlit wrapper that sends it lives in ``app_pages/canvas.py``
(nothing under ``graphbench/`` imports streamlit).

Assumptions: node ids are the ``Label:key`` ids of the graph model; timestamps are ISO dates or
datetimes (or epoch seconds) and are sent as epoch seconds (UTC); a value that does not parse is sent
as missing and the row is still drawn.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from graphbench.viz.canvas.bundle_hash import BUNDLE_DIR, bundle_is_current
from graphbench.viz.canvas.captions import caption, event_time

__all__ = ["BUNDLE_DIR", "LABEL_COLOURS", "bundle_is_current", "canvas_payload", "caption", "event_time",
           "frames_from_networkx"]

# one colour per node label (the pyvis pictures' colours, so both kinds of picture agree)
LABEL_COLOURS: dict[str, str] = {
    "Account": "#1f77b4", "Listing": "#ff7f0e", "Hashtag": "#9467bd", "Species": "#2ca02c",
    "PaymentChannel": "#d62728", "Phone": "#8c564b", "Email": "#e377c2", "Shipper": "#7f7f7f",
    "Shipment": "#bcbd22", "Location": "#17becf", "Seizure": "#393b79", "More": "#cccccc",
}
COLOUR_RULES = ("label", "community", "risk", "amount")
SIZE_RULES = ("degree", "followers", "amount", "uniform")


def frames_from_networkx(graph: nx.Graph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and edges of a networkx graph (as the stores' ``neighbourhood`` returns it) as rows:
    each node row is its properties plus ``id``; each edge row its properties plus ``source``/``target``."""
    nodes = [{**data, "id": str(node)} for node, data in graph.nodes(data=True)]
    edges = [{**data, "source": str(u), "target": str(v)} for u, v, data in graph.edges(data=True)]
    return nodes, edges


def _rows(table: pd.DataFrame | Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    if table is None:
        return []
    if isinstance(table, pd.DataFrame):
        return table.to_dict("records")
    return [dict(row) for row in table]


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def canvas_payload(nodes: pd.DataFrame | Iterable[Mapping[str, Any]],
                   edges: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None, *,
                   color_by: str = "label", size_by: str = "degree", label_density: float = 1.0,
                   height: int = 560, community: Mapping[str, int] | None = None,
                   community_names: Mapping[int, str] | None = None, risk: Mapping[str, float] | None = None,
                   positions: Mapping[str, Sequence[float]] | None = None, layout: str = "auto",
                   selected: Sequence[str] = (), pinned: Sequence[str] = (), hidden: Sequence[str] = ()) -> dict[str, Any]:
    """The payload the canvas draws.

    Node rows need ``id``; ``label`` (else the id's prefix), a caption (else :func:`caption`), and
    ``community``, ``risk``, ``followers``, a time (see :func:`event_time`), ``x``/``y`` are optional,
    and ``community`` / ``risk`` / ``positions`` mappings by id override them. Edge rows need
    ``source`` and ``target``; ``type``, ``amount``, ``currency`` and ``ts`` are optional. An edge
    whose end is not among the nodes is left out and counted in ``dropped_edges``. Nodes are sorted
    by id and edges by their ends, so the payload does not depend on row order. ``layout="none"``
    keeps the given (or hashed) positions instead of running ForceAtlas2 in the browser.
    """
    if color_by not in COLOUR_RULES:
        raise ValueError(f"color_by must be one of {', '.join(COLOUR_RULES)}, not {color_by!r}")
    if size_by not in SIZE_RULES:
        raise ValueError(f"size_by must be one of {', '.join(SIZE_RULES)}, not {size_by!r}")
    by_id: dict[str, dict[str, Any]] = {}
    for row in _rows(nodes):
        node_id = str(row.get("id") or "")
        if node_id and node_id not in by_id:
            by_id[node_id] = row
    ids = sorted(by_id)
    position = {node_id: i for i, node_id in enumerate(ids)}
    labels: list[str] = []
    label_index: dict[str, int] = {}
    cols: dict[str, list[Any]] = {k: [] for k in ("caption", "label", "community", "risk", "followers", "ts", "x", "y")}
    for node_id in ids:
        row = by_id[node_id]
        label = str(row.get("label") or node_id.split(":", 1)[0])
        if label not in label_index:
            label_index[label] = len(labels)
            labels.append(label)
        cols["label"].append(label_index[label])
        cols["caption"].append(str(row.get("caption") or caption(node_id, row)))
        group = community.get(node_id) if community is not None else row.get("community")
        cols["community"].append(int(group) if _number(group) is not None else None)
        cols["risk"].append(_number(risk.get(node_id) if risk is not None else row.get("risk")))
        cols["followers"].append(_number(row.get("followers")))
        cols["ts"].append(event_time(row))
        xy = positions.get(node_id) if positions is not None else (row.get("x"), row.get("y"))
        x, y = (_number(xy[0]), _number(xy[1])) if xy is not None else (None, None)
        cols["x"].append(None if x is None or y is None else round(x, 3))
        cols["y"].append(None if x is None or y is None else round(y, 3))
    node_section: dict[str, Any] = {"id": ids, "labels": labels, **cols}
    for optional in ("community", "risk", "followers", "ts", "x", "y"):
        if all(v is None for v in node_section[optional]):
            node_section[optional] = None

    edge_rows = []
    dropped = 0
    for row in _rows(edges):
        s, t = str(row.get("source")), str(row.get("target"))
        if s not in position or t not in position:
            dropped += 1
            continue
        ts = event_time({"ts": row.get("ts")})
        edge_rows.append((position[s], position[t], str(row.get("type") or ""), _number(row.get("amount")),
                          str(row["currency"]) if row.get("currency") not in (None, "") and not pd.isna(row.get("currency")) else None,
                          ts))
    edge_rows.sort(key=lambda e: (e[0], e[1], e[2], e[5] if e[5] is not None else -math.inf,
                                  e[3] if e[3] is not None else -math.inf, e[4] or ""))
    types = sorted({e[2] for e in edge_rows})
    currencies = sorted({e[4] for e in edge_rows if e[4] is not None})
    type_index = {t: i for i, t in enumerate(types)}
    currency_index = {c: i for i, c in enumerate(currencies)}
    edge_section: dict[str, Any] = {
        "source": [e[0] for e in edge_rows], "target": [e[1] for e in edge_rows], "types": types,
        "type": [type_index[e[2]] for e in edge_rows], "currencies": currencies,
        "amount": [e[3] for e in edge_rows] if any(e[3] is not None for e in edge_rows) else None,
        "currency": [currency_index[e[4]] if e[4] is not None else None for e in edge_rows] if currencies else None,
        "ts": [e[5] for e in edge_rows] if any(e[5] is not None for e in edge_rows) else None,
    }
    data = {"nodes": node_section, "edges": edge_section}
    key = hashlib.sha1(json.dumps(data, separators=(",", ":"), default=str).encode()).hexdigest()
    options = {"color_by": color_by, "size_by": size_by, "label_density": float(label_density), "height": int(height),
               "label_colours": LABEL_COLOURS, "layout": layout,
               "community_names": {str(k): str(v) for k, v in (community_names or {}).items()},
               "selected": sorted(n for n in selected if n in position),
               "pinned": sorted(n for n in pinned if n in position),
               "hidden": sorted(n for n in hidden if n in position)}
    return {"key": key, **data, "options": options, "dropped_edges": dropped}


def bundle_path() -> Path:
    """The folder Streamlit serves the component from."""
    return BUNDLE_DIR
