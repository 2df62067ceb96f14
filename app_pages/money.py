"""Money: trace forward / backward, flows as a Sankey, laundering patterns, a transfer timeline."""

from __future__ import annotations

import html

import networkx as nx
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.common import analysis, data_version, get_store, show_graph, store_url, tables, whole_graph_agreed
from graphbench import normalize
from graphbench.store.base import pushes_down
from graphbench.store_reads import money_overview
from graphbench.viz.safe_text import markdown_text

st.title("Money")
store = get_store()
# On a Neo4j server nothing here reads the whole transfer table unless asked to: the overview is
# aggregated in Cypher, traces read hop by hop, and the pattern search waits for its button.
on_server = pushes_down(store)
transfer_count = store.stats()["relationships"].get("TRANSFERRED", 0)
if not transfer_count:
    st.info("No transfers in the store.")
    st.stop()


@st.cache_data(show_spinner="Summing the transfers…", max_entries=2)
def overview(url: str, version: str) -> money_overview.Overview:
    return money_overview.overview(get_store(), rates=fx_rates(url, version))


@st.cache_resource(max_entries=2)
def fx_rates(url: str, version: str):
    """The exchange rates in effect: packaged ECB rates, overridden by the store's FxRate nodes."""
    from graphbench.fx_source import rates_in_effect

    return rates_in_effect(get_store())


BASE = "USD"  # amounts are compared and charted in this currency; each currency stays apart in the tables


def _code(currency: object) -> str:
    """A currency code for a label ("" when the transfer has none)."""
    return currency if isinstance(currency, str) else ""


def transfer_index(url: str, version: str):
    """The Analysis's transfer index (read and built once per data version, shared with patterns and risk)."""
    with st.spinner("Reading the transfers…"):
        return analysis().transfer_index


def sankey(flows: pd.DataFrame, height: int = 420) -> go.Figure:
    names = sorted(set(flows["source"]) | set(flows["target"]))
    position = {n: i for i, n in enumerate(names)}
    figure = go.Figure(go.Sankey(node={"label": [html.escape(str(n), quote=False) for n in names], "pad": 12},  # plotly reads <a>/<b> in labels as markup
                                 link={"source": flows["source"].map(position), "target": flows["target"].map(position),
                                       "value": flows["amount_base"]}))
    figure.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return figure


st.subheader("Trace")
cols = st.columns([3, 1, 1, 1])
summary = overview(store_url(), data_version())
st.caption(f"Amounts {markdown_text(summary.fx_label)}; each currency is kept apart in the tables, never added "
           "to another." + "".join(f" {markdown_text(note)}." for note in summary.fx_notes))
busiest = summary.busiest_payers
start = cols[0].text_input("From an account or payment channel",
                           value=st.session_state.get("money_start", busiest["channel"].iloc[0]))
direction = cols[1].selectbox("Direction", ["out", "in"])
hops = cols[2].slider("Hops", 1, 6, 3)
tolerance = cols[3].selectbox("Amount tolerance", [None, 0.05, 0.1, 0.2, 0.5],
                              format_func=lambda v: "any amount" if v is None else f"±{v:.0%}")
