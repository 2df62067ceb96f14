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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from graphbench.viz.canvas.bundle_hash import BUNDLE_DIR, bundle_is_current
from graphbench.viz.canvas.captions import caption, event_time, event_times

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


def _frame(table: pd.DataFrame | Iterable[Mapping[str, Any]] | None) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame()
    if isinstance(table, pd.DataFrame):
        return table.reset_index(drop=True)
    return pd.DataFrame.from_records([dict(row) for row in table])


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(None, index=frame.index, dtype="object")


def _numbers(series: pd.Series) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").astype("float64")
    return values.where(values.abs() != float("inf"))


def _listed(series: pd.Series, digits: int | None = None) -> list[Any] | None:
    """JSON-ready values (None for missing); None for a column with no value at all."""
    if series.isna().all():
        return None
    values = series.round(digits) if digits is not None else series
    return [None if pd.isna(v) else (int(v) if float(v).is_integer() and digits is None else float(v)) for v in values]


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
    and ``community`` / ``risk`` / ``positions`` mappings by id override them. A node id given twice
    is drawn once, with its first row. Edge rows need ``source`` and ``target``; ``type``, ``amount``,
    ``currency`` and ``ts`` are optional. An edge whose end is not among the nodes is left out and
    counted in ``dropped_edges``. Nodes are sorted by id and edges by their ends, so the payload does
    not depend on row order. ``layout="none"`` keeps the given (or hashed) positions instead of
    running ForceAtlas2 in the browser.
    """
    if color_by not in COLOUR_RULES:
        raise ValueError(f"color_by must be one of {', '.join(COLOUR_RULES)}, not {color_by!r}")
    if size_by not in SIZE_RULES:
        raise ValueError(f"size_by must be one of {', '.join(SIZE_RULES)}, not {size_by!r}")
    nf = _frame(nodes)
    if "id" not in nf.columns:
        raise ValueError("the canvas's nodes need an 'id' column")
    nf = nf[nf["id"].notna()].assign(id=lambda f: f["id"].astype(str))
    nf = nf[nf["id"] != ""].drop_duplicates("id", keep="first").sort_values("id", kind="stable").reset_index(drop=True)
    ids: list[str] = nf["id"].tolist()
    prefix = nf["id"].str.split(":", n=1).str[0]
    given_label = _column(nf, "label")
    label = given_label.where(given_label.notna() & (given_label.astype(str) != ""), prefix).astype(str)
    label_codes, label_names = pd.factorize(label, sort=True)
    captions = _column(nf, "caption")
    fields = [c for c in _CAPTION_FIELDS if c in nf.columns]
    records = nf[fields].to_dict("records") if fields else [{} for _ in ids]
    caption_list = [str(c) if isinstance(c, str) and c else caption(i, {**r, "label": lab})
                    for i, c, r, lab in zip(ids, captions, records, label, strict=True)]
    groups = nf["id"].map(community) if community is not None else _column(nf, "community")
    scores = nf["id"].map(risk) if risk is not None else _column(nf, "risk")
    if positions is not None:
        xs = nf["id"].map(lambda i: positions[i][0] if i in positions else None)
        ys = nf["id"].map(lambda i: positions[i][1] if i in positions else None)
    else:
        xs, ys = _column(nf, "x"), _column(nf, "y")
    xs, ys = _numbers(xs), _numbers(ys)
    placed = xs.notna() & ys.notna()
    node_section: dict[str, Any] = {
        "id": ids, "labels": [str(x) for x in label_names], "label": label_codes.tolist(), "caption": caption_list,
        "community": _listed(_numbers(groups).round()), "risk": _listed(_numbers(scores), 2),
        "followers": _listed(_numbers(_column(nf, "followers"))), "ts": _listed(event_times(nf), 3),
        "x": _listed(xs.where(placed), 3), "y": _listed(ys.where(placed), 3)}

    ef = _frame(edges)
    position = pd.Series(range(len(ids)), index=pd.Index(ids), dtype="int64")
    if len(ef) and {"source", "target"} <= set(ef.columns):
        ef = ef.assign(s=ef["source"].astype(str).map(position), t=ef["target"].astype(str).map(position))
    else:
        ef = pd.DataFrame({"s": pd.Series(dtype="float64"), "t": pd.Series(dtype="float64")}).reindex(range(len(ef)))
    kept = ef["s"].notna() & ef["t"].notna()
    dropped = int((~kept).sum())
    ef = ef[kept]
    currency = _column(ef, "currency")
    currency = currency.where(currency.notna() & (currency.astype(str) != ""), None)
    ef = ef.assign(s=ef["s"].astype("int64"), t=ef["t"].astype("int64"),
                   type_=_column(ef, "type").fillna("").astype(str), amount_=_numbers(_column(ef, "amount")),
                   currency_=currency.astype("string"), ts_=event_times(ef[["ts"]] if "ts" in ef.columns else ef.iloc[:, :0]))
    ef = ef.sort_values(["s", "t", "type_", "ts_", "amount_", "currency_"], na_position="first", kind="stable")
    type_codes, types = pd.factorize(ef["type_"], sort=True)
    currency_codes, currencies = pd.factorize(ef["currency_"], sort=True)
    edge_section: dict[str, Any] = {
        "source": ef["s"].tolist(), "target": ef["t"].tolist(), "types": [str(x) for x in types],
        "type": type_codes.tolist(), "currencies": [str(x) for x in currencies],
        "amount": _listed(ef["amount_"], 2),
        "currency": [None if c < 0 else int(c) for c in currency_codes] if len(currencies) else None,
        "ts": _listed(ef["ts_"], 3)}
    data = {"nodes": node_section, "edges": edge_section}
    key = hashlib.sha1(json.dumps(data, separators=(",", ":"), default=str).encode()).hexdigest()
    known = set(ids)
    options = {"color_by": color_by, "size_by": size_by, "label_density": float(label_density), "height": int(height),
               "label_colours": LABEL_COLOURS, "layout": layout,
               "community_names": {str(k): str(v) for k, v in (community_names or {}).items()},
               "selected": sorted(n for n in selected if n in known),
               "pinned": sorted(n for n in pinned if n in known),
               "hidden": sorted(n for n in hidden if n in known)}
    return {"key": key, **data, "options": options, "dropped_edges": dropped}


_CAPTION_FIELDS = ("platform", "handle", "title", "tag")


def bundle_path() -> Path:
    """The folder Streamlit serves the component from."""
    return BUNDLE_DIR
