"""Roles (issue 17.2): every action tried as each role against the rights the issue lists, written out here
independently of graphbench/auth/permissions.py; and the pages enforce them (AppTest as each role)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graphbench.auth import ACTIONS, ROLES, NotAllowed, allowed, require

ROOT = Path(__file__).resolve().parents[1]

READS = {"read", "search", "open_node", "trace", "query", "case_view", "alert_view"}
ANALYST = READS | {"export", "console", "provenance", "verdict", "case_edit", "watchlist_edit", "alert_triage",
                   "takedown"}
EXPECTED = {"viewer": READS, "analyst": ANALYST,
            "admin": ANALYST | {"load", "users", "delete", "audit_view"}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_as_every_role(role: str, action: str) -> None:
    assert allowed(role, action) is (action in EXPECTED[role])
    if action in EXPECTED[role]:
        require(role, action)
    else:
        with pytest.raises(NotAllowed, match=f"the {role} role may not"):
            require(role, action)


def test_the_table_names_exactly_the_issues_actions_and_fails_closed() -> None:
    assert set(ACTIONS) == EXPECTED["admin"]
    assert not allowed("admin", "no_such_action") and not allowed(None, "read") and not allowed("root", "read")


@pytest.fixture(scope="module")
def app_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    from graphbench.store import open_store
    from loaders.load import load_dir

    folder = tmp_path_factory.mktemp("roles")
    store = open_store(f"file:{folder / 'ws'}")
    load_dir(store, ROOT / "tests" / "fixtures" / "team" / "before", rejects_dir=folder / "rejects")
    store.close()
    return f"file:{folder / 'ws'}"


def signed_in(monkeypatch: pytest.MonkeyPatch, store_url: str, name: str, role: str) -> AppTest:
    from graphbench.auth.accounts import add_account

    monkeypatch.setenv("GRAPHBENCH_STORE", store_url)
    add_account(name, role, "correct horse battery")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]  # nothing else before signing in
    at.text_input[0].input(name)
    at.text_input[1].input("correct horse battery")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"app_pages/{name}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("role", ["viewer", "admin"])  # the two ends; the analyst in the browser test
def test_pages_enforce_the_role(role: str, app_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in(monkeypatch, app_store, f"user-{role}", role)
    sidebar = " ".join(str(c.value) for c in at.sidebar.caption)
    assert f"signed in as **user\\-{role}** · {role}" in sidebar
    load = next(b for b in at.button if b.label == "Load the sample data")
    assert load.disabled is (role != "admin")
    next(t for t in at.text_input if t.label == "Node id").input("Account:instagram:scales.trader").run()
    assert any("Provenance is for the analyst" in str(c.value) for c in at.caption) is (role == "viewer")
    assert bool(at.json) is (role != "viewer")

    query = page(at, "query")
    console_refused = any("analyst and admin roles" in str(c.value) for c in query.caption)
    assert console_refused is (role == "viewer")

    report = page(at, "report")
    assert (any("may not export" in str(w.value) for w in report.warning)) is (role == "viewer")
    assert bool([b for b in report.button if b.label == "Generate"]) is (role != "viewer")

    explore = page(at, "explore")
    explore.text_input[1].input("Account:instagram:scales.trader").run()
    assert any(e.label == "Provenance" for e in explore.expander) is (role != "viewer")

    cases = page(at, "cases")
    assert bool([b for b in cases.button if b.label == "Create"]) is (role != "viewer")
    alerts = page(at, "alerts")
    assert bool([b for b in alerts.button if b.label == "Record the takedown"]) is (role != "viewer")

    if role != "admin":  # the page is not even in the navigation (and refuses by itself too)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            page(at, "audit_log")
    else:
        audit = page(at, "audit_log")
        table = audit.dataframe[0].value
        signed = table[(table["action"] == "sign_in") & (table["user"] == "user-admin")]
        assert len(signed) == 1 and '"ok": true' in signed["parameters"].iloc[0]
