"""Money: trace forward / backward, flows as a Sankey, laundering patterns, a transfer timeline — every
comparison and chart in the base currency the analyst picks, every table with the amounts as written."""

from __future__ import annotations

import html

import networkx as nx
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.canvas import graph_canvas
from app_pages.common import (
    analysis,
    audit_event,
    data_version,
    get_store,
    store_url,
    tables,
    whole_graph_agreed,
)
from graphbench.analytics import money_overview as rules
from graphbench.analytics.money_sankey import NODE_PAD, ROLE_COLOURS, SankeyLinks, trail_links, type_links, written
from graphbench.errors import GraphbenchError
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
PICKS = 20  # busiest payers offered as trace starts


@st.cache_resource(max_entries=2)
def fx_rates(url: str, version: str):
    """The exchange rates in effect: packaged ECB rates, overridden by the store's FxRate nodes."""
    from graphbench.fx_source import rates_in_effect

    return rates_in_effect(get_store())


@st.cache_data(show_spinner="Summing the transfers…", max_entries=6)
def overview(url: str, version: str, base: str) -> money_overview.Overview:
    return money_overview.overview(get_store(), n=PICKS, base_currency=base, rates=fx_rates(url, version))


@st.cache_data(show_spinner="Checking which channels are popular…", max_entries=2)
def start_choices(url: str, version: str, busiest: pd.DataFrame) -> pd.DataFrame:
    """The busiest payers with how many accounts hold each (the popularity rule's count)."""
    return rules.start_choices(busiest, money_overview.channel_holders(get_store(), list(busiest["channel"])))


def _code(currency: object) -> str:
    """A currency code for a label ("" when the transfer has none)."""
    return currency if isinstance(currency, str) else ""


def sankey(links: SankeyLinks, base: str) -> go.Figure:
    """A Sankey whose height follows its tallest column; widths and hover in ``base``, hover also as written."""
    colours = [ROLE_COLOURS.get(role, ROLE_COLOURS[""]) for role in links.roles]
    figure = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.2f", valuesuffix=f" {base}", orientation="h",
        textfont={"size": 13, "color": "#1b1b1b"},
        node={"label": [html.escape(label, quote=False) for label in links.labels],  # plotly reads <a>/<b> as markup
              "customdata": [html.escape(name, quote=False) for name in links.names],
              "hovertemplate": "%{customdata}<br>%{value}<extra></extra>",
              "pad": NODE_PAD, "thickness": 16, "color": colours, "line": {"width": 0},
              # a node stays in its own column: "justify" would push every sink to the far right
              "align": "right" if links.flows_right_to_start else "left"},
        link={"source": links.source, "target": links.target, "value": links.value,
              "customdata": [[n, html.escape(w, quote=False)] for n, w in zip(links.count, links.as_written, strict=True)],
              "hovertemplate": ("%{source.customdata} → %{target.customdata}<br>≈ %{value}"
                                "<br>%{customdata[0]} transfer(s); as written: %{customdata[1]}<extra></extra>"),
              "color": "rgba(120, 130, 145, 0.35)"}))
    figure.update_layout(height=links.height(), margin={"l": 10, "r": 10, "t": 10, "b": 10}, font={"size": 13})
    return figure


def as_written_text(by_currency: object) -> str:
    """A pattern's ``amount_by_currency`` ({currency: total}) as text, never one sum across currencies."""
    if not isinstance(by_currency, dict) or not by_currency:
        return ""
    return written(pd.Series(list(by_currency.values())), pd.Series(list(by_currency.keys())))


rates = fx_rates(store_url(), data_version())
currencies = rates.currencies
base = st.selectbox("Base currency", currencies, index=currencies.index("USD") if "USD" in currencies else 0,
                    key="money_base",
                    help="every comparison (trace tolerance, pattern amounts) and every chart on this page is in "
                         "this currency, each transfer converted at its own date; tables also keep the amounts "
                         "as written. The choices are the currencies the exchange-rate table in effect knows.")
