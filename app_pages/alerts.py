"""Alerts: the queue of watchlist matches and reappearances after a takedown (graphbench/alerts), with
status and assignee; the watchlists; takedowns to remember."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import allowed, audit_event, get_store, identity, require
from graphbench.alerts import KINDS, STATUSES, AlertQueue, WatchlistRepository, record_takedown, scan
from graphbench.errors import GraphbenchError
from graphbench.records import records_for
from graphbench.viz.safe_text import markdown_text

st.title("Alerts")
require("alert_view")
store = get_store()
records = records_for(store)
queue = AlertQueue(records)
me = identity()["name"]

status = st.selectbox("Status", [None, *STATUSES], format_func=lambda s: "any" if s is None else s)
alerts = queue.alerts(status)
if alerts:
    st.dataframe(pd.DataFrame([{"alert": a["alert_id"], "status": a["status"], "assignee": a["assignee"] or "",
                                "kind": a["kind"], "raised": a["raised_at"], "what": a["title"]} for a in alerts]),
                 hide_index=True, width="stretch")
    picked = st.selectbox("Alert", [a["alert_id"] for a in alerts],
                          format_func=lambda i: next(f"{i} — {a['title'][:90]}" for a in alerts if a["alert_id"] == i))
    alert = queue.get(picked)
    audit_event("alert_open", {"alert_id": picked}, once=True)
    st.markdown(f"**{markdown_text(alert['title'])}**")
    if alert["listings"]:
        st.caption("Listings: " + " · ".join(markdown_text(x) for x in alert["listings"]))
    st.dataframe(pd.DataFrame([{k: (", ".join(v) if isinstance(v, list) else v) for k, v in e.items()}
                               for e in alert["evidence"]]), hide_index=True, width="stretch")
    if allowed("alert_triage"):
        cols = st.columns(3)
        new_status = cols[0].selectbox("Set status", STATUSES, index=STATUSES.index(alert["status"]),
                                       key=f"alert_status_{picked}")
        assignee = cols[1].text_input("Assignee", alert["assignee"] or "", key=f"alert_assignee_{picked}")
        if cols[2].button("Save"):
            queue.update(picked, me, new_status, assignee)
            audit_event("alert_triage", {"alert_id": picked, "status": new_status, "assignee": assignee or None})
            st.rerun()
else:
    st.info("No alerts." if status else "No alerts yet: they are raised after each load from the watchlists and "
            "the takedowns below.")

st.subheader("Watchlists")
lists = WatchlistRepository(records)
existing = lists.all()
if existing:
    st.dataframe(pd.DataFrame([{"watchlist": w.name, "kind": w.kind, "terms": ", ".join(w.terms),
                                "by": w.created_by, "at": w.created_at} for w in existing]), hide_index=True)
if allowed("watchlist_edit"):
    with st.form("watchlist"):
        cols = st.columns([2, 1])
        name = cols[0].text_input("Watchlist name")
        kind = cols[1].selectbox("Kind", KINDS)
        terms = st.text_area("Terms (one per line)")
        if st.form_submit_button("Save watchlist and match it now"):
            try:
                saved = lists.save(name, kind, terms.splitlines(), me)
            except GraphbenchError as exc:
                st.error(markdown_text(exc))
            else:
                audit_event("watchlist", {"change": "save", "name": saved.name, "kind": saved.kind,
                                          "terms": saved.terms})
                result = scan(store)
                st.session_state["alerts_raised"] = len(result.raised)
                st.rerun()
if "alerts_raised" in st.session_state:
    st.success(f"{st.session_state.pop('alerts_raised')} new alerts")
if existing and allowed("delete"):
    drop = st.selectbox("Delete a watchlist (its alerts stay)", [None, *[w.name for w in existing]])
    if drop and st.button("Delete watchlist"):
        lists.delete(drop)
        audit_event("watchlist", {"change": "delete", "name": drop})
        st.rerun()

st.subheader("Takedowns")
takedowns = queue.takedowns()
if takedowns:
    st.dataframe(pd.DataFrame([{"listing": t["listing"], "by": t["by"], "at": t["at"], "note": t.get("note", ""),
                                "operator": ", ".join(t["accounts"])} for t in takedowns]), hide_index=True)
if allowed("takedown"):
    with st.form("takedown"):
        listing = st.text_input("Listing reported for takedown", placeholder="Listing:ebay:L0001234")
        note = st.text_input("Note (where it was reported, reference)")
        if st.form_submit_button("Record the takedown"):
            try:
                done = record_takedown(store, listing.strip(), me, note)
            except GraphbenchError as exc:
                st.error(markdown_text(exc))
            else:
                audit_event("takedown", {"listing": done["listing"], "note": note})
                st.rerun()
if allowed("alert_triage") and st.button("Scan now", help="a load does this by itself"):
    result = scan(store)
    audit_event("alert_scan", {"raised": len(result.raised)})
    for failure in result.webhook_failures[:3]:
        st.warning(markdown_text(failure))
    st.session_state["alerts_raised"] = len(result.raised)
    st.rerun()
