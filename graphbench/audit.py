"""The append-only audit log: who loaded, queried, exported or reported what, when, and a hash of
what came out. One JSON object per line; the file is only ever opened for appending."""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime
from typing import Any

from graphbench import settings


def redact(url: str) -> str:
    """A store URL without any user:password@ part."""
    return re.sub(r"//[^/@]*@", "//", url)


def record(action: str, store_url: str, params: dict[str, Any] | None = None,
           output: bytes | str | None = None) -> dict[str, Any]:
    entry = {
        "ts": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "user": settings.user_name(),
        "action": action,
        "store": redact(store_url),
        "params": {k: v for k, v in (params or {}).items() if "password" not in k.lower()},
        "output_sha256": _digest(output),
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


def _digest(output: bytes | str | None) -> str | None:
    if output is None:
        return None
    data = output.encode("utf-8") if isinstance(output, str) else output
    return hashlib.sha256(data).hexdigest()
