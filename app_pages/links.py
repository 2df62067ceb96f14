"""Links: paths between two entities, what two accounts share, SAME_AS suggestions to accept or reject."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from app_pages.canvas import graph_canvas
from app_pages.common import (
    allowed,
    audit_event,
    bump_version,
    data_version,
    get_store,
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

    graph = entity_graph(store_url(), data_version())
    missing = [x.strip() for x in (a, b) if x.strip() not in graph and store.node(x.strip()) is None]
    for name in missing:  # "no such node" is not "no path"
        hits = store.search(name, limit=3)
        hint = ("; did you mean " + " or ".join(markdown_text(h) for h in hits["id"]) + "?") if len(hits) else \
            "; ids name their label, such as Account:instagram:reptile.house."
        st.error(f"There is no node {markdown_text(repr(name))}{hint}")
    paths = [] if missing else k_shortest_paths(graph, a.strip(), b.strip(), k=int(k))
    if not paths and not missing:
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
    if not missing:  # nothing to draw for an id that is no node
        graph_canvas(drawing, key="links_paths", height=380)
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
    # one stable order, so the row picked stays the row judged after the table redraws
    show = show.sort_values(["score", "start", "end"], ascending=[False, True, True]).reset_index(drop=True)
    st.caption("Pick the row you are reading (its left edge), then accept or reject that link.")
    picked = st.dataframe(show, hide_index=True, height=260, on_select="rerun", selection_mode="single-row",
                          key="same_as_rows")
    rows = picked.selection.rows if picked is not None else []
    row = show.iloc[rows[0]] if rows and rows[0] < len(show) else None
    buttons = st.columns([1, 1, 4])
    from graphbench.resolve import accept_same_as, reject_same_as

    judge = allowed("verdict") and row is not None  # analysts and admins (issue 17: graphbench/auth/permissions.py)
    if row is None:
        buttons[2].caption("No link picked yet.")
    else:
        start, end = str(row["start"]), str(row["end"])
        buttons[2].markdown(f"**{markdown_text(start)} ~ {markdown_text(end)}** · score {float(row['score']):.4f}"
                            + (f" · {markdown_text(row['status'])}" if "status" in row and isinstance(row["status"], str)
                               else ""))
    if buttons[0].button("Accept", disabled=not judge):
        audit_event("verdict", {"link": "SAME_AS", "start": start, "end": end, "status": "accepted"})
        accept_same_as(store, start, end)
        store.commit()
        bump_version()
        st.success(f"accepted: {markdown_text(start)} ~ {markdown_text(end)}")
    if buttons[1].button("Reject", disabled=not judge):
        audit_event("verdict", {"link": "SAME_AS", "start": start, "end": end, "status": "rejected"})
        reject_same_as(store, start, end)
        store.commit()
        bump_version()
        st.success(f"rejected: {markdown_text(start)} ~ {markdown_text(end)} — the verdict survives reloads")

st.subheader("Suggested links (Adamic–Adar)")
from graphbench.analytics.links import predict_links  # noqa: E402

if whole_graph_agreed(*LINK_ANALYSIS, ask=False):
    suggestions = predict_links(tables(), top=25)
    suggestions["shared"] = suggestions["shared"].map(lambda s: ", ".join(s[:4]))
    st.dataframe(pd.DataFrame(suggestions), hide_index=True)
else:
    st.caption("Waits for the go-ahead under Path finder.")
