"""The accounts file: who may sign in, with which role, and (for local accounts) a salted password hash.

One JSON file (``GRAPHBENCH_USERS``, default ``users.json``; mode 0600), managed by
``graphbench users add|remove|list``. An account is either

- *local*: it has an Argon2id ``password_hash`` and signs in with name and password (air-gapped sites), or
- *OpenID Connect*: no password here; the identity provider vouches for the name (the ID token's e-mail,
  else its subject) and this file only says which role that identity has.

Names are compared in lower case. Changes are read-modify-write under an exclusive ``flock`` and land with
an atomic rename, so two admins adding users at once lose neither; a reader never sees half a file.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphbench import settings
from graphbench.auth.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from graphbench.auth.permissions import check_role
from graphbench.errors import GraphbenchError

_NAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,127}$")
# verified against when the name is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = hash_password("graphbench-no-such-account")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str | None = None
    added: str = ""

    @property
    def method(self) -> str:
        return "local" if self.password_hash else "oidc"

    def public(self) -> dict[str, Any]:
        """What ``users list`` shows: never the hash."""
        return {"name": self.name, "role": self.role, "sign_in": self.method, "added": self.added}


def normal_name(name: str) -> str:
    clean = name.strip().lower()
    if not _NAME.match(clean):
        raise GraphbenchError(f"user name {name!r} must be 1-128 characters of letters, digits and . _ @ + -")
    return clean


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """Every account by name; an absent file is no accounts; a damaged one is one sentence."""
    path = path or settings.users_file()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise GraphbenchError(f"{path}: the accounts file cannot be read ({exc})") from None
    rows = document.get("accounts", []) if isinstance(document, dict) else []
    return {str(row["name"]): Account(str(row["name"]), str(row["role"]), row.get("password_hash") or None,
                                      str(row.get("added") or ""))
            for row in rows if isinstance(row, dict) and row.get("name") and row.get("role")}


def add_account(name: str, role: str, password: str | None = None, path: Path | None = None) -> Account:
    """Add or replace an account; ``password`` None makes it an OpenID Connect account."""
    name, role = normal_name(name), check_role(role)
    if password is not None and len(password) < MIN_LENGTH:
        raise GraphbenchError(f"a password needs at least {MIN_LENGTH} characters")
    account = Account(name, role, hash_password(password) if password is not None else None,
                      datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    with _editing(path) as accounts:
        accounts[name] = account
    return account


def remove_account(name: str, path: Path | None = None) -> bool:
    name = normal_name(name)
    with _editing(path) as accounts:
        return accounts.pop(name, None) is not None


def authenticate(name: str, password: str, path: Path | None = None) -> Account | None:
    """The local account if ``name`` and ``password`` match, else None (an OIDC account never matches)."""
    try:
        account = load_accounts(path).get(normal_name(name))
    except GraphbenchError:
        account = None
    stored = account.password_hash if account and account.password_hash else None
    if not verify_password(stored or _DUMMY_HASH, password) or stored is None or account is None:
        return None
    if needs_rehash(stored):  # the library's cost went up: store the stronger hash now that we know the password
        with _editing(path) as accounts:
            accounts[account.name] = Account(account.name, account.role, hash_password(password), account.added)
    return account


def oidc_account(claims: Mapping[str, Any], path: Path | None = None) -> Account | None:
    """The account of an identity the provider vouched for: matched on its ``email`` (only when the
    provider marks it verified or says nothing), else its ``sub``. ``GRAPHBENCH_OIDC_DEFAULT_ROLE`` gives
    unknown identities a role; unset, they are refused."""
    accounts = load_accounts(path)
    keys = []
    if claims.get("email") and claims.get("email_verified", True) is not False:
        keys.append(str(claims["email"]).lower())
    if claims.get("sub"):
        keys.append(str(claims["sub"]).lower())
    for key in keys:
        account = accounts.get(key)
        if account and account.password_hash is None:  # a local account's name is not an OIDC identity
            return account
    default = settings.oidc_default_role()
    return Account(keys[0], check_role(default)) if default and keys else None


def local_accounts_configured(path: Path | None = None) -> bool:
    return any(a.password_hash for a in load_accounts(path).values())


@contextmanager
def _editing(path: Path | None) -> Iterator[dict[str, Account]]:
    path = path or settings.users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        accounts = load_accounts(path)
        yield accounts
        text = json.dumps({"version": 1, "accounts": [asdict(a) for a in sorted(accounts.values(),
                                                                              key=lambda a: a.name)]}, indent=1)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(temporary, path)
