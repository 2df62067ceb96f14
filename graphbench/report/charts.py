"""Static charts for the report (PNG bytes, matplotlib's Agg backend: no display, no network)."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.font_manager import FontProperties, fontManager  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import StrMethodFormatter  # noqa: E402

from graphbench.analytics.projection import AccountGraph  # noqa: E402
from graphbench.analytics.risk import FLAGGED_SCORE  # noqa: E402

MAX_NETWORK_NODES = 300
INK, MONEY, ROUTE = "#1d2733", "#8e3b1f", "#2e6fb0"
COMMUNITY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                     "#bcbd22")
OTHER_COLOUR = "#b8bec6"
# code words are often Chinese, Thai or Vietnamese: draw them with whichever of these fonts is installed
_FALLBACK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                   "Droid Sans Fallback", "AR PL UMing CN", "Noto Sans Thai", "Garuda", "Loma")


def _font_family() -> list[str]:
    installed = {font.name for font in fontManager.ttflist}
    return ["DejaVu Sans", *(name for name in _FALLBACK_FONTS if name in installed)]


_FAMILY = _font_family()
_FACES = [FT2Font(fontManager.findfont(FontProperties(family=name))) for name in _FAMILY]


def drawable(text: str) -> str:
    """``text`` if the installed fonts can draw it; else a placeholder naming the script (no tofu boxes
    in a chart: the tables of the report carry the word itself)."""
    missing = [ch for ch in text if not ch.isspace() and not any(face.get_char_index(ord(ch)) for face in _FACES)]
    if not missing:
        return text
    script = unicodedata.name(missing[0], "UNKNOWN").split()[0].lower()
    kept = "".join(ch for ch in text if ch not in set(missing)).strip()
    return f"{kept} [{script} term, see table]".strip()


plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                     "font.family": _FAMILY, "axes.edgecolor": "#8a949f", "axes.labelcolor": INK,
                     "xtick.color": INK, "ytick.color": INK, "axes.titleweight": "bold"})


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=150)
    plt.close(figure)
    return buffer.getvalue()


def network_png(graph: AccountGraph, ids: Sequence[str], membership: Mapping[str, int],
                risk: Mapping[str, float], labelled: int = 12) -> bytes:
    """The chosen accounts (at most :data:`MAX_NETWORK_NODES`, those with no tie to another chosen
    account left out) and the evidence ties among them, laid out community by community.

    Colour = community (the nine biggest in the picture; the rest grey), size = risk score, dark
    ring = flagged, edge width = evidence weight; the highest-risk accounts carry their handle.
    """
    chosen = list(dict.fromkeys(ids))[:MAX_NETWORK_NODES]
    wanted = set(chosen)
    picture = nx.Graph()
    names = graph.ids
    for s, t, w in zip(graph.source, graph.target, graph.weight, strict=True):
        a, b = names[s], names[t]
        if a in wanted and b in wanted:
            picture.add_edge(a, b, weight=float(w))
    figure, axes = plt.subplots(figsize=(8.2, 6.2))
    axes.set_axis_off()
    if not picture.number_of_nodes():
        axes.text(0.5, 0.5, "no ties among the accounts in scope", ha="center", va="center", color=INK)
        return _png(figure)
    community = {n: membership.get(n, -1) for n in picture.nodes}
    shown = [c for c, _ in Counter(v for v in community.values() if v >= 0).most_common()][:len(COMMUNITY_COLOURS)]
    colour_of = dict(zip(shown, COMMUNITY_COLOURS, strict=False))
    positions = community_layout(picture, community)
    weights = np.array([d["weight"] for _, _, d in picture.edges(data=True)])
    same = [community[a] == community[b] for a, b in picture.edges]
    nx.draw_networkx_edges(picture, positions, ax=axes, width=0.3 + 1.5 * weights / max(weights.max(), 1e-9),
                           edge_color=["#5b6776" if s else "#c3c9d0" for s in same], alpha=0.45)
    nodes = list(picture.nodes)
    nx.draw_networkx_nodes(picture, positions, nodelist=nodes, ax=axes,
                           node_size=[8 + 1.1 * risk.get(n, 0) for n in nodes],
                           node_color=[colour_of.get(community[n], OTHER_COLOUR) for n in nodes],
                           edgecolors=INK, linewidths=[1.1 if risk.get(n, 0) >= FLAGGED_SCORE else 0.25 for n in nodes])
    # one handle per community (its riskiest account), riskiest communities first: labels that do not pile up
    by_risk = sorted(nodes, key=lambda n: (-risk.get(n, 0), n))
    top = list({community[n]: n for n in reversed(by_risk)}.values())
    top = sorted(top, key=lambda n: (-risk.get(n, 0), n))[:labelled]
    for node in top:
        x, y = positions[node]
        axes.annotate(drawable(node.split(":", 1)[-1]), (x, y), xytext=(4, 4), textcoords="offset points",
                      fontsize=6.2, color=INK,
                      bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    counts = Counter(community.values())
    handles = [Line2D([], [], marker="o", ls="", color=colour, markeredgecolor=INK, markeredgewidth=0.3,
                      label=f"community {c} ({counts[c]})") for c, colour in colour_of.items()]
    if any(v not in colour_of for v in community.values()):
        handles.append(Line2D([], [], marker="o", ls="", color=OTHER_COLOUR, label="other communities"))
    handles.append(Line2D([], [], marker="o", ls="", color="white", markeredgecolor=INK, markeredgewidth=1.1,
                          label="flagged (risk ≥ 40)"))
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return _png(figure)


def community_layout(picture: nx.Graph, community: Mapping[Any, int]) -> dict[Any, np.ndarray]:
    """Each community laid out on its own (spring layout, seeded), the communities placed on a
    sunflower spiral, biggest in the middle, each scaled to its size — so groups read as groups."""
    groups: dict[int, list[Any]] = {}
    for node in picture.nodes:
        groups.setdefault(community[node], []).append(node)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    biggest = len(ordered[0][1])
    positions: dict[Any, np.ndarray] = {}
    for i, (_, members) in enumerate(ordered):
        # 1.6 apart at least: two of the biggest groups (each within ±0.75 of its centre) never overlap
        radius, angle = 1.6 * np.sqrt(i), i * 2.39996  # golden angle
        centre = np.array([radius * np.cos(angle), radius * np.sin(angle)])
        scale = 0.75 * np.sqrt(len(members) / biggest)
        sub = picture.subgraph(members)
        if len(members) == 1:
            positions[members[0]] = centre
            continue
        placed = nx.spring_layout(sub, seed=3, scale=scale, center=centre, weight=None,
                                  k=1.2 / np.sqrt(len(members)))
        positions.update(placed)
    return positions


def trend_png(frame: pd.DataFrame, series: str, value: str = "listings", ylabel: str = "listings") -> bytes:
    """One line per ``series`` over ``period`` (a tidy table as :mod:`graphbench.analytics.trends` returns)."""
    figure, axes = plt.subplots(figsize=(8, 3.1))
    for name, rows in frame.groupby(series, sort=False):
        rows = rows.sort_values("period")
        axes.plot(rows["period"], rows[value], marker="o", markersize=2.5, linewidth=1.3, label=drawable(str(name)))
    axes.set_ylabel(ylabel)
    axes.grid(axis="y", color="#e3e6ea", linewidth=0.6)
    axes.legend(fontsize=7, ncol=3, frameon=False, loc="upper left")
    return _png(figure)


def flows_png(flows: pd.DataFrame, top: int = 12,
              xlabel: str = "amount transferred (sum of amounts as recorded)") -> bytes:
    """The biggest money flows between channel types (``source, target, amount, count``), one currency only."""
    shown = flows.sort_values("amount", ascending=False).head(top)
    labels = [drawable(f"{s} → {t}") for s, t in zip(shown["source"], shown["target"], strict=True)]
    figure, axes = plt.subplots(figsize=(8, 0.6 + 0.26 * max(len(shown), 1)))
    bars = axes.barh(labels[::-1], shown["amount"].to_numpy()[::-1], color=MONEY)
    axes.bar_label(bars, labels=[f"{n:,} tx" for n in shown["count"].to_numpy()[::-1]], fontsize=6.5, padding=2)
    axes.set_xlabel(drawable(xlabel), fontsize=7)
    axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    return _png(figure)


def routes_png(top_routes: pd.DataFrame) -> bytes:
    """Shipments per origin → destination (``origin, destination, shipments, shippers``), couriers named."""
    shown = top_routes.head(15)
    labels = [f"{o} → {d}" for o, d in zip(shown["origin"], shown["destination"], strict=True)]
    figure, axes = plt.subplots(figsize=(8, 0.6 + 0.26 * max(len(shown), 1)))
    bars = axes.barh(labels[::-1], shown["shipments"].to_numpy()[::-1], color=ROUTE)
    couriers = [", ".join(s) if isinstance(s, list | tuple | np.ndarray) else str(s) for s in shown["shippers"]]
    axes.bar_label(bars, labels=couriers[::-1], fontsize=6.5, padding=2)
    axes.set_xlabel("shipments")
    return _png(figure)
