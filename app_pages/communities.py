"""Communities: who works together — engine, resolution and seed; summaries; one community's graph;
the graph of communities for big data."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from app_pages.canvas import graph_canvas
from app_pages.common import account_graph, analysis, data_version, get_store, store_url, tables
from graphbench.store.base import SupportsGds

st.title("Communities")
store = get_store()
controls = st.columns(4)
engine = controls[0].selectbox("Engine", ["auto", "networkit", "leiden", "leiden_cpm", "louvain"]
                               + (["gds"] if isinstance(store, SupportsGds) else []))
resolution = controls[1].number_input("Resolution", 0.01, 20.0, 1.0 if engine != "leiden_cpm" else 0.1, step=0.05)
seed = controls[2].number_input("Seed", 0, 10_000, 0)
min_size = controls[3].number_input("Smallest community shown", 1, 100, 3)


def pushed_down(engine: str) -> bool:
    """GDS when asked, or for `auto` on a Neo4j server that has it (as `graphbench communities` decides):
    then the page never pulls the account graph out of the database."""
    from graphbench.analytics import gds

    return engine == "gds" or (engine == "auto" and gds.available(store))


@st.cache_data(show_spinner="Detecting communities…", max_entries=8)
def run(url: str, version: str, engine: str, resolution: float, seed: int) -> dict:
    from graphbench.analytics.communities import summaries_frame, summarise_communities

    if pushed_down(engine):
        from graphbench.analytics import gds

        document = gds.communities_document(get_store().run, resolution=resolution, seed=seed)
        membership = {m: c["id"] for c in document["communities"] for m in c["members"]}
        return {"membership": membership, "modularity": document["modularity"], "engine": document["engine"],
                "summaries": pd.DataFrame([{k: v for k, v in c.items() if k != "members"}
                                           for c in document["communities"]])}
    graph = account_graph()
    result = analysis().communities(engine=engine, resolution=resolution, seed=seed)  # shared with the report
    summaries = summaries_frame(summarise_communities(result, graph, tables(), min_size=2))
    return {"membership": result.membership, "modularity": result.modularity, "engine": result.engine,
            "summaries": summaries}


if st.button("Run community detection", type="primary") or "communities" in st.session_state:
    result = run(store_url(), data_version(), engine, float(resolution), int(seed))
    st.session_state["communities"] = result
    membership = result["membership"]
    summaries = result["summaries"]
    sizes = pd.Series(membership).value_counts()
    st.metric("Modularity", f"{result['modularity']:.4f}",
              help=f"engine {result['engine']}; {len(sizes)} communities, {int((sizes >= 3).sum())} of 3+ accounts")
    if len(summaries):
        from app_pages.community_actions import community_actions, ranked

        shown = ranked(summaries[summaries["size"] >= min_size], membership)  # named, riskiest first
        if shown.empty:
            st.info(f"No community has {min_size} or more accounts; lower “Smallest community shown”.")
            st.stop()
        st.dataframe(shown, hide_index=True, height=300)
        names = dict(zip(shown["community"], shown["name"], strict=True))
        choice = st.selectbox("Community", shown["community"].tolist(), format_func=lambda c: f"#{c} {names[c]}")
        members = [m for m, c in membership.items() if c == choice]
        community_actions(choice, names[choice], members, shown)
        if pushed_down(engine):
            from graphbench.store_reads.community_neighbourhoods import community_picture

            st.subheader(f"Community {choice}: {len(members)} accounts")
            st.caption("Its accounts and what two or more of them share, read member by member from Neo4j "
                       "(the whole account graph stays in the database).")
            graph_canvas(community_picture(store, members), key="community_picture", color_by="community",
                         community={m: int(choice) for m in members}, community_names=names)
            st.stop()
        graph = account_graph()
        index = graph.index
        sub = nx.Graph()
        wanted = {index[m] for m in members if m in index}
        for s, t, w in zip(graph.source, graph.target, graph.weight, strict=True):
            if s in wanted and t in wanted:
                sub.add_edge(graph.ids[s], graph.ids[t], weight=float(w), type="evidence")
        for m in members:
            sub.add_node(m, label="Account")
        st.subheader(f"Community {choice}: {len(members)} accounts")
        graph_canvas(sub, key="community_graph", color_by="community", community={m: int(choice) for m in members},
                     community_names=names)

        st.subheader("Graph of communities")
        between: dict[tuple[int, int], float] = {}
        for s, t, w in zip(graph.source, graph.target, graph.weight, strict=True):
            a, b = membership.get(graph.ids[s]), membership.get(graph.ids[t])
            if a is not None and b is not None and a != b:
                key = (min(a, b), max(a, b))
                between[key] = between.get(key, 0.0) + float(w)
        meta = nx.Graph()
        for community, size in sizes.items():
            if size >= min_size:
                meta.add_node(f"Community:{community}", label="Account", handle=f"#{community} ({size})")
        for (a, b), w in between.items():
            if f"Community:{a}" in meta and f"Community:{b}" in meta:
                meta.add_edge(f"Community:{a}", f"Community:{b}", weight=w, type=f"ties {w:.1f}")
        graph_canvas(meta, key="community_meta", color_by="community", height=420,
                     community={n: int(n.split(":", 1)[1]) for n in meta}, community_names=names)
else:
    st.caption("Choose an engine and run. `auto` is the fastest engine of equal quality "
               "(GDS inside Neo4j when the store has it).")
