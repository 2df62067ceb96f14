"""Explore: search any entity, expand its neighbourhood hop by hop, filter, pin / hide, inspect."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from app_pages.canvas import canvas_event, graph_canvas
from app_pages.common import allowed, analysis, audit_event, get_store, whole_graph_agreed
from graphbench.schema import NODE_TYPES, PROVENANCE_PROPS, REL_TYPES
from graphbench.viz.safe_text import markdown_text

st.title("Explore")
store = get_store()
state = st.session_state
state.setdefault("explore_focus", None)
state.setdefault("explore_pinned", [])
state.setdefault("explore_hidden", [])
state.setdefault("explore_expanded", {})  # node id → neighbour cap: what double-click / Expand added to the canvas
state.setdefault("explore_selected", None)

query = st.text_input("Search: handle, phone, wallet, hashtag, species, tracking number, words in listings",
                      placeholder="e.g. python, +8491, 0xad1f, JD0001")
if query:
    found = store.search(query, limit=50)
    audit_event("search", {"text": query, "results": len(found)}, once=True)
    if found.empty:
        st.info("Nothing found.")
    else:
        choice = st.selectbox("Results", found["id"].tolist(),
                              format_func=lambda i: f"{i}  —  {found.set_index('id').loc[i, 'caption']}")
        if st.button("Open", type="primary"):
            state["explore_focus"] = choice

focus = st.text_input("Focus node id", value=state["explore_focus"] or "", key="explore_focus_input")
if focus:
    state["explore_focus"] = focus.strip()

controls = st.columns(4)
hops = controls[0].slider("Hops", 1, 3, 1)
cap = controls[1].slider("Most nodes", 20, 500, 150, step=10)
labels = controls[2].multiselect("Labels", list(NODE_TYPES), default=list(NODE_TYPES))
rel_types = controls[3].multiselect("Relationships", list(REL_TYPES), default=list(REL_TYPES))
since, until = st.columns(2)
from app_pages.fields import date_field  # noqa: E402  (a bad date is one sentence under its field)

window_from = date_field(since, "From (ISO date, optional)")
window_to = date_field(until, "Until (ISO date, optional)", end_of_day=True)

if not state["explore_focus"]:
    st.caption("Search for an entity, then open it.")
    st.stop()

center = state["explore_focus"]
if state.get("explore_expanded_for") != center:  # a new focus starts a new canvas
    state["explore_expanded_for"], state["explore_expanded"], state["explore_selected"] = center, {}, None
    state["explore_selection"] = []
graph = store.neighbourhood(center, hops=hops, limit=cap, rel_types=rel_types)
# what was expanded stays on the canvas: each expansion adds the node's neighbours to what is drawn
for expanded, limit in state["explore_expanded"].items():
    graph = nx.compose(graph, store.neighbourhood(expanded, hops=1, limit=limit, rel_types=rel_types))
for pinned in state["explore_pinned"]:
    if pinned not in graph:
        graph = nx.compose(graph, store.neighbourhood(pinned, hops=1, limit=30, rel_types=rel_types))
if graph.number_of_nodes() == 0:
    hits = store.search(center, limit=3)  # a handle typed without its label is a near miss, not nothing
    st.warning(f"No node {markdown_text(repr(center))}"
               + ("; did you mean " + " or ".join(markdown_text(h) for h in hits["id"]) + "?" if len(hits) else
                  "; ids name their label, such as Account:instagram:reptile.house."))
    st.stop()


def in_window(data: dict) -> bool:
    when = data.get("posted_at") or data.get("shipped_at") or data.get("ts") or data.get("last_seen")
    if not when:
        return True
    return (not window_from or str(when) >= window_from) and (not window_to or str(when) <= window_to + "~")


seen_platforms = sorted({str(d["platform"]) for _, d in graph.nodes(data=True) if d.get("platform")})
platforms = st.multiselect("Platforms (empty: all)", seen_platforms, help="Accounts and listings of these platforms only")


def on_platform(data: dict) -> bool:
    return not platforms or not data.get("platform") or str(data["platform"]) in platforms


keep = [n for n, d in graph.nodes(data=True)
        if n == center or n in state["explore_expanded"]
        or (d.get("label") in labels and n not in state["explore_hidden"] and in_window(d) and on_platform(d))]
view = graph.subgraph(keep).copy()
# an "N more" placeholder for nodes whose neighbours the cap cut
for node, data in list(view.nodes(data=True)):
    if data.get("truncated"):
        more = f"More:{node}"
        view.add_node(more, label="More", handle=f"{data['truncated']} more")
        view.add_edge(node, more, type="…")

left, right = st.columns([3, 1])
with left:
    st.caption(f"{view.number_of_nodes()} nodes, {view.number_of_edges()} relationships around {markdown_text(center)}")
    # accounts coloured by community once the Communities page has run
    membership = (state.get("communities") or {}).get("membership")
    if membership:
        st.caption("Accounts coloured by community (from the Communities page).")
    current = analysis()
    risk = None
    if current.has("risk"):  # only once scored: opening Explore never starts a whole-graph analysis
        scores = dict(zip(current.risk["id"], current.risk["score"], strict=True))
        risk = {n: scores.get(n, 0.0) for n, d in view.nodes(data=True) if d.get("label") == "Account"}
    picked = state["explore_selected"] if state["explore_selected"] in view else center
    selection = [n for n in state.get("explore_selection") or [picked] if n in view]
    value = graph_canvas(view, key="explore_canvas", color_by="community" if membership else "label",
                         community=membership, risk=risk, selected=selection, pinned=state["explore_pinned"],
                         hidden=state["explore_hidden"], height=620)
    event = canvas_event(value, "explore_canvas")
    if event:
        if event["event"] in ("pin", "hide"):
            state["explore_pinned"], state["explore_hidden"] = list(event["pinned"]), list(event["hidden"])
        if event["event"] == "show_all":
            state["explore_hidden"] = []
        state["explore_selection"] = list(event["selected"])
        if event["selected"] and event.get("node") in event["selected"]:
            state["explore_selected"] = event["node"]  # the node clicked, else the first of a lasso
        elif event["selected"]:
            state["explore_selected"] = event["selected"][0]
        if event["event"] == "expand" and event.get("node"):
            target = str(event["node"])
            if target.startswith("More:"):  # the "N more" placeholder: the same node, with more room
                target = target[len("More:"):]
            state["explore_selected"] = target
            state["explore_expanded"][target] = min(2000, 2 * state["explore_expanded"].get(target, cap))
            st.rerun()
        if event["event"] in ("hide", "show_all"):
            st.rerun()
    chosen_many = [n for n in state.get("explore_selection") or [] if n in view]
    if len(chosen_many) > 1:
        st.caption(f"{len(chosen_many)} nodes selected on the canvas: "
                   f"{markdown_text(', '.join(chosen_many[:8]))}{' …' if len(chosen_many) > 8 else ''}")
    st.caption("Click a node to read it; double-click (or Expand) adds its neighbours; shift-drag draws a lasso; "
               "drag a node to pin it. See docs/canvas.md.")
with right:
    st.subheader("Details")
    selectable = sorted(n for n in view.nodes if not str(n).startswith("More:"))
    chosen = state["explore_selected"] if state["explore_selected"] in selectable else center
    selected = st.selectbox("Node", selectable, index=selectable.index(chosen) if chosen in selectable else 0)
    node = store.node(selected) or {}
    audit_event("open_node", {"id": selected}, once=True)
    properties = [{"property": k, "value": str(v)} for k, v in node.items()
                  if k not in PROVENANCE_PROPS and v is not None and str(v) not in ("", "nan", "[]")]
    st.dataframe(pd.DataFrame(properties), hide_index=True, width="stretch")
    if allowed("provenance"):  # viewers see no provenance (issue 17: graphbench/auth/permissions.py)
        with st.expander("Provenance"):
            st.dataframe(pd.DataFrame([{"property": k, "value": str(node.get(k))} for k in PROVENANCE_PROPS
                                       if k != "sources"]
                                      + [{"property": "source", "value": s} for s in node.get("sources") or []]),
                         hide_index=True, width="stretch")
    if st.button("Expand onto the canvas", help="adds this node's neighbours to what is drawn (same as a double-click)"):
        state["explore_selected"] = selected
        state["explore_expanded"][selected] = min(2000, 2 * state["explore_expanded"].get(selected, cap // 2))
        st.rerun()
    buttons = st.columns(2)
    if buttons[0].button("Pin", width="stretch"):
        state["explore_pinned"] = sorted(set(state["explore_pinned"]) | {selected})
    if buttons[1].button("Hide", width="stretch"):
        state["explore_hidden"] = sorted(set(state["explore_hidden"]) | {selected})
    if state["explore_pinned"] or state["explore_hidden"]:
        st.caption(f"pinned: {markdown_text(', '.join(state['explore_pinned'])) or '—'}; "
                   f"hidden: {len(state['explore_hidden'])}")
        if st.button("Clear pins and hidden"):
            state["explore_pinned"], state["explore_hidden"], state["explore_expanded"] = [], [], {}
            st.rerun()
    if selected.startswith("Account:") and whole_graph_agreed("Risk scoring", "every account, listing and "
                                                              "transfer", "risk"):
        from app_pages.common import risk_scores
        from graphbench.analytics.risk import explain

        indicators = explain(risk_scores(), selected)
        st.metric("Risk score", f"{min(100, sum(i.points for i in indicators)):.0f} / 100")
        for indicator in indicators:
            with st.expander(f"{indicator.name.replace('_', ' ')} · {indicator.points:g}"):
                st.markdown("\n".join(f"- {markdown_text(item)}" for item in indicator.evidence[:20]))

st.subheader("Timeline")
events = []
for u, v, data in view.edges(data=True):
    when = data.get("ts") or view.nodes[v].get("posted_at") or view.nodes[v].get("shipped_at")
    if when:
        events.append({"when": pd.to_datetime(when, utc=True, errors="coerce"), "what": data.get("type"),
                       "from": u, "to": v, "amount": data.get("amount")})
if events:
    timeline = pd.DataFrame(events).dropna(subset=["when"]).sort_values("when")
    timeline["day"] = timeline["when"].dt.date
    st.bar_chart(timeline.groupby(["day", "what"]).size().unstack(fill_value=0), height=200)
    st.dataframe(timeline.drop(columns="day"), hide_index=True, height=200)
else:
    st.caption("No dated activity in view.")
