"""Network pictures for the workbench: a pyvis HTML page with its JavaScript inline (no CDN).

Pure: takes a networkx graph, returns HTML text. Styling by label, colour by community when given,
physics off above ``PHYSICS_LIMIT`` nodes with positions computed here instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import networkx as nx

MAX_NODES = 500
PHYSICS_LIMIT = 150

STYLE: dict[str, tuple[str, str]] = {  # label → (shape, colour)
    "Account": ("dot", "#1f77b4"),
    "Listing": ("square", "#ff7f0e"),
    "Hashtag": ("triangle", "#9467bd"),
    "Species": ("star", "#2ca02c"),
    "PaymentChannel": ("diamond", "#d62728"),
    "Phone": ("triangleDown", "#8c564b"),
    "Email": ("triangleDown", "#e377c2"),
    "Shipper": ("hexagon", "#7f7f7f"),
    "Shipment": ("box", "#bcbd22"),
    "Location": ("ellipse", "#17becf"),
    "More": ("dot", "#cccccc"),
}
EDGE_COLOUR = "#8a96a3"
PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c",
           "#fabebe", "#008080", "#e6beff", "#9a6324", "#800000", "#aaffc3", "#808000", "#000075"]


def caption(node_id: str, data: Mapping[str, object]) -> str:
    label = str(data.get("label") or node_id.split(":", 1)[0])
    for key in ("handle", "title", "tag", "scientific_name", "channel_id", "e164", "address", "name",
                "tracking_no"):
        value = data.get(key)
        if value:
            text = str(value)
            return text if len(text) <= 28 else text[:27] + "…"
    return node_id.split(":", 1)[-1] if label else node_id


def render_pyvis(graph: nx.Graph, community: Mapping[str, int] | None = None, height: int = 620,
                 edge_label: str = "type") -> str:
    """HTML of an interactive network picture; at most MAX_NODES nodes are drawn."""
    from pyvis.network import Network

    if graph.number_of_nodes() > MAX_NODES:
        keep = sorted(graph.degree, key=lambda item: (-item[1], str(item[0])))[:MAX_NODES]
        graph = graph.subgraph([n for n, _ in keep]).copy()
    net = Network(height=f"{height}px", width="100%", directed=graph.is_directed(), cdn_resources="in_line")
    physics = graph.number_of_nodes() <= PHYSICS_LIMIT
    positions = {} if physics else nx.spring_layout(nx.Graph(graph), seed=1, k=None, iterations=50)
    for node, data in graph.nodes(data=True):
        label = str(data.get("label") or str(node).split(":", 1)[0])
        shape, colour = STYLE.get(label, ("dot", "#999999"))
        if community is not None and node in community:
            colour = PALETTE[community[node] % len(PALETTE)]
        truncated = data.get("truncated")
        title = f"{node}" + (f"\n{truncated} more neighbours not shown" if truncated else "")
        # captions come from scraped data, yet need no HTML escaping: pyvis embeds them with Jinja's tojson
        # (which writes < > & ' as \u003c …, so "</script>" cannot close the script), vis draws labels on
        # a canvas and sets titles as innerText. Escaped, "<" would show as "&lt;".
        options: dict[str, Any] = {"label": caption(str(node), data), "title": title, "shape": shape,
                   "color": colour,
                   "size": 14 if label == "Account" else 10}
        if not physics:
            x, y = positions[node]
            options.update({"x": float(x) * 1000, "y": float(y) * 1000, "physics": False})
        net.add_node(str(node), **options)
    for u, v, data in graph.edges(data=True):
        edge: dict[str, Any] = {"title": str(data.get(edge_label, "")), "color": EDGE_COLOUR}
        if "weight" in data:  # thickness only when the tie has a strength; a null value draws every edge fat
            edge["value"] = float(data["weight"])
        else:
            edge["width"] = 1
        net.add_edge(str(u), str(v), **edge)
    net.toggle_physics(physics)
    return without_external_resources(net.generate_html(notebook=False))


_EXTERNAL_TAG = re.compile(r"<(?:link|script)\b[^>]*(?:href|src)\s*=\s*[\"']https?://[^>]*>(?:\s*</script>)?",
                           re.IGNORECASE)


def without_external_resources(page: str) -> str:
    """Drop the CDN tags pyvis's template carries (bootstrap, for menus we do not use): the page must
    open on a machine with no internet, and vis.js itself is already inline."""
    return _EXTERNAL_TAG.sub("", page)


def legend_html() -> str:
    items = "".join(f'<span style="margin-right:12px"><span style="color:{colour}">●</span> {html.escape(label)}</span>'
                    for label, (_, colour) in STYLE.items() if label != "More")
    return f'<div style="font-size:0.85em">{items}</div>'


def external_references(page: str) -> list[str]:
    """src/href values that would leave the machine (for tests: must be empty)."""
    return [m for m in re.findall(r'(?:src|href)\s*=\s*["\'](https?://[^"\']+)', page)]


