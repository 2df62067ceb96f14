"""Whether sign-in is configured, and the rule that an app without it serves only this machine.

Two ways to sign in: OpenID Connect through Streamlit's ``st.login`` (an ``[auth]`` section in the
Streamlit secrets file with ``client_id``, ``client_secret``, ``server_metadata_url``, ``redirect_uri`` and
``cookie_secret``), and local accounts (:mod:`graphbench.auth.accounts`). With neither, the app listens
on a loopback address only. This module reads the TOML itself (it must not import streamlit)."""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from graphbench.auth.accounts import local_accounts_configured
from graphbench.errors import GraphbenchError

OIDC_KEYS = ("client_id", "client_secret", "server_metadata_url")


def default_secrets_files() -> list[Path]:
    """Where Streamlit looks for secrets by default: the user's, then the working folder's."""
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def oidc_configured(auth: Mapping[str, Any] | None) -> bool:
    """Whether an ``[auth]`` section names a provider: its keys at the top, or in one ``[auth.NAME]``."""
    if not auth:
        return False
    if all(auth.get(k) for k in OIDC_KEYS):
        return True
    return any(isinstance(v, Mapping) and all(v.get(k) for k in OIDC_KEYS) for v in auth.values())


def auth_section(files: Iterable[Path]) -> dict[str, Any]:
    """The ``[auth]`` section Streamlit would see (later files override earlier ones, as in Streamlit)."""
    section: dict[str, Any] = {}
    for path in files:
        try:
            section.update(tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {}))
        except FileNotFoundError:
            continue
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise GraphbenchError(f"{path}: the secrets file cannot be read ({exc})") from None
    return section


def sign_in_methods(auth: Mapping[str, Any] | None) -> list[str]:
    return [m for m, on in (("oidc", oidc_configured(auth)), ("local", local_accounts_configured())) if on]


def is_loopback(address: str | None) -> bool:
    """Whether a listening address keeps the app on this machine ('' and 0.0.0.0 mean every interface)."""
    if address in ("localhost",):
        return True
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(address: str | None, auth: Mapping[str, Any] | None) -> None:
    """One sentence, and no server, when the app would serve other machines without sign-in."""
    if not is_loopback(address) and not sign_in_methods(auth):
        raise GraphbenchError(
            f"graphbench app refuses to listen on {address or 'every interface'} without sign-in: configure "
            "OpenID Connect ([auth] in .streamlit/secrets.toml) or add a local account with "
            "`graphbench users add NAME --role ROLE --password-stdin`, or listen on 127.0.0.1")
