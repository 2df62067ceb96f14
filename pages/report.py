"""Report: the cyber-alert report for the store, a community, accounts or a time window."""

from __future__ import annotations

import streamlit as st

from pages.common import get_store

st.title("Cyber-alert report")
store = get_store()
try:
    from graphbench.report import run_report  # noqa: F401
except ImportError:
    st.info("The report generator is not installed in this build.")
    st.stop()
