"""What every page shares: the open store (cached as a resource), its tables, and small widgets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from graphbench import settings
from graphbench.errors import GraphbenchError, StoreUnavailable
from graphbench.store.base import pushes_down
from graphbench.viz.safe_text import markdown_text


def store_url() -> str:
    """The open store: one of the configured stores (GRAPHBENCH_STORE, GRAPHBENCH_ALLOWED_STORES), never
    anything else a session may hold — the app gives its credentials to no server an analyst types in."""
    allowed = settings.allowed_stores()
    if st.session_state.get("store_url") not in allowed:
        st.session_state["store_url"] = allowed[0]
    return st.session_state["store_url"]


def _apply_secrets() -> None:
    """Neo4j credentials may come from Streamlit secrets ([neo4j] user/password) instead of the environment."""
    try:
        neo4j = st.secrets.get("neo4j", {})
    except Exception:  # noqa: BLE001 - no secrets file
        return
    if neo4j.get("user"):
        os.environ.setdefault("NEO4J_USER", str(neo4j["user"]))
    if neo4j.get("password"):
        os.environ.setdefault("NEO4J_PASSWORD", str(neo4j["password"]))


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Any:
    from graphbench.store import open_store

    if url not in settings.allowed_stores():  # a second guard: only configured stores are ever opened
        raise StoreUnavailable("that store is not one of the configured stores (GRAPHBENCH_STORE, "
                               "GRAPHBENCH_ALLOWED_STORES)")
    return open_store(url)


def get_store() -> Any:
    _apply_secrets()
    try:
        return _open(store_url())
    except GraphbenchError as exc:
        st.error(markdown_text(exc))
        st.stop()


def data_version() -> str:
    """Changes whenever the graph changes (graphbench.analysis.data_version: the store's counts plus this
    session's edits that keep every count), so the Analysis and cached results are rebuilt only then."""
    from graphbench.analysis import data_version as version_of

    return version_of(get_store(), st.session_state.get("data_epoch", 0))


def bump_version() -> None:
    st.session_state["data_epoch"] = st.session_state.get("data_epoch", 0) + 1
    st.cache_data.clear()
    _analysis.clear()


@st.cache_resource(show_spinner=False, max_entries=4)
def _analysis(url: str, version: str) -> Any:
    from graphbench.analysis import Analysis

    return Analysis(store=_open(url), version=version)


def analysis() -> Any:
    """The one :class:`graphbench.analysis.Analysis` of this store and data version, shared by every page
    and session: each artefact (tables, patterns, risk, account graph, …) is computed once."""
    return _analysis(store_url(), data_version())


def tables() -> Mapping[str, pd.DataFrame]:
    """The analysis tables, each read when a page first uses it (see ``analysis()``)."""
    return analysis().tables


def whole_graph_agreed(what: str, reads: str, key: str, ask: bool = True) -> bool:
    """On a Neo4j server a whole-graph Python analysis waits for the analyst's go-ahead, which says
    what it reads: merely opening a page never pulls a big graph. Always yes on the embedded store,
    whose tables are on this machine already. ``ask=False``: only whether it was given (a second
    section under the same go-ahead)."""
    if not pushes_down(get_store()) or st.session_state.get(f"agreed_{key}"):
        return True
    if not ask:
        return False
    st.caption(f"{what} is a whole-graph analysis run here: it reads {reads} from Neo4j once "
               "(cached until the data changes).")
    if st.button(f"Run {what.lower()}", key=f"agree_{key}"):
        st.session_state[f"agreed_{key}"] = True
        st.rerun()
    return False


def account_graph() -> Any:
    current = analysis()
    if current.has("account_graph"):
        return current.account_graph
    with st.spinner("Building the account graph…"):
        return current.account_graph


def sidebar_store() -> None:
    with st.sidebar:
        st.markdown("### graphbench")
        allowed = settings.allowed_stores()
        url = st.selectbox("Store", allowed, index=allowed.index(store_url()), format_func=settings.redact,
                           help="the stores configured in GRAPHBENCH_STORE and GRAPHBENCH_ALLOWED_STORES")
        if url != store_url():
            st.session_state["store_url"] = url
            bump_version()
        store = get_store()
        if pushes_down(store):
            st.caption(f"Neo4j at {markdown_text(settings.redact(store.url))} as {markdown_text(settings.neo4j_user())}")
        else:
            st.caption(f"embedded store · {markdown_text(settings.redact(str(store.url)))}")


def show_graph(graph: Any, community: dict[str, int] | None = None, height: int = 560) -> None:
    from graphbench.viz.network import legend_html, render_pyvis

    if graph.number_of_nodes() == 0:
        st.info("Nothing to draw.")
        return
    st.iframe(render_pyvis(graph, community=community, height=height), height=height + 20)
    st.markdown(legend_html(), unsafe_allow_html=True)


def risk_scores() -> pd.DataFrame:
    current = analysis()
    if current.has("risk"):
        return current.risk
    with st.spinner("Scoring accounts…"):
        return current.risk


# -- who is signed in, and what their role may do (issue 17; the rights are graphbench/auth/permissions.py) --


def identity() -> dict[str, str]:
    """The signed-in user of this session: ``{"name", "role", "method"}``. Without sign-in configured it is
    the machine's operator (GRAPHBENCH_USER / the OS user, role GRAPHBENCH_ROLE, default admin), since the
    app then serves 127.0.0.1 only. With sign-in configured and nobody signed in, the page stops here."""
    from app_pages.signin import current_identity

    return current_identity()


def allowed(action: str) -> bool:
    """Whether this session's role may do ``action`` (graphbench.auth.permissions: the one table)."""
    from graphbench.auth import allowed as role_allows

    return role_allows(identity()["role"], action)


def require(action: str) -> None:
    """Stop the page with one sentence unless this session's role may do ``action``."""
    if not allowed(action):
        from graphbench.auth.permissions import PERMISSIONS

        roles = " or ".join(sorted(PERMISSIONS.get(action, {"admin"})))
        st.warning(f"Your role ({identity()['role']}) may not {action.replace('_', ' ')} here; "
                   f"it needs the {roles} role.")
        st.stop()


def audit_event(action: str, params: dict[str, Any] | None = None, output: bytes | str | None = None,
                once: bool = False) -> None:
    """One audit entry for what this session did, naming its user (audit.acting_as is set per run).
    ``once``: not again while the same action has the same parameters (a page reruns on every click, and a
    search typed once is one search, however often the page redraws it)."""
    from graphbench import audit

    key = f"_audited_{action}"
    if once and st.session_state.get(key) == params:
        return
    st.session_state[key] = params
    audit.record(action, store_url(), params, output)
