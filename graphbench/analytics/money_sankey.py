"""What the Money page's Sankeys draw, as pure data: nodes in columns, links with base-currency widths
and the amounts as written beside them. The page turns a :class:`SankeyLinks` into a Plotly figure.

Rules that keep a Sankey readable and true:

- **Columns never loop.** Money between channel types goes round (paypal → btc → paypal), and a
  trail can come back to a channel; a Sankey with a cycle is drawn squashed into slivers. So a node
  is a *(column, name)* pair: the type flows have a "paid from" and a "received by" column, a trail
  has one column per hop.
- **A backward trace reads left to right like a forward one**: where the money came from on the
  left, the start on the right. Each transfer's sender is one column left of its receiver, in both
  directions, so the columns join up (labelling the sender of a backward hop as the receiver's column
  drew two disconnected blocks).
- **Widths are base-currency amounts only** (one currency, so they may be added); a transfer whose
  currency has no rate has no width and is counted in ``unconverted``; each link's hover gives the
  amounts per currency as written, never one sum across currencies.
- **Height follows the tallest column**, so a node gets room for its label however many there are.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graphbench.analytics.flows import channel_type_of

# pixels per node of the tallest column (label plus padding), and the bounds of a Sankey's height:
# 40 px fits one line of 13 px text, a gap, and a node's own height; below 360 px a two-node chart looks broken,
# above 2,400 px the page is a scroll of slivers again (a trail that wide is grouped by type first)
PIXELS_PER_NODE = 40
MIN_HEIGHT = 360
MAX_HEIGHT = 2400
NODE_PAD = 18  # px between nodes of a column: a label's height, so tiny nodes' labels do not touch
MAX_TRAIL_CHANNELS = 30  # above this many channels a trail is drawn by channel type per hop

ROLE_COLOURS = {"start": "#1f4e9a", "sink": "#b3261e", "open end": "#e08a00", "popular": "#7b3fa0", "": "#7a8794"}


@dataclass
class SankeyLinks:
    labels: list[str] = field(default_factory=list)  # short text drawn beside each node
    names: list[str] = field(default_factory=list)  # full name (hover)
    columns: list[int] = field(default_factory=list)  # 0 = leftmost
    roles: list[str] = field(default_factory=list)  # "start", "sink", "open end", "popular" or ""
    source: list[int] = field(default_factory=list)
    target: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)  # base currency
    count: list[int] = field(default_factory=list)  # transfers in the link
    as_written: list[str] = field(default_factory=list)  # "1,200.00 CNY; 40.00 USD" per link
    unconverted: int = 0  # transfers left out: their currency has no rate
    by_type: bool = False  # nodes are channel types (a trail with too many channels to name)
    flows_right_to_start: bool = False  # a backward trail: columns are counted back from the start, on the right

    @property
    def tallest_column(self) -> int:
        return int(pd.Series(self.columns).value_counts().max()) if self.columns else 0

    def height(self) -> int:
        """Pixels for the chart: room for every node of the tallest column."""
        return int(min(MAX_HEIGHT, max(MIN_HEIGHT, 60 + PIXELS_PER_NODE * self.tallest_column)))


def short_name(node_id: str) -> str:
    """``PaymentChannel:paypal:x@y.example`` → ``paypal:x@y.example`` (the label drawn; hover has the id)."""
    return node_id.split(":", 1)[1] if node_id.startswith("PaymentChannel:") else node_id


def written(amounts: pd.Series, currencies: pd.Series) -> str:
    """Amounts per currency as written, largest first: ``"1,200.00 CNY; 40.00 USD"`` (never one sum)."""
    frame = pd.DataFrame({"amount": pd.to_numeric(amounts, errors="coerce").to_numpy(),
                          "currency": currencies.fillna("").astype(str).to_numpy()})
    sums = frame.groupby("currency")["amount"].sum().sort_values(ascending=False, kind="stable")
    return "; ".join(f"{v:,.2f} {c or '(no currency)'}" for c, v in sums.items())


def _links(rows: pd.DataFrame, roles: dict[str, str] | None = None) -> SankeyLinks:
    """``src_col, src, dst_col, dst, amount_base, amount, currency, count`` rows → links; a node is a
    (column, name) pair, nodes ordered by column then largest throughput (so the picture is stable)."""
    out = SankeyLinks()
    rows = rows.assign(amount_base=pd.to_numeric(rows["amount_base"], errors="coerce"))
    out.unconverted = int(rows.loc[rows["amount_base"].isna(), "count"].sum())
    known = rows[rows["amount_base"].notna() & (rows["amount_base"] > 0)]
    if known.empty:
        return out
    through = pd.concat([known[["src_col", "src", "amount_base"]].set_axis(["col", "name", "v"], axis=1),
                         known[["dst_col", "dst", "amount_base"]].set_axis(["col", "name", "v"], axis=1)])
    nodes = (through.groupby(["col", "name"], as_index=False)["v"].sum()
             .sort_values(["col", "v", "name"], ascending=[True, False, True], kind="stable"))
    position = {(c, n): i for i, (c, n) in enumerate(zip(nodes["col"], nodes["name"], strict=True))}
    for col, name in position:
        out.labels.append(short_name(name))
        out.names.append(name)
        out.columns.append(int(col))
        out.roles.append((roles or {}).get(name, ""))
    grouped = known.groupby(["src_col", "src", "dst_col", "dst"], sort=True)
    for (sc, s, dc, d), part in grouped:
        out.source.append(position[(sc, s)])
        out.target.append(position[(dc, d)])
        out.value.append(round(float(part["amount_base"].sum()), 2))
        out.count.append(int(part["count"].sum()))
        out.as_written.append(written(part["amount"], part["currency"]))
    return out


def trail_links(followed: pd.DataFrame, direction: str, sinks: Collection[str] = (),
                open_ends: Collection[str] = (), start_channels: Collection[str] = (),
                max_channels: int = MAX_TRAIL_CHANNELS, popular: Collection[str] = ()) -> SankeyLinks:
    """A trace's transfers (``hop, from, to, amount`` (base), ``amount_orig``, ``currency``) as links
    between hop columns. Out: a hop-h transfer goes from column h-1 to h (the start on the left). In:
    from column H-h to H-h+1, H the deepest hop (the start on the right). Above ``max_channels``
    distinct channels, nodes are channel types per column (the start and popular channels keep their
    own nodes). Roles colour named nodes: start, sink, open
    end, popular (an escrow or exchange the trail passes through)."""
    if followed.empty:
        return SankeyLinks()
    hop = followed["hop"].astype(int).to_numpy()
    deepest = int(hop.max())
    src_col = hop - 1 if direction == "out" else deepest - hop
    names = pd.concat([followed["from"], followed["to"]]).astype(str)
    by_type = names.nunique() > max_channels
    keep = set(map(str, popular)) | set(map(str, start_channels))

    def name_of(node: str) -> str:
        # by type, a popular channel and the start keep their own node: the escrow's block is named
        return node if not by_type or node in keep else channel_type_of(node)

    roles: dict[str, str] = {}
    if not by_type:
        roles.update({c: "sink" for c in sinks})
        roles.update({c: "open end" for c in open_ends})
    roles.update({c: "popular" for c in popular})  # an escrow reached: marked, whatever else it is
    roles.update({c: "start" for c in start_channels})
    rows = pd.DataFrame({
        "src_col": src_col, "src": [name_of(str(n)) for n in followed["from"]],
        "dst_col": src_col + 1, "dst": [name_of(str(n)) for n in followed["to"]],
        "amount_base": followed["amount"].to_numpy(), "amount": followed["amount_orig"].to_numpy(),
        "currency": followed["currency"].to_numpy(dtype=object), "count": np.ones(len(followed), dtype=np.int64)})
    links = _links(rows, roles)
    links.by_type = by_type
    links.flows_right_to_start = direction != "out"
    return links


def type_links(flows: pd.DataFrame) -> SankeyLinks:
    """Money between channel types (``FLOW_COLUMNS``: ``source, target, currency, amount, amount_base,
    count``) as two columns, "paid from" on the left and "received by" on the right, so money that goes
    round between types is drawn as it is instead of as a loop."""
    if flows.empty:
        return SankeyLinks()
    rows = pd.DataFrame({"src_col": 0, "src": flows["source"].astype(str).to_numpy(), "dst_col": 1,
                         "dst": flows["target"].astype(str).to_numpy(),
                         "amount_base": flows["amount_base"].to_numpy(), "amount": flows["amount"].to_numpy(),
                         "currency": flows["currency"].to_numpy(dtype=object),
                         "count": flows["count"].astype("int64").to_numpy()})
    return _links(rows)
