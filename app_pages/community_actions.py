"""The Communities page's table and what an analyst does with one community: open it in Explore, or
write the report on it. Naming and ranking are graphbench.analytics.community_names (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import risk_scores, whole_graph_agreed
from graphbench.analytics.community_names import ranked_communities
from graphbench.viz.safe_text import markdown_text


def ranked(summaries: pd.DataFrame, membership: Mapping[Any, int]) -> pd.DataFrame:
    """Named and riskiest first; on Neo4j the risk scores wait for their go-ahead (then: by size)."""
    scored = whole_graph_agreed("Risk scoring", "every account, listing and transfer", "risk", ask=False)
    table = ranked_communities(summaries, membership, risk_scores() if scored else None)
    if not scored:
        st.caption("Sorted by size: risk scoring (Explore) has not run on this server yet.")
    return table


def community_actions(community: int, name: str, members: list[str], table: pd.DataFrame) -> None:
    """“Open in Explore” (its top member, focused) and “Report on this” (its accounts, handed to the Report page)."""
    row = table[table["community"] == community]
    key_members = str(row["key_members"].iloc[0]) if len(row) and "key_members" in row else ""
    top = next((m for m in key_members.split("; ") if m), members[0] if members else None)
    buttons = st.columns([1, 1, 3])
    if top and buttons[0].button("Open in Explore", key="community_explore"):
        st.session_state["explore_focus"] = top
        st.session_state.pop("explore_focus_input", None)  # its widget then starts from this focus
        st.switch_page("app_pages/explore.py")
    if members and buttons[1].button("Report on this", key="community_report"):
        st.session_state["report_handover"] = {"accounts": sorted(members),
                                               "title": f"Cyber-alert: network of {name}"}
        st.switch_page("app_pages/report.py")
    buttons[2].caption(f"Explore opens on {markdown_text(top) if top else 'its top member'}; the report covers its "
                       f"{len(members)} accounts.")  # a handle is data: never markdown (an image would be fetched)
