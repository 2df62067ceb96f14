"""Local accounts, `graphbench users`, the listening rule and the per-user audit (issue 17.1, 17.3)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from graphbench import audit
from graphbench.auth import accounts
from graphbench.auth.signin import check_listen, is_loopback, oidc_configured
from graphbench.errors import GraphbenchError

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"


def cli(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """``graphbench ARGS`` in this process (a subprocess per call would cost a second and a half each)."""
    import io

    from graphbench.cli.dispatch import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_local_accounts_hash_salted_and_verify(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    accounts.add_account("Alice", "analyst", PASSWORD, path=users)
    accounts.add_account("carol", "admin", PASSWORD, path=users)  # the same password…
    accounts.add_account("bob@agency.example", "viewer", None, path=users)
    stored = json.loads(users.read_text())["accounts"]
    hashes = {a["name"]: a["password_hash"] for a in stored}
    assert hashes["alice"].startswith("$argon2id$") and hashes["alice"] != hashes["carol"]  # …salted apart
    assert PASSWORD not in users.read_text() and hashes["bob@agency.example"] is None
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert accounts.authenticate("ALICE ", PASSWORD, path=users).role == "analyst"
    assert accounts.authenticate("alice", PASSWORD + "!", path=users) is None
    assert accounts.authenticate("nobody", PASSWORD, path=users) is None
    assert accounts.authenticate("bob@agency.example", "", path=users) is None  # an OIDC account has no password
    with pytest.raises(GraphbenchError, match="at least 10"):
        accounts.add_account("dave", "viewer", "short", path=users)
    with pytest.raises(GraphbenchError, match="unknown role"):
        accounts.add_account("dave", "root", PASSWORD, path=users)
    assert accounts.remove_account("alice", path=users) and not accounts.remove_account("alice", path=users)
    assert accounts.authenticate("alice", PASSWORD, path=users) is None


def test_oidc_identities_map_to_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "users.json"
    accounts.add_account("bob@agency.example", "viewer", None, path=users)
    accounts.add_account("local.only", "admin", PASSWORD, path=users)
    assert accounts.oidc_account({"sub": "x1", "email": "Bob@Agency.example"}, path=users).role == "viewer"
    assert accounts.oidc_account({"sub": "x1", "email": "bob@agency.example", "email_verified": False},
                                 path=users) is None  # an unverified e-mail is not an identity
    assert accounts.oidc_account({"sub": "local.only"}, path=users) is None  # a local name is not an OIDC identity
    assert accounts.oidc_account({"sub": "stranger"}, path=users) is None
    monkeypatch.setenv("GRAPHBENCH_OIDC_DEFAULT_ROLE", "viewer")
    assert accounts.oidc_account({"sub": "stranger"}, path=users).role == "viewer"


def test_users_command_adds_lists_removes_without_showing_hashes(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = cli(capsys, monkeypatch, "users", "add", "alice", "--role", "analyst", "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert code == 0, err
    assert cli(capsys, monkeypatch, "users", "add", "bob@agency.example", "--role", "viewer", "--oidc")[0] == 0
    code, out, _ = cli(capsys, monkeypatch, "users", "list", "--json")
    assert [(u["name"], u["role"], u["sign_in"]) for u in json.loads(out)["users"]] == [
        ("alice", "analyst", "local"), ("bob@agency.example", "viewer", "oidc")]
    assert set(json.loads(out)["users"][0]) == {"name", "role", "sign_in", "added"} and "argon2" not in out
    code, _, err = cli(capsys, monkeypatch, "users", "remove", "nobody")
    assert code == 2 and err.strip() == "graphbench: error: there is no account 'nobody'"
    assert cli(capsys, monkeypatch, "users", "remove", "alice")[0] == 0
    log = Path(os.environ["GRAPHBENCH_AUDIT_LOG"])
    logged = [json.loads(line)["params"] for line in log.read_text().splitlines()]
    assert [(p["change"], p["name"]) for p in logged] == [("add", "alice"), ("add", "bob@agency.example"),
                                                          ("remove", "nobody"), ("remove", "alice")]
    assert PASSWORD not in log.read_text()


def test_app_refuses_to_listen_beyond_loopback_without_sign_in(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.streamlit/secrets.toml of the machine's
    monkeypatch.chdir(tmp_path)  # nor a ./.streamlit/secrets.toml
    code, _, err = cli(capsys, monkeypatch, "--store", "memory:", "app", "--address", "0.0.0.0")
    assert code == 2
    assert err.startswith("graphbench: error: graphbench app refuses to listen on 0.0.0.0 without sign-in")
    assert err.count("\n") == 1 and "Traceback" not in err
    for address in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert is_loopback(address)
        check_listen(address, None)
    for address in ("0.0.0.0", "", "192.168.1.5", "::", "graphbench.agency.example"):
        assert not is_loopback(address)
        with pytest.raises(GraphbenchError, match="refuses to listen"):
            check_listen(address, None)
    oidc = {"client_id": "c", "client_secret": "s", "server_metadata_url": "https://idp/.well-known/openid-configuration"}
    assert oidc_configured(oidc) and oidc_configured({"agency": oidc}) and not oidc_configured({"client_id": "c"})
    check_listen("0.0.0.0", oidc)  # OIDC configured: allowed
    accounts.add_account("alice", "admin", PASSWORD)  # the tests' GRAPHBENCH_USERS (conftest)
    check_listen("0.0.0.0", None)  # a local account: allowed


def test_audit_names_the_acting_user_per_context() -> None:
    import contextvars

    def as_user(name: str, role: str) -> None:
        audit.acting_as(name, role)
        audit.record("search", "memory:", {"text": f"by {name}"})

    contextvars.copy_context().run(as_user, "alice", "analyst")
    contextvars.copy_context().run(as_user, "bob@agency.example", "viewer")
    audit.record("load", "memory:", {"directory": "x"})  # outside the app: the OS / GRAPHBENCH_USER
    entries = audit.read_log()
    assert [(e["user"], e["role"], e["action"]) for e in entries] == [
        (os.environ.get("GRAPHBENCH_USER") or os.environ.get("USER") or "unknown", None, "load"),
        ("bob@agency.example", "viewer", "search"), ("alice", "analyst", "search")]  # newest first
    assert [e["params"]["text"] for e in audit.read_log(user="alice")] == ["by alice"]
    assert audit.read_log(action="search", limit=1)[0]["user"] == "bob@agency.example"
