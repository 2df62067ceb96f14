"""graphbench workbench: wires the pages and the store selector; the logic lives in graphbench."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="graphbench", layout="wide")  # no page_icon: a material favicon is fetched from the internet

from app_pages.common import allowed, sidebar_store  # noqa: E402  (after set_page_config)
from app_pages.signin import gate  # noqa: E402

gate()  # nobody sees a page before signing in, when sign-in is configured (issue 17)
sidebar_store()
navigation = st.navigation({
    "Data": [st.Page("app_pages/data.py", title="Data", default=True)],
    "Analysis": [
        st.Page("app_pages/explore.py", title="Explore"),
        st.Page("app_pages/communities.py", title="Communities"),
        st.Page("app_pages/links.py", title="Links"),
        st.Page("app_pages/money.py", title="Money"),
        st.Page("app_pages/trends.py", title="Trends & routes"),
    ],
    "Output": [
        st.Page("app_pages/report.py", title="Report"),
        st.Page("app_pages/query.py", title="Query"),
    ],
    "Team": [
        st.Page("app_pages/cases.py", title="Cases"),
        st.Page("app_pages/alerts.py", title="Alerts"),
        *([st.Page("app_pages/audit_log.py", title="Audit log")] if allowed("audit_view") else []),
    ],
})
navigation.run()
