"""Links: paths between two entities, what two accounts share, SAME_AS suggestions to accept or reject."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from app_pages.common import (
    allowed,
    audit_event,
    bump_version,
    data_version,
    get_store,
    show_graph,
    store_url,
    tables,
    whole_graph_agreed,
)
from graphbench.viz.safe_text import markdown_text

st.title("Links")
store = get_store()


@st.cache_resource(show_spinner="Building the entity graph…", max_entries=2)
def entity_graph(url: str, version: str) -> nx.Graph:
    from graphbench.analytics.links import entity_graph as build
    from graphbench.schema import REL_TYPES

    t = tables()
    return build({k: v for k, v in t.items() if k in REL_TYPES})


LINK_ANALYSIS = ("Link analysis", "every relationship", "links")  # paths and suggestions share one go-ahead

st.subheader("Path finder")
whole_graph_agreed(*LINK_ANALYSIS)
cols = st.columns([2, 2, 1])
a = cols[0].text_input("From", placeholder="Account:facebook:…")
b = cols[1].text_input("To", placeholder="Account:tiktok:…")
k = cols[2].number_input("Paths", 1, 10, 3)
if a and b and whole_graph_agreed(*LINK_ANALYSIS, ask=False):
    from graphbench.analytics.links import k_shortest_paths, shared_identifiers

    paths = k_shortest_paths(entity_graph(store_url(), data_version()), a.strip(), b.strip(), k=int(k))
    if not paths:
        st.info("No path within 6 hops (hubs such as couriers or countries do not carry paths).")
    drawing = nx.MultiDiGraph()
    for path in paths:
        # node ids carry handles written by the accounts' owners: text, never Markdown (an image in one is fetched)
        st.markdown(f"**{path.hops} hops:** " + " → ".join(markdown_text(node) for node in path.nodes))
        for step in path.steps:
            for rel in step:
                drawing.add_edge(rel.start, rel.end, type=rel.type)
    for node in drawing.nodes:
        drawing.nodes[node]["label"] = node.split(":", 1)[0]
    show_graph(drawing, height=380)
    if a.startswith("Account:") and b.startswith("Account:"):
        shared = shared_identifiers(a.strip(), b.strip(), tables())
        st.write("**Shared identifiers**")
        st.dataframe(shared, hide_index=True)

st.subheader("Same operator? (SAME_AS, with evidence)")
same = store.relationships("SAME_AS")  # only the links, on both stores
if same.empty:
    st.caption("No SAME_AS links yet.")
else:
    show = same[["start", "end", "score", "evidence"] + (["status"] if "status" in same else [])]
    st.dataframe(show.sort_values("score", ascending=False), hide_index=True, height=260)
    pairs = [f"{r.start} ~ {r.end}" for r in show.itertuples()]
    pick = st.selectbox("Link", pairs)
    buttons = st.columns(2)
    from graphbench.resolve import accept_same_as, reject_same_as

    start, end = pick.split(" ~ ")
    judge = allowed("verdict")  # analysts and admins (issue 17: graphbench/auth/permissions.py)
    if buttons[0].button("Accept", disabled=not judge):
        audit_event("verdict", {"link": "SAME_AS", "start": start, "end": end, "status": "accepted"})
        accept_same_as(store, start, end)
        store.commit()
        bump_version()
        st.success("accepted")
    if buttons[1].button("Reject", disabled=not judge):
        audit_event("verdict", {"link": "SAME_AS", "start": start, "end": end, "status": "rejected"})
        reject_same_as(store, start, end)
        store.commit()
        bump_version()
        st.success("rejected — the verdict survives reloads")

st.subheader("Suggested links (Adamic–Adar)")
from graphbench.analytics.links import predict_links  # noqa: E402

if whole_graph_agreed(*LINK_ANALYSIS, ask=False):
    suggestions = predict_links(tables(), top=25)
    suggestions["shared"] = suggestions["shared"].map(lambda s: ", ".join(s[:4]))
    st.dataframe(pd.DataFrame(suggestions), hide_index=True)
else:
    st.caption("Waits for the go-ahead under Path finder.")
