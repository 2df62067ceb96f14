"""Settings read from the environment when asked (never at import time)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STORE = "file:./workspace"
DEFAULT_NEO4J_PASSWORD = "graphbench-dev"  # the local development server's; never a production default


def store_url() -> str:
    return os.environ.get("GRAPHBENCH_STORE", DEFAULT_STORE)


def neo4j_user() -> str:
    return os.environ.get("NEO4J_USER", "neo4j")


def neo4j_password() -> str:
    return os.environ.get("NEO4J_PASSWORD", DEFAULT_NEO4J_PASSWORD)


def neo4j_database() -> str | None:
    return os.environ.get("NEO4J_DATABASE") or None


def rejects_dir() -> Path:
    return Path(os.environ.get("GRAPHBENCH_REJECTS", "rejects"))


def audit_log() -> Path:
    return Path(os.environ.get("GRAPHBENCH_AUDIT_LOG", "audit.jsonl"))


def user_name() -> str:
    return os.environ.get("GRAPHBENCH_USER") or os.environ.get("USER") or "unknown"
