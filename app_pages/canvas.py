"""The graph canvas as a Streamlit component (the bundle in graphbench/viz/canvas/bundle/, served by
Streamlit itself: no CDN, no network). Pages call :func:`graph_canvas`; :func:`canvas_event` gives
each click / expand / lasso / pin / hide once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from graphbench.viz.canvas import BUNDLE_DIR, bundle_is_current, canvas_payload, frames_from_networkx

_component = components.declare_component("graph_canvas", path=str(BUNDLE_DIR))


def graph_canvas(nodes: pd.DataFrame | Iterable[Mapping[str, Any]] | nx.Graph,
                 edges: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None, *, key: str,
                 **options: Any) -> dict[str, Any] | None:
    """Draw the graph; returns what the analyst last did on it — ``{"selected": [...], "pinned": [...],
    "hidden": [...], "event": "select"|"expand"|"lasso"|"pin"|"hide"|"show_all", "node": id, "seq": n}``
    — or None before the first action. ``options`` are :func:`graphbench.viz.canvas.canvas_payload`'s."""
    if not bundle_is_current():
        st.error("The graph canvas's bundle is missing or older than its sources: run `make canvas`.")
        return None
    if isinstance(nodes, nx.Graph):
        nodes, edges = frames_from_networkx(nodes)
    payload = canvas_payload(nodes, edges, **options)
    if not payload["nodes"]["id"]:
        st.info("Nothing to draw.")
        return None
    value = _component(payload=payload, key=key, default=None)
    return value if isinstance(value, dict) else None


def canvas_event(value: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    """The canvas's value the first time it is seen (its ``seq`` is new for this ``key``), else None:
    the component keeps returning its last value on every rerun, an expand must happen only once."""
    if not value or "seq" not in value:
        return None
    seen = st.session_state.get(f"_canvas_seq_{key}")
    if seen == value["seq"]:
        return None
    st.session_state[f"_canvas_seq_{key}"] = value["seq"]
    return value