window = st.columns(2)
since = window[0].text_input("Since (ISO date)")
until = window[1].text_input("Until (ISO date)")
if st.button("Trace", type="primary") or st.session_state.get("money_traced"):
    from graphbench.analytics.trace import trace
    from graphbench.store_reads.trace_walk import trace_store

    st.session_state["money_traced"] = True
    st.session_state["money_start"] = start
    window = {"since": normalize.timestamp(since) if since else None,
              "until": normalize.timestamp(until) if until else None}
    try:
        if on_server:  # hop by hop, only the transfers within reach
            result = trace_store(store, [start.strip()], direction=direction, hops=hops,
                                 amount_tolerance=tolerance, base_currency=BASE,
                                 rates=fx_rates(store_url(), data_version()), **window)
        else:
            result = trace(transfer_index(store_url(), data_version()), [start.strip()], direction=direction,
                           hops=hops, amount_tolerance=tolerance, uses=tables()["USES"], **window)
    except ValueError as exc:
        st.error(markdown_text(exc))
        st.stop()
    followed = result.transfers
    st.caption(f"{len(followed)} transfers, {markdown_text(result.first_ts)} → {markdown_text(result.last_ts)}; money ends at "
               f"{len(result.sinks)} channels" + (" (cut at the transfer limit)" if result.truncated else ""))
    if len(followed):
        st.dataframe(followed.rename(columns={"amount": f"≈ {BASE}", "amount_orig": "amount"}), hide_index=True,
                     height=240)
        if result.fx and result.fx["unconverted"]:
            st.caption("Not converted (no exchange rate), left out of the chart: " + ", ".join(
                f"{n} in {markdown_text(c)}" for c, n in result.fx["unconverted"].items()))
        # the chart adds base-currency amounts only (one currency); a transfer with no rate is not in it
        flows = followed.groupby(["from", "to"], as_index=False)["amount"].sum()
        if len(set(flows["from"]) | set(flows["to"])) > 30:  # too many channels to read: by hop and channel type
            kind = followed[["from", "to"]].apply(lambda c: c.str.split(":").str[1])
            flows = pd.DataFrame({"from": "hop " + (followed["hop"] - 1).astype(str) + " · " + kind["from"],
                                  "to": "hop " + followed["hop"].astype(str) + " · " + kind["to"],
                                  "amount": followed["amount"]}).groupby(["from", "to"], as_index=False)["amount"].sum()
        st.plotly_chart(sankey(flows.rename(columns={"from": "source", "to": "target", "amount": "amount_base"})),
                        width="stretch")
        graph = nx.MultiDiGraph()
        for source, target, amount, currency, ts in zip(followed["from"], followed["to"], followed["amount_orig"],
                                                        followed["currency"], followed["ts"], strict=True):
            graph.add_edge(source, target, type=f"{amount:,.0f} {_code(currency)} {str(ts)[:10]}")
        for node in graph.nodes:
            graph.nodes[node]["label"] = "PaymentChannel"
        show_graph(graph, height=420)

st.subheader("Flows between channel types")
type_flows = summary.channel_type_flows
if len(type_flows):
    from graphbench.analytics.flows import in_base

    st.plotly_chart(sankey(in_base(type_flows)), width="stretch")
    st.caption(f"Widths: {markdown_text(summary.fx_label)}. Per currency, as written:")
    st.dataframe(type_flows.rename(columns={"amount_base": f"≈ {BASE}"}), hide_index=True, height=200)

st.subheader("Laundering patterns")


@st.cache_data(show_spinner="Searching for patterns…", max_entries=2)
def patterns(url: str, version: str) -> pd.DataFrame:
    from graphbench.analytics.patterns import patterns_frame

    return patterns_frame(analysis().patterns)  # the patterns `graphbench patterns` and the risk scores use


def show_patterns(found: pd.DataFrame) -> None:
    if found.empty:
        st.caption("No patterns found.")
        return
    kinds = st.multiselect("Kinds", sorted(found["kind"].unique()), default=sorted(found["kind"].unique()))
    shown = found[found["kind"].isin(kinds)].reset_index(drop=True)
    st.caption(f"amount: ≈ {BASE}, each transfer converted at its date ({markdown_text(summary.fx_label)})")
    st.dataframe(shown.drop(columns=[c for c in ("tx_ids",) if c in shown]), hide_index=True, height=260)
    pick = st.number_input("Draw pattern row", 0, max(len(shown) - 1, 0), 0)
    if len(shown):
        chosen = shown.iloc[int(pick)]
        graph = nx.MultiDiGraph()
        for row in money_overview.transfers_by_id(store, list(chosen["tx_ids"])).itertuples():
            graph.add_edge(row.start, row.end, type=f"{row.amount:,.0f} {_code(row.currency)} {str(row.ts)[:10]}")
        for node in graph.nodes:
            graph.nodes[node]["label"] = "PaymentChannel"
        show_graph(graph, height=380)


if whole_graph_agreed("Pattern search", f"all {transfer_count:,} transfers", "money_patterns"):
    show_patterns(patterns(store_url(), data_version()))

st.subheader("Transfer timeline")
st.caption(f"Per day, {markdown_text(summary.fx_label)}")
st.bar_chart(summary.daily_amounts, height=200)
