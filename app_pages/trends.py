"""Trends & routes: listings over time, emerging hashtags and keywords, courier routes origin → destination.
A thin shell over graphbench.analytics.trends and graphbench.analytics.routes."""

from __future__ import annotations

import html

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from app_pages.common import analysis, get_store, tables, whole_graph_agreed
from graphbench.analytics import routes, trends
from graphbench.viz import world_map

st.title("Trends & routes")
get_store()
if not whole_graph_agreed("Trend analysis", "every listing, shipment and place", "trends"):
    st.stop()
t = tables()
if t["Listing"].empty:
    st.info("No listings in the store.")
    st.stop()

controls = st.columns([3, 1])
by = controls[0].radio("Listings over time by", ["species", "platform", "country"], horizontal=True)
freq = controls[1].radio("Period", ["M", "W"], horizontal=True, format_func={"M": "month", "W": "week"}.get)
counts = trends.listings_over_time(t, by=by, freq=freq)
st.plotly_chart(px.line(counts, x="period", y="listings", color="group", markers=True), width="stretch")

st.subheader("Emerging hashtags and keywords")
st.caption("Terms used far more in the last 60 days than their own history predicts, after allowing for "
           "overall growth (Poisson z-score).")
columns = st.columns(2)
for column, kind in zip(columns, ("hashtag", "keyword"), strict=True):
    emerging = trends.emerging_terms(t, kind)
    column.markdown(f"**{kind}s**")
    column.dataframe(emerging, hide_index=True, height=220)
    if not emerging.empty and "term" in emerging:
        series = trends.term_counts(t, kind, freq="W", terms=emerging["term"].head(6))
        figure = px.line(series, x="period", y="listings", color="term")
        figure.update_layout(height=260, margin={"l": 10, "r": 10, "t": 10, "b": 10})
        column.plotly_chart(figure, width="stretch")

st.subheader("Hotspots")
level = st.radio("Place level", ["country", "city"], horizontal=True)
st.dataframe(trends.hotspots(t, level=level), hide_index=True)

st.subheader("Map: hotspots, courier and seizure routes, photo positions")
layers = world_map.layers_of_tables(t, shipments=analysis().shipments_at("country"))  # graphbench/viz/world_map.py
if layers:  # drawn from the packaged Natural Earth file: no tile server, no request
    st.plotly_chart(world_map.plotly_world(layers), width="stretch")
else:
    st.caption("Nothing to place on the map yet: no located listings, shipments or seizures.")

st.subheader("Courier routes")
shipments = analysis().shipments_at(level)  # once per data version and level, not once per table below
table = routes.routes(t, level=level, shipments=shipments)
if table.empty:
    st.caption("No shipments with an origin and a destination.")
else:
    rank = st.radio("Busiest routes by", ["shipments", "weight_kg", "senders"], horizontal=True)
    st.dataframe(routes.top_routes(t, n=15, by=rank, level=level, shipments=shipments), hide_index=True, height=240)
    with st.expander("Routes by courier"):
        st.dataframe(table, hide_index=True, height=240)
    via_shipper = st.toggle("Show couriers between origin and destination", value=True)
    flows = routes.route_flows(t, level=level, via_shipper=via_shipper, shipments=shipments)
    if not via_shipper:  # a place both sending and receiving would close a loop: label the two ends
        flows = flows.assign(source="from " + flows["source"], target="to " + flows["target"])
    names = sorted(set(flows["source"]) | set(flows["target"]))
    position = {name: i for i, name in enumerate(names)}
    figure = go.Figure(go.Sankey(node={"label": [html.escape(str(n), quote=False) for n in names], "pad": 12},  # plotly reads <a>/<b> in labels as markup
                                 link={"source": flows["source"].map(position).tolist(),
                                       "target": flows["target"].map(position).tolist(),
                                       "value": flows["value"].tolist()}))
    figure.update_layout(height=480, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(figure, width="stretch")
    st.markdown("**Consumer hubs** (receive from many origins, send little)")
    st.dataframe(routes.consumer_hubs(t, level=level, shipments=shipments), hide_index=True)
