"""graphbench workbench: wires the pages and the store selector; the logic lives in graphbench."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="graphbench", page_icon=":material/hub:", layout="wide")

from pages.common import sidebar_store  # noqa: E402  (after set_page_config)

sidebar_store()
navigation = st.navigation({
    "Data": [st.Page("pages/data.py", title="Data", icon=":material/database:", default=True)],
    "Analysis": [
        st.Page("pages/explore.py", title="Explore", icon=":material/travel_explore:"),
        st.Page("pages/communities.py", title="Communities", icon=":material/hub:"),
        st.Page("pages/links.py", title="Links", icon=":material/link:"),
        st.Page("pages/money.py", title="Money", icon=":material/payments:"),
        st.Page("pages/trends.py", title="Trends & routes", icon=":material/trending_up:"),
    ],
    "Output": [
        st.Page("pages/report.py", title="Report", icon=":material/description:"),
        st.Page("pages/query.py", title="Query", icon=":material/terminal:"),
    ],
})
navigation.run()
