"""The app's sign-in gate (issue 17.1): OpenID Connect through Streamlit's ``st.login`` and local accounts.

``app.py`` calls :func:`gate` before any page runs. With neither way configured, the app serves only
loopback (``server.address``) and everyone is the machine's operator. Otherwise nobody sees a page
before signing in; each run re-reads the account, so a removed user or a changed role takes effect at
the user's next click. Every sign-in, refused ones too, and every sign-out is audited."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from graphbench import audit, settings
from graphbench.auth import accounts
from graphbench.auth.signin import check_listen, is_loopback, oidc_configured, sign_in_methods
from graphbench.errors import GraphbenchError
from graphbench.viz.safe_text import markdown_text

FAILED_SIGN_IN_DELAY_S = 1.0  # slows a password guesser in this session; Argon2 makes each guess cost too


def _auth_section() -> dict[str, Any]:
    try:
        return dict(st.secrets.get("auth", {}))
    except Exception:  # noqa: BLE001 - no secrets file, or one Streamlit cannot parse: no OIDC
        return {}


def _oidc_provider(auth: dict[str, Any]) -> str | None:
    """The provider name for ``st.login``: None for the top-level [auth] keys, else the first [auth.NAME]."""
    if oidc_configured({k: v for k, v in auth.items() if not isinstance(v, dict)}):
        return None
    return next(name for name, v in auth.items() if isinstance(v, dict) and oidc_configured(v))


def _oidc_claims() -> dict[str, Any] | None:
    try:
        return dict(st.user) if st.user.is_logged_in else None
    except Exception:  # noqa: BLE001 - st.user without [auth]: nobody signed in through OIDC
        return None


def current_identity() -> dict[str, str]:
    auth = _auth_section()
    methods = sign_in_methods(auth)
    if not methods:
        try:
            check_listen(st.get_option("server.address"), auth)
        except GraphbenchError as exc:
            st.error(markdown_text(exc))
            st.stop()
        found = {"name": settings.user_name(), "role": settings.local_role(), "method": "operator"}
    else:
        found = _signed_in(st.session_state.get("identity"), methods)
    audit.acting_as(found["name"] if found else None, found["role"] if found else None)
    if not found:
        st.session_state.pop("identity", None)
        _sign_in_page(auth, methods)
        st.stop()
    st.session_state["identity"] = found
    return found


def _signed_in(held: dict[str, str] | None, methods: list[str]) -> dict[str, str] | None:
    """This session's identity, re-checked against the accounts file now."""
    if held and held.get("method") == "local":
        account = accounts.load_accounts().get(held["name"])
        return {**held, "role": account.role} if account and account.password_hash else None
    claims = _oidc_claims() if "oidc" in methods else None
    if not claims:
        return None
    account = accounts.oidc_account(claims)
    name = str(claims.get("email") or claims.get("sub") or "?")
    if account is None:
        if not st.session_state.get("refused_oidc"):
            audit.record("sign_in", "", {"method": "oidc", "ok": False, "reason": "no account"}, user=name)
            st.session_state["refused_oidc"] = True
        st.error(f"Your identity provider signed you in as {markdown_text(name)}, but no graphbench account has "
                 "that name: ask an admin to add it (`graphbench users add NAME --role viewer --oidc`).")
        if st.button("Sign out"):
            st.logout()
        st.stop()
    if not held:
        audit.record("sign_in", "", {"method": "oidc", "ok": True, "role": account.role}, user=account.name)
    return {"name": account.name, "role": account.role, "method": "oidc"}


def _sign_in_page(auth: dict[str, Any], methods: list[str]) -> None:
    st.title("Sign in")
    st.caption("graphbench holds TLP:AMBER intelligence: sign in to see it.")
    if "oidc" in methods:
        provider = _oidc_provider(auth)
        if st.button("Sign in with your organisation", type="primary", key="oidc_login"):
            st.login(provider) if provider else st.login()
    if "local" in methods:
        with st.form("local_sign_in"):
            name = st.text_input("User name")
            password = st.text_input("Password", type="password")
            submitted = st.form_submit_button("Sign in")
        if submitted:
            account = accounts.authenticate(name, password)
            if account is None:
                audit.record("sign_in", "", {"method": "local", "ok": False}, user=name.strip().lower() or "?")
                time.sleep(FAILED_SIGN_IN_DELAY_S)
                st.error("Wrong user name or password.")
                return
            audit.record("sign_in", "", {"method": "local", "ok": True, "role": account.role}, user=account.name)
            st.session_state["identity"] = {"name": account.name, "role": account.role, "method": "local"}
            st.rerun()


def sidebar_user(found: dict[str, str]) -> None:
    """Who is signed in, their role, and the way out."""
    with st.sidebar:
        st.caption(f"signed in as **{markdown_text(found['name'])}** · {found['role']}"
                   if found["method"] != "operator" else f"{markdown_text(found['name'])} · {found['role']} "
                   "(this machine only)")
        if found["method"] != "operator" and st.button("Sign out", key="sign_out"):
            audit.record("sign_out", "", {"method": found["method"]})
            st.session_state.pop("identity", None)
            if found["method"] == "oidc":
                st.logout()
            st.rerun()


def gate() -> dict[str, str]:
    """For app.py: the signed-in identity (or the sign-in page and a stop), shown in the sidebar."""
    found = current_identity()
    sidebar_user(found)
    return found


__all__ = ["current_identity", "gate", "is_loopback", "sidebar_user"]