summary = overview(store_url(), data_version(), base)
st.caption(f"Amounts {markdown_text(summary.fx_label)}; each currency is kept apart in the tables, never added "
           "to another." + "".join(f" {markdown_text(note)}." for note in summary.fx_notes))

st.subheader("Trace")
choices = start_choices(store_url(), data_version(), summary.busiest_payers)
suggested = rules.default_start(choices)
if "money_start" not in st.session_state:
    st.session_state["money_start"] = suggested or ""
labels = {str(row["channel"]): rules.choice_label(row) for row in choices.to_dict("records")}


def _picked() -> None:
    st.session_state["money_start"] = st.session_state["money_pick"]
    st.session_state["money_traced"] = False


options = list(labels)
st.selectbox("Busiest payers (popular channels — escrows, exchanges — are marked; never the default start)",
             options, index=options.index(suggested) if suggested in options else None,
             format_func=lambda c: labels.get(c, c), key="money_pick", on_change=_picked,
             placeholder="every busy payer is popular: type an id below")
if len(choices) and not choices["accounts"].any():
    st.caption("No account is known to hold any of these channels (no payment links or listings name them), "
               "so none can be told popular: check the busiest before you trace from it.")
cols = st.columns([3, 1, 1, 1])
start = cols[0].text_input("From an account or payment channel", key="money_start")
direction = cols[1].selectbox("Direction", ["out", "in"],
                              help="out: where the money went; in: where it came from")
hops = cols[2].slider("Hops", 1, 6, 3)
tolerance = cols[3].selectbox("Amount tolerance", [None, 0.05, 0.1, 0.2, 0.5],
                              format_func=lambda v: "any amount" if v is None else f"±{v:.0%}",
                              help=f"a hop is followed only if its amount is within this share of the amount "
                                   f"that brought the money, both in {base}")
