"""Cases: named investigations — pinned entities, the canvas view, notes, status, assignee — listed,
searchable, reopened on Explore exactly as left, exported as one report (graphbench/cases)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from app_pages.common import allowed, analysis, audit_event, get_store, identity, require
from graphbench.cases import STATUSES, CaseRepository, rel_target
from graphbench.cases.model import STATUS_LABELS
from graphbench.errors import GraphbenchError
from graphbench.records import records_for
from graphbench.viz.safe_text import markdown_text

# the Explore page's session keys that make up its view (its canvas's own value is under explore_canvas)
EXPLORE_KEYS = ("explore_focus", "explore_pinned", "explore_hidden", "explore_expanded", "explore_selected",
                "explore_selection")

st.title("Cases")
require("case_view")
store = get_store()
cases = CaseRepository(records_for(store))
me = identity()["name"]
edit = allowed("case_edit")

search = st.columns([3, 1])
text = search[0].text_input("Search cases (name, assignee, pinned ids, notes)")
status = search[1].selectbox("Status", [None, *STATUSES], format_func=lambda s: "any" if s is None else STATUS_LABELS[s])
found = cases.search(text, status)
if found:
    st.dataframe(pd.DataFrame([{"case": c.name, "id": c.case_id, "status": STATUS_LABELS[c.status],
                                "assignee": c.assignee or "", "pinned": len(c.pins), "notes": len(c.notes),
                                "changed": c.updated_at, "by": c.updated_by} for c in found]),
                 hide_index=True, width="stretch")
else:
    st.info("No case matches." if text or status else "No cases yet.")

if edit:
    with st.expander("New case"), st.form("new_case"):
        name = st.text_input("Name")
        assignee = st.text_input("Assignee (optional)")
        if st.form_submit_button("Create") and name.strip():
            created = cases.create(name, me, assignee)
            audit_event("case", {"change": "create", "case_id": created.case_id, "name": created.name})
            st.session_state["case_open"] = created.case_id
            st.rerun()

ids = [c.case_id for c in found]
if not ids:
    st.stop()
opened = st.session_state.get("case_open")
case_id = st.selectbox("Open case", ids, index=ids.index(opened) if opened in ids else 0,
                       format_func=lambda i: next(f"{c.name} ({i})" for c in found if c.case_id == i))
st.session_state["case_open"] = case_id
case = cases.get(case_id)
audit_event("case_open", {"case_id": case_id}, once=True)
st.subheader(case.name)
st.caption(f"{STATUS_LABELS[case.status]} · assigned to {markdown_text(case.assignee or 'nobody')} · opened by "
           f"{markdown_text(case.created_by)} {case.created_at} · changed by {markdown_text(case.updated_by)} "
           f"{case.updated_at}")


def changed(what: str, **params: object) -> None:
    audit_event("case", {"change": what, "case_id": case_id, **params})
    st.rerun()


if edit:
    cols = st.columns([1, 1, 1])
    new_status = cols[0].selectbox("Status", STATUSES, index=STATUSES.index(case.status),
                                   format_func=STATUS_LABELS.get, key=f"status_{case_id}")
    new_assignee = cols[1].text_input("Assignee", case.assignee or "", key=f"assignee_{case_id}")
    if cols[2].button("Save status and assignee"):
        cases.set_status(case_id, new_status, me)
        cases.assign(case_id, new_assignee, me)
        changed("status", status=new_status, assignee=new_assignee or None)

left, right = st.columns([3, 2])
with left:
    st.markdown("**Canvas**")
    view = case.view or {}
    graph = nx.MultiDiGraph()
    for pin in case.pins:
        try:
            graph = nx.compose(graph, store.neighbourhood(pin, hops=1, limit=60))
        except GraphbenchError:
            graph.add_node(pin)  # a pin no longer in the store is still shown, alone
    if graph.number_of_nodes():
        from app_pages.canvas import graph_canvas

        canvas_view = view.get("canvas") or {}
        graph_canvas(graph, key=f"case_canvas_{case_id}", pinned=[p for p in case.pins if p in graph],
                     hidden=[h for h in canvas_view.get("hidden", []) if h in graph],
                     positions=canvas_view.get("positions"), height=460)
    else:
        st.caption("Pin entities (below, or from Explore) to draw them here.")
    buttons = st.columns(2)
    if view and buttons[0].button("Reopen on Explore", type="primary",
                                  help="Explore shows this case's saved view: focus, expansions, pins, hidden"):
        for key in EXPLORE_KEYS:
            if key in view:
                st.session_state[key] = view[key]
        st.session_state.pop("explore_focus_input", None)  # its widget then starts from the restored focus
        audit_event("case_reopen", {"case_id": case_id})
        st.switch_page("app_pages/explore.py")
    if edit and buttons[1].button("Save the Explore view into this case",
                                  help="what Explore shows now in this session: its focus, expansions, pins, hidden"):
        saved = {key: st.session_state[key] for key in EXPLORE_KEYS if key in st.session_state}
        saved["canvas"] = st.session_state.get("explore_canvas")  # whatever the canvas component last gave
        cases.save_view(case_id, saved, me)
        cases.pin(case_id, [n for n in [saved.get("explore_focus"), *(saved.get("explore_pinned") or [])] if n], me)
        changed("view", nodes=len(saved.get("explore_pinned") or []))

with right:
    st.markdown("**Pinned entities**")
    st.dataframe(pd.DataFrame({"pinned": case.pins}), hide_index=True, width="stretch")
    if edit:
        with st.form(f"pins_{case_id}"):
            more = st.text_area("Pin node ids (one per line)", placeholder="Account:instagram:reptile.house")
            drop = st.selectbox("…or unpin", [None, *case.pins])
            if st.form_submit_button("Update pins"):
                wanted = [line.strip() for line in more.splitlines() if line.strip()]
                unknown = [n for n in wanted if store.node(n) is None]
                if unknown:
                    st.error(f"Not in this store: {markdown_text(', '.join(unknown[:5]))}")
                else:
                    if wanted:
                        cases.pin(case_id, wanted, me)
                    if drop:
                        cases.unpin(case_id, drop, me)
                    changed("pins", added=wanted, removed=drop)

with st.expander("Map of the pinned entities' places, shipments and seizures"):  # graphbench/viz/world_map.py
    from graphbench.viz.world_map import layers_of_graph, plotly_world

    case_map = layers_of_graph(graph)
    if case_map:
        st.plotly_chart(plotly_world(case_map, height=380), width="stretch", key=f"case_map_{case_id}")
    else:
        st.caption("Nothing pinned here has a place, a shipment route or a seizure.")

st.markdown("**Notes**")
if case.notes:
    st.dataframe(pd.DataFrame([{"on": n.about, "note": n.text, "by": n.author, "at": n.ts} for n in case.notes]),
                 hide_index=True, width="stretch")
else:
    st.caption("No notes yet.")
if edit:
    with st.form(f"note_{case_id}"):
        on = st.selectbox("On", ["the case", *case.pins, "a relationship…"])
        relationship = st.text_input("Relationship (TYPE start end), when on a relationship",
                                     placeholder="POSTED Account:instagram:x Listing:instagram:1")
        note = st.text_area("Note")
        if st.form_submit_button("Add note"):
            try:
                if on == "a relationship…":
                    parts = relationship.split()
                    if len(parts) != 3:
                        raise GraphbenchError("a relationship is written TYPE start end, e.g. POSTED Account:… Listing:…")
                    target = rel_target(*parts)
                else:
                    target = "" if on == "the case" else on
                cases.note(case_id, target, note, me)
            except GraphbenchError as exc:
                st.error(markdown_text(exc))
            else:
                changed("note", on=target)

st.markdown("**Report**")
if allowed("export"):
    fmt = st.radio("Format", ["html", "pdf", "md"], horizontal=True, key=f"case_fmt_{case_id}")
    if st.button("Build the case report"):
        from graphbench.cases.report import run_case_report

        with st.spinner("Building the report…"):
            summary, data = run_case_report(analysis(), case, fmt)
        audit_event("export", {"what": "case report", "case_id": case_id, "format": fmt}, data)
        st.session_state[f"case_report_{case_id}"] = (fmt, data)
    if f"case_report_{case_id}" in st.session_state:
        fmt, data = st.session_state[f"case_report_{case_id}"]
        st.download_button("Download the case report", data, file_name=f"{case_id}.{fmt}",
                           mime={"html": "text/html", "pdf": "application/pdf", "md": "text/markdown"}[fmt])
else:
    st.caption("Exporting a case report needs the analyst or admin role.")

if allowed("delete") and st.button("Delete this case", help="admins only; the audit log keeps that it existed"):
    cases.delete(case_id)
    audit_event("case", {"change": "delete", "case_id": case_id, "name": case.name})
    st.session_state.pop("case_open", None)
    st.rerun()
