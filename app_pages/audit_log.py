"""Audit log (admins): who searched, opened, traced, queried, exported, judged, loaded and signed in —
newest first, from the append-only log (graphbench/audit.py)."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from app_pages.common import require
from graphbench import audit

st.title("Audit log")
require("audit_view")
entries = audit.read_log(limit=5000)
users = sorted({str(e.get("user")) for e in entries})
actions = sorted({str(e.get("action")) for e in entries})
cols = st.columns(2)
user = cols[0].selectbox("User", [None, *users], format_func=lambda u: "everyone" if u is None else u)
action = cols[1].selectbox("Action", [None, *actions], format_func=lambda a: "every action" if a is None else a)
shown = [e for e in entries if (user is None or e.get("user") == user) and (action is None or e.get("action") == action)]
st.caption(f"{len(shown):,} entries (the newest {len(entries):,} read)")
st.dataframe(pd.DataFrame([{"time": e.get("ts"), "user": e.get("user"), "role": e.get("role") or "",
                            "action": e.get("action"), "parameters": json.dumps(e.get("params"), ensure_ascii=False),
                            "store": e.get("store")} for e in shown]), hide_index=True, width="stretch",
             height=min(640, 40 + 35 * max(len(shown), 1)))
