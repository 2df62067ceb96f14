"""The append-only audit log: who loaded, queried, uploaded, exported or reported what, when, and a
hash of what came out. One JSON object per line; the file is only ever opened for appending, and each
entry is one ``write`` of one line, so concurrent writers never interleave.

What the app adds (issue 19.8): every console statement and named query (text, parameters, row count,
refused or not and why, cut or not) and every uploaded file (name, size, SHA-256), refused ones too.

Per user (issue 17.3): each entry names the user and role acting. The app sets them once per script run
(:func:`acting_as`, a context variable, so two sessions served at once never swap names); the CLI and
scripts fall back to ``GRAPHBENCH_USER`` or the OS user. Searches, nodes opened, traces, queries, exports,
verdicts, loads, case and alert changes and every sign-in (refused ones too) are recorded.
:func:`read_log` gives the entries back, newest first, for the admins' Audit page."""

from __future__ import annotations

import hashlib
import json
import os
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphbench import settings
from graphbench.settings import redact

__all__ = ["acting_as", "read_log", "record", "record_query", "record_upload", "redact", "sha256"]

# (user, role) acting in this thread / context; None outside the app (the CLI: the OS user)
_ACTING: ContextVar[tuple[str, str] | None] = ContextVar("graphbench_acting_user", default=None)


def acting_as(user: str | None, role: str | None) -> None:
    """Name the signed-in user (and role) for every entry recorded in this context from now on."""
    _ACTING.set((user, role or "") if user else None)


def record(action: str, store_url: str, params: dict[str, Any] | None = None,
           output: bytes | str | None = None, user: str | None = None) -> dict[str, Any]:
    acting = _ACTING.get()
    entry = {
        "ts": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "user": user or (acting[0] if acting else settings.user_name()),
        "role": acting[1] if acting and not user else None,
        "action": action,
        "store": redact(store_url),
        "params": {k: _scrubbed(v) for k, v in (params or {}).items() if "password" not in k.lower()},
        "output_sha256": sha256(output),
    }
    path = settings.audit_log()
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line)  # one write of one line: concurrent writers do not interleave
    finally:
        os.close(descriptor)
    return entry


def record_query(action: str, store_url: str, query: str, params: dict[str, Any] | None,
                 rows: list[dict[str, Any]] | None, refused: str | None = None,
                 cut: str | None = None) -> dict[str, Any]:
    """A console statement (``action="console"``) or a named query (``"query"``, ``query`` its name):
    what was asked, with which parameters, how many rows came back, and whether it was refused or cut."""
    key = "cypher" if action == "console" else "name"
    output = None if rows is None else json.dumps(rows, default=str)
    return record(action, store_url, {key: query, "params": dict(params or {}),
                                      "rows": None if rows is None else len(rows),
                                      "refused": refused is not None, "reason": refused, "cut": cut}, output)


def record_upload(store_url: str, name: str, data: bytes, refused: str | None = None) -> dict[str, Any]:
    """One uploaded file, as received: its name, size and SHA-256 (the output hash is the same digest)."""
    return record("upload", store_url, {"file": name, "bytes": len(data), "sha256": sha256(data),
                                        "refused": refused is not None, "reason": refused}, data)


def read_log(path: Path | None = None, user: str | None = None, action: str | None = None,
             limit: int = 1000) -> list[dict[str, Any]]:
    """The newest ``limit`` entries (filtered by user and action when given), newest first. A line that
    is not JSON (a torn write by another tool) is skipped rather than hiding the rest."""
    path = path or settings.audit_log()
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    entries: list[dict[str, Any]] = []
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if (user is None or entry.get("user") == user) and (action is None or entry.get("action") == action):
            entries.append(entry)
            if len(entries) >= limit:
                break
    return entries


def sha256(output: bytes | str | None) -> str | None:
    if output is None:
        return None
    data = output.encode("utf-8") if isinstance(output, str) else output
    return hashlib.sha256(data).hexdigest()


def _scrubbed(value: Any) -> Any:
    """A parameter as logged: a string never carries the configured NEO4J_PASSWORD."""
    if isinstance(value, str):
        return settings.scrub(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items() if "password" not in str(k).lower()}
    return value