window = st.columns(2)
since = window[0].text_input("Since (ISO date)", placeholder="YYYY-MM-DD or a date-time; blank: from the first transfer")
until = window[1].text_input("Until (ISO date, inclusive)", placeholder="YYYY-MM-DD (the whole day) or a date-time; blank: no end")
if st.button("Trace", type="primary") or st.session_state.get("money_traced"):
    from graphbench.analytics.trace import trace
    from graphbench.store_reads.trace_walk import trace_store

    st.session_state["money_traced"] = True
    try:
        start_id = money_overview.check_start(store, start)
        first, last = rules.trace_window(since, until)
        if on_server:  # hop by hop, only the transfers within reach
            result = trace_store(store, [start_id], direction=direction, hops=hops, since=first, until=last,
                                 amount_tolerance=tolerance, base_currency=base,
                                 rates=fx_rates(store_url(), data_version()))
        else:
            with st.spinner("Reading the transfers…"):
                index = analysis().transfer_index_in(base)  # built once per base and data version
            result = trace(index, [start_id], direction=direction, hops=hops, since=first, until=last,
                           amount_tolerance=tolerance, uses=tables()["USES"])
    except (GraphbenchError, ValueError) as exc:
        st.error(markdown_text(exc))
        st.stop()
    followed = result.transfers
    audit_event("trace", {"from": start_id, "direction": direction, "hops": hops, "since": first, "until": last,
                          "tolerance": tolerance, "transfers": len(followed)}, once=True)
    popular = rules.popular_among(money_overview.channel_holders(store, result.start_channels[:PICKS]))
    if popular:
        st.warning("Popular start: " + "; ".join(f"{markdown_text(c)} is held by {n:,} accounts" for c, n in popular.items())
                   + " — an escrow or exchange, whose trail mixes every customer's money.")
    if not result.start_channels:
        st.warning(f"{markdown_text(start_id)} uses no payment channel: there is no money to follow from it.")
    elif not len(followed):
        where = "out of" if direction == "out" else "into"
        st.warning(f"No transfers {where} {markdown_text(', '.join(result.start_channels))}"
                   + (" in that window" if first or last else "") + ": the node exists, no money moved that way.")
    else:
        ends = "sinks" if direction == "out" else "origins"
        st.caption(
            f"{len(followed):,} transfers, {markdown_text(result.first_ts)} → {markdown_text(result.last_ts)}; "
            f"money {'ends' if direction == 'out' else 'starts'} at {len(result.sinks):,} {ends} "
            f"({'no onward transfer' if direction == 'out' else 'no earlier incoming transfer'} within the limits) "
            f"and goes on past the hop limit at {len(result.open_ends):,} open ends"
            + (" (raise Hops to follow it)" if result.open_ends else "")
            + (" — cut at the transfer limit" if result.truncated else "") + ".")
        shown = followed[["hop", "ts", "from", "to", "amount_orig", "currency", "amount", "tx_id"]]
        st.dataframe(shown.assign(amount=shown["amount"].round(2)).rename(columns={"amount": f"≈ {base}",
                                                                                   "amount_orig": "amount"}),
                     hide_index=True, height=240)
        if result.fx and result.fx["unconverted"]:
            st.caption("Not converted (no exchange rate), left out of the chart: " + ", ".join(
                f"{n} in {markdown_text(c)}" for c, n in result.fx["unconverted"].items()))
        # popular channels the trail passes through: past one of them the trail mixes every customer's money
        reached = sorted(set(followed["from"]) | set(followed["to"]))
        crossed = rules.popular_among(money_overview.channel_holders(store, reached))
        through = {c: n for c, n in crossed.items() if c not in result.start_channels}
        if through:
            first_hop = pd.concat([followed[["from", "hop"]].set_axis(["node", "hop"], axis=1),
                                   followed[["to", "hop"]].set_axis(["node", "hop"], axis=1)]).groupby("node")["hop"].min()
            st.warning("The trail passes through popular channel(s): " + "; ".join(
                f"{markdown_text(c)} (held by {n:,} accounts, hop {int(first_hop.get(c, 0))})" for c, n in through.items())
                + ". Past an escrow or exchange the trail follows every customer's money; an amount tolerance "
                  "keeps to the amount that went in.")
        links = trail_links(followed, direction, result.sinks, result.open_ends, result.start_channels,
                            popular=list(crossed))
        if links.value:
            side = "the start on the left" if direction == "out" else "where the money came from on the left, the start on the right"
            colours = ("by channel type per hop, too many channels to name (blue: start, purple: popular "
                       "channels, named)" if links.by_type
                       else f"blue: start, red: {ends}, orange: open ends, purple: popular")
            st.caption(f"The trail hop by hop ({side}); widths ≈ {markdown_text(base)}; {colours}. "
                       "Hover a band for its amounts as written.")
            st.plotly_chart(sankey(links, base), width="stretch")
        st.markdown(f"**Where the trail {'ends' if direction == 'out' else 'starts'}** — {ends} and open ends, "
                    f"what the trail {'brought to' if direction == 'out' else 'took from'} each, per currency "
                    "(`popular`: an escrow or exchange, held by more accounts than a tie allows)")
        end_table = rules.trace_ends(result)
        if len(end_table):
            held = money_overview.channel_holders(store, sorted(set(end_table["channel"])))
            end_table["popular"] = end_table["channel"].map(rules.popular_among(held)).notna()
            end_table["amount_base"] = end_table["amount_base"].round(2)
            st.dataframe(end_table.rename(columns={"amount": "amount (as written)", "amount_base": f"≈ {base}"}),
                         hide_index=True, height=min(400, 38 + 35 * len(end_table)))
        with st.expander("Per channel and currency: sent and received (as written and ≈ base)"):
            totals = result.totals.assign(sent_base=result.totals["sent_base"].round(2),
                                          received_base=result.totals["received_base"].round(2))
            st.dataframe(totals.rename(columns={"sent_base": f"sent ≈ {base}", "received_base": f"received ≈ {base}"}),
                         hide_index=True)
        graph = nx.MultiDiGraph()
        for source, target, amount, currency, ts in zip(followed["from"], followed["to"], followed["amount_orig"],
                                                        followed["currency"], followed["ts"], strict=True):
            graph.add_edge(source, target, type="TRANSFERRED", amount=amount, currency=_code(currency), ts=ts)
        for node in graph.nodes:
            graph.nodes[node]["label"] = "PaymentChannel"
        graph_canvas(graph, key="money_trail", color_by="amount", size_by="amount", height=420)

