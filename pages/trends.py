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

st.subheader("Emerging hashtags")
try:
    from graphbench.analytics import trends

    st.dataframe(trends.emerging_hashtags(t), hide_index=True)
except (ImportError, AttributeError):
    tagged = t["TAGGED"].rename(columns={"start": "id", "end": "tag"})[["id", "tag"]].merge(
        listings[["id", "posted_at"]], on="id")
    tagged["when"] = pd.to_datetime(tagged["posted_at"], utc=True, errors="coerce")
    cutoff = tagged["when"].max() - pd.Timedelta(days=60)
    recent = tagged[tagged["when"] >= cutoff]["tag"].value_counts()
    before = tagged[tagged["when"] < cutoff]["tag"].value_counts()
    span = max((cutoff - tagged["when"].min()).days / 60, 1)
    table = pd.DataFrame({"last 60 days": recent, "per 60 days before": (before / span).round(1)}).fillna(0)
    table["ratio"] = (table["last 60 days"] + 1) / (table["per 60 days before"] + 1)
    st.dataframe(table.sort_values("ratio", ascending=False).head(20))

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
