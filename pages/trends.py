"""Trends & routes: listings over time, emerging hashtags, courier routes origin → destination."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from pages.common import get_store, tables

st.title("Trends & routes")
get_store()
t = tables()
listings = t["Listing"]
if listings.empty:
    st.info("No listings in the store.")
    st.stop()

listings = listings.assign(month=pd.to_datetime(listings["posted_at"], utc=True, errors="coerce")
                           .dt.tz_localize(None).dt.to_period("M").dt.to_timestamp())
by = st.radio("Listings over time by", ["species", "platform", "country"], horizontal=True)
if by == "species":
    mentions = t["MENTIONS"].rename(columns={"start": "id", "end": "species"})[["id", "species"]]
    frame = listings.merge(mentions, on="id")
    frame["group"] = frame["species"].str.removeprefix("Species:")
elif by == "platform":
    frame = listings.assign(group=listings["platform"])
else:
    located = t["LOCATED_IN"].rename(columns={"start": "id", "end": "place"})[["id", "place"]]
    frame = listings.merge(located, on="id")
    frame["group"] = frame["place"].str.split(":").str[1]
top = frame["group"].value_counts().head(10).index
counts = frame[frame["group"].isin(top)].groupby(["month", "group"]).size().reset_index(name="listings")
st.plotly_chart(px.line(counts, x="month", y="listings", color="group", markers=True), width="stretch")

st.subheader("Emerging hashtags and keywords")
from graphbench.analytics import trends  # noqa: E402

st.caption("Terms used far more in the last 60 days than their own history predicts, after allowing for "
           "overall growth (Poisson z-score).")
columns = st.columns(2)
columns[0].dataframe(trends.emerging_terms(t, "hashtag"), hide_index=True)
columns[1].dataframe(trends.emerging_terms(t, "keyword"), hide_index=True)

st.subheader("Hotspots")
st.dataframe(trends.hotspots(t), hide_index=True)

st.subheader("Courier routes")
ship = t["Shipment"]
if ship.empty:
    st.caption("No shipments.")
else:
    origin = t["FROM"].rename(columns={"start": "id", "end": "origin"})[["id", "origin"]]
    dest = t["TO"].rename(columns={"start": "id", "end": "destination"})[["id", "destination"]]
    routes = ship.merge(origin, on="id").merge(dest, on="id")
    routes["origin"] = routes["origin"].str.split(":").str[1]
    routes["destination"] = routes["destination"].str.split(":").str[1]
    table = routes.groupby(["shipper", "origin", "destination"]).size().reset_index(name="shipments")
    st.dataframe(table.sort_values("shipments", ascending=False), hide_index=True, height=240)
    flows = routes.groupby(["origin", "destination"]).size().reset_index(name="n")
    names = sorted(set("from " + flows["origin"]) | set("to " + flows["destination"]))
    pos = {n: i for i, n in enumerate(names)}
    figure = go.Figure(go.Sankey(node={"label": names},
                                 link={"source": ("from " + flows["origin"]).map(pos),
                                       "target": ("to " + flows["destination"]).map(pos), "value": flows["n"]}))
    figure.update_layout(height=460, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(figure, width="stretch")