st.subheader("Flows between channel types")
type_flows = summary.channel_type_flows
if len(type_flows):
    type_picture = type_links(type_flows)
    st.caption(f"Paid from (left) → received by (right); widths {markdown_text(summary.fx_label)}. Hover a band for "
               "its amounts as written." + (f" {type_picture.unconverted:,} transfer(s) with no exchange rate are "
                                            "not drawn." if type_picture.unconverted else ""))
    st.plotly_chart(sankey(type_picture, base), width="stretch")
    st.caption("Per currency, as written and in the base currency:")
    st.dataframe(type_flows.rename(columns={"amount": "amount (as written)", "amount_base": f"≈ {base}"}),
                 hide_index=True, height=240)

st.subheader("Laundering patterns")


@st.cache_data(show_spinner="Searching for patterns…", max_entries=4)
def patterns(url: str, version: str, base: str) -> pd.DataFrame:
    from graphbench.analytics.patterns import patterns_frame

    # the patterns `graphbench patterns --base-currency BASE` finds; in USD the list risk and the report use
    return patterns_frame(analysis().patterns_in(base))


def show_patterns(found: pd.DataFrame) -> None:
    if found.empty:
        st.caption("No patterns found.")
        return
    kinds = st.multiselect("Kinds", sorted(found["kind"].unique()), default=sorted(found["kind"].unique()))
    shown = found[found["kind"].isin(kinds)].reset_index(drop=True)
    st.caption(f"Found with amounts compared in {markdown_text(base)}: `≈ {markdown_text(base)}` is each pattern's "
               f"amount, each transfer converted at its date, {markdown_text(summary.fx_label)}; `as written` keeps "
               "each currency apart.")
    table = shown.assign(**{"as written": [as_written_text(v) for v in shown["amount_by_currency"]]})
    first = [c for c in ("kind", "score", "amount", "as written", "transfers", "first_ts", "last_ts", "reason") if c in table]
    table = table[first + [c for c in table.columns if c not in (*first, "tx_ids", "amount_by_currency")]]
    st.dataframe(table.rename(columns={"amount": f"≈ {base}"}), hide_index=True, height=260)
    if not len(shown):
        return
    rows = list(range(len(shown)))
    pick = st.selectbox("Draw pattern", rows, format_func=lambda i: (
        f"row {i}: {shown.loc[i, 'kind']}, {len(shown.loc[i, 'members'])} channels, "
        f"≈ {shown.loc[i, 'amount']:,.2f} {base}"))
    graph = nx.MultiDiGraph()
    for row in money_overview.transfers_by_id(store, list(shown.loc[int(pick), "tx_ids"])).itertuples():
        graph.add_edge(row.start, row.end, type="TRANSFERRED", amount=row.amount, currency=_code(row.currency), ts=row.ts)
    for node in graph.nodes:
        graph.nodes[node]["label"] = "PaymentChannel"
    graph_canvas(graph, key="money_pattern", color_by="amount", height=380)


if whole_graph_agreed("Pattern search", f"all {transfer_count:,} transfers", "money_patterns"):
    show_patterns(patterns(store_url(), data_version(), base))

st.subheader("Transfer timeline")
st.caption(f"Per day, {markdown_text(summary.fx_label)}" + "".join(f"; {markdown_text(n)}" for n in summary.fx_notes))
st.bar_chart(summary.daily_amounts, height=220, y_label=f"≈ {base} per day", x_label="day")
