"""Report: the cyber-alert report for the store, a community, selected accounts or a time window."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import streamlit as st

from app_pages.common import analysis, get_store, require
from graphbench import normalize
from graphbench.viz.safe_text import markdown_text

st.title("Cyber-alert report")
require("export")  # a report is an export: analysts and admins (issue 17)
store = get_store()
state = st.session_state
# "report on this" on the Communities page hands over its accounts and a title
handed = state.pop("report_handover", None)
if handed:
    state["report_accounts"] = "\n".join(handed["accounts"])
    state["report_title"] = handed["title"]
    state["report_community"] = ""
state.setdefault("report_title", "Cyber-alert: online wildlife trafficking network")

with st.form("report"):
    cols = st.columns(3)
    community = cols[0].text_input("Community (number, optional)", key="report_community",
                                   help="as numbered on the Communities page with the default engine and seed 0; "
                                        "“report on this” there fills in the accounts instead")
    since = cols[1].text_input("Since (ISO date, optional)", placeholder="2024-03-01")
    until = cols[2].text_input("Until (ISO date, optional)", placeholder="2024-06-30")
    problems = {name: column.empty() for name, column in zip(("community", "since", "until"), cols, strict=True)}
    accounts = st.text_area("Accounts (one id per line, optional)", key="report_accounts",
                            placeholder="Account:instagram:reptile.house")
    problems["accounts"] = st.empty()
    title = st.text_input("Title", key="report_title")
    marking = st.selectbox("Handling marking", ["TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED", "TLP:GREEN", "TLP:CLEAR"])
    fmt = st.radio("Format", ["html", "pdf", "md"], horizontal=True)
    submitted = st.form_submit_button("Generate", type="primary")


def community_number(text: str) -> int:
    """``5``, ``#5`` or ``community 5``; anything else is one sentence."""
    match = re.fullmatch(r"(?:community\s*)?#?\s*(\d{1,9})", text.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"{text.strip()!r} is not a community number: write the number the Communities page "
                         "shows (such as 5), or use “report on this” there.")
    return int(match.group(1))


def date_or_none(text: str, field: str) -> str | None:
    if not text.strip():
        return None
    try:
        return normalize.timestamp(text)
    except ValueError:
        raise ValueError(f"{field}: {text.strip()!r} is not a date; write one such as 2024-03-05 "
                         "(year, month and day)") from None


def scope_slug(scope: object) -> str:
    """What a download is named after: the community, the accounts or the window, else the whole store."""
    parts = []
    if getattr(scope, "community", None) is not None:
        parts.append(f"community-{scope.community}")
    if getattr(scope, "accounts", None):
        parts.append(f"{len(scope.accounts)}-accounts")
    if getattr(scope, "since", None) or getattr(scope, "until", None):
        parts.append(f"{(scope.since or 'start')[:10]}-to-{(scope.until or 'now')[:10]}")
    return "-".join(parts) or "whole-store"


if submitted:
    from graphbench.report import ReportScope, run_report

    values: dict[str, object] = {}
    checks = {"community": lambda: community_number(community) if community.strip() else None,
              "since": lambda: date_or_none(since, "Since"), "until": lambda: date_or_none(until, "Until")}
    for name, check in checks.items():
        try:
            values[name] = check()
        except ValueError as exc:
            problems[name].error(markdown_text(exc))  # one sentence next to its field
    chosen = [a.strip() for a in accounts.splitlines() if a.strip()]
    unknown = [a for a in chosen if store.node(a) is None]
    if unknown:
        problems["accounts"].error(f"{markdown_text(unknown[0])} is not in the store"
                                   + (f" (nor {len(unknown) - 1} more)" if len(unknown) > 1 else "")
                                   + "; ids look like Account:platform:handle.")
    if len(values) < len(checks) or unknown:
        st.stop()
    if values["since"] and values["until"] and values["since"] > values["until"]:
        problems["until"].error("Until is before Since.")
        st.stop()
    scope = ReportScope(accounts=chosen or None, community=values["community"], since=values["since"],
                        until=values["until"], title=title, marking=marking)
    with st.spinner("Building the report…"):
        summary, data = run_report(analysis(), scope, fmt, None)  # the scores every other page shows
    from graphbench import audit

    audit.record("report", store.url, {"format": fmt, "scope": scope.describe()}, data)
    state["report_result"] = (fmt, data, summary, f"graphbench-alert-{scope_slug(scope)}-{datetime.now(UTC):%Y-%m-%d}")

if "report_result" in state:
    fmt, data, summary, stem = state["report_result"]
    mime = {"html": "text/html", "pdf": "application/pdf", "md": "text/markdown"}[fmt]
    st.download_button("Download", data, file_name=f"{stem}.{fmt}", mime=mime, type="primary")
    st.caption(f"{markdown_text(summary['scope'])}: {summary['accounts']:,} accounts, {summary['flagged_accounts']:,} flagged, "
               f"{summary['takedown_listings']:,} listings to take down, {summary['evidence_items']:,} evidence items")
    if fmt == "html":
        st.iframe(data.decode("utf-8"), height=900)
    elif fmt == "md":
        st.markdown(data.decode("utf-8")[:60_000])
