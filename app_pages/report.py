"""Report: the cyber-alert report for the store, a community, selected accounts or a time window."""

from __future__ import annotations

import streamlit as st

from app_pages.common import analysis, get_store
from graphbench import normalize
from graphbench.viz.safe_text import markdown_text

st.title("Cyber-alert report")
store = get_store()
with st.form("report"):
    cols = st.columns(3)
    community = cols[0].text_input("Community (number, optional)",
                                   help="as numbered on the Communities page with the default engine and seed 0")
    since = cols[1].text_input("Since (ISO date, optional)")
    until = cols[2].text_input("Until (ISO date, optional)")
    accounts = st.text_area("Accounts (one id per line, optional)")
    title = st.text_input("Title", "Cyber-alert: online wildlife trafficking network")
    marking = st.selectbox("Handling marking", ["TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED", "TLP:GREEN", "TLP:CLEAR"])
    fmt = st.radio("Format", ["html", "pdf", "md"], horizontal=True)
    submitted = st.form_submit_button("Generate", type="primary")

if submitted:
    from graphbench.report import ReportScope, run_report

    try:
        scope = ReportScope(accounts=[a.strip() for a in accounts.splitlines() if a.strip()] or None,
                            community=int(community) if community.strip() else None,
                            since=normalize.timestamp(since) if since else None,
                            until=normalize.timestamp(until) if until else None, title=title, marking=marking)
    except ValueError as exc:
        st.error(f"Check the scope: {markdown_text(exc)}")
        st.stop()
    with st.spinner("Building the report…"):
        summary, data = run_report(analysis(), scope, fmt, None)  # the scores every other page shows
    from graphbench import audit

    audit.record("report", store.url, {"format": fmt, "scope": scope.describe()}, data)
    st.session_state["report_result"] = (fmt, data, summary)

if "report_result" in st.session_state:
    fmt, data, summary = st.session_state["report_result"]
    mime = {"html": "text/html", "pdf": "application/pdf", "md": "text/markdown"}[fmt]
    st.download_button("Download", data, file_name=f"graphbench-alert.{fmt}", mime=mime, type="primary")
    st.caption(f"{markdown_text(summary['scope'])}: {summary['accounts']:,} accounts, {summary['flagged_accounts']:,} flagged, "
               f"{summary['takedown_listings']:,} listings to take down, {summary['evidence_items']:,} evidence items")
    if fmt == "html":
        st.iframe(data.decode("utf-8"), height=900)
    elif fmt == "md":
        st.markdown(data.decode("utf-8")[:60_000])
