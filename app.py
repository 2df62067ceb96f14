"""graphbench workbench: wires the pages and the store selector; the logic lives in graphbench."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="graphbench", layout="wide")  # no page_icon: a material favicon is fetched from the internet

from pages.common import sidebar_store  # noqa: E402  (after set_page_config)

sidebar_store()
navigation = st.navigation({
    "Data": [st.Page("pages/data.py", title="Data", default=True)],
    "Analysis": [
        st.Page("pages/explore.py", title="Explore"),
        st.Page("pages/communities.py", title="Communities"),
        st.Page("pages/links.py", title="Links"),
        st.Page("pages/money.py", title="Money"),
        st.Page("pages/trends.py", title="Trends & routes"),
    ],
    "Output": [
        st.Page("pages/report.py", title="Report"),
        st.Page("pages/query.py", title="Query"),
    ],
})
navigation.run()
