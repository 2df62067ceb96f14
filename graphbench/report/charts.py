"""Static charts for the report (PNG bytes, matplotlib's Agg backend: no display, no network)."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import pandas as pd  # noqa: E402

plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False})


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=130)
    plt.close(figure)
    return buffer.getvalue()


def network_png(graph: Any, scores: pd.DataFrame, ids: list[str]) -> bytes:
    """The chosen accounts and the evidence ties among them; colour = risk score."""
    wanted = set(ids)
    index = graph.index
    picture = nx.Graph()
    picture.add_nodes_from(ids)
    for s, t, w in zip(graph.source, graph.target, graph.weight, strict=True):
        a, b = graph.ids[s], graph.ids[t]
        if a in wanted and b in wanted:
            picture.add_edge(a, b, weight=float(w))
    risk = dict(zip(scores["id"], scores["score"], strict=True))
    figure, axes = plt.subplots(figsize=(8, 6))
    if picture.number_of_nodes():
        positions = nx.spring_layout(picture, seed=3, k=0.6)
        sizes = [30 + 15 * picture.degree(n) for n in picture.nodes]
        nx.draw_networkx_edges(picture, positions, ax=axes, alpha=0.35, width=0.8)
        drawn = nx.draw_networkx_nodes(picture, positions, ax=axes, node_size=sizes, cmap="Reds", vmin=0, vmax=100,
                                       node_color=[risk.get(n, 0) for n in picture.nodes], edgecolors="#444444",
                                       linewidths=0.4)
        top = sorted(picture.nodes, key=lambda n: -risk.get(n, 0))[:12]
        nx.draw_networkx_labels(picture, positions, labels={n: n.split(":")[-1] for n in top}, font_size=7, ax=axes)
        figure.colorbar(drawn, ax=axes, label="risk score", shrink=0.6)
    del index
    axes.set_axis_off()
    return _png(figure)


def trend_png(frame: pd.DataFrame) -> bytes:
    figure, axes = plt.subplots(figsize=(8, 3.2))
    for group, rows in frame.groupby("group"):
        axes.plot(rows["period"], rows["listings"], marker="o", markersize=3, label=str(group))
    axes.set_ylabel("listings per month")
    axes.legend(fontsize=7, ncol=2)
    return _png(figure)


def flows_png(flows: pd.DataFrame) -> bytes:
    top = flows.sort_values("amount", ascending=False).head(12)
    labels = [f"{s} → {t}" for s, t in zip(top["source"], top["target"], strict=True)]
    figure, axes = plt.subplots(figsize=(8, 3.6))
    axes.barh(labels[::-1], top["amount"].to_numpy()[::-1], color="#b03a2e")
    axes.set_xlabel("amount transferred")
    return _png(figure)


def routes_png(routes: pd.DataFrame) -> bytes:
    top = routes.groupby(["origin", "destination"])["shipments"].sum().sort_values(ascending=False).head(15)
    labels = [f"{o} → {d}" for o, d in top.index]
    figure, axes = plt.subplots(figsize=(8, 3.8))
    axes.barh(labels[::-1], top.to_numpy()[::-1], color="#2e6fb0")
    axes.set_xlabel("shipments")
    return _png(figure)
