"""Settings read from the environment when asked (never at import time).

Which stores may be opened, and where the Neo4j credentials may go, is configuration:

- ``GRAPHBENCH_STORE`` (default ``file:./workspace``) and ``GRAPHBENCH_ALLOWED_STORES`` (more store URLs,
  comma-separated) are the only stores the app offers;
- ``NEO4J_USER`` / ``NEO4J_PASSWORD`` are sent only to the host:port of ``NEO4J_URI``, of a Neo4j
  ``GRAPHBENCH_STORE`` or of a Neo4j URL in ``GRAPHBENCH_ALLOWED_STORES``; when none is set, to the local
  development server, ``bolt://127.0.0.1:GRAPHBENCH_NEO4J_PORT`` (7687). Any other server gets no
  credentials from the environment (a URL may carry its own ``user:password@``, which goes to that URL's
  server only).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

from graphbench.errors import StoreUnavailable

DEFAULT_STORE = "file:./workspace"
DEFAULT_NEO4J_PASSWORD = "graphbench-dev"  # the local development server's; never a production default


NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
DEFAULT_NEO4J_PORT = 7687


def store_url() -> str:
    return os.environ.get("GRAPHBENCH_STORE") or DEFAULT_STORE


def allowed_stores() -> list[str]:
    """The stores the app may open: GRAPHBENCH_STORE first, then GRAPHBENCH_ALLOWED_STORES, each once."""
    extra = [u.strip() for u in os.environ.get("GRAPHBENCH_ALLOWED_STORES", "").split(",")]
    return list(dict.fromkeys([store_url(), *(u for u in extra if u)]))


def credential_servers() -> list[str]:
    """``host:port`` of each server the environment's Neo4j credentials may be sent to."""
    urls = [os.environ.get("NEO4J_URI", ""), *allowed_stores()]
    servers = [_server(u) for u in urls if u.lower().startswith(NEO4J_SCHEMES)]
    if not servers:  # nothing configured: the local development server (scripts/neo4j_local.py)
        servers = [_server(f"bolt://127.0.0.1:{os.environ.get('GRAPHBENCH_NEO4J_PORT') or DEFAULT_NEO4J_PORT}")]
    return list(dict.fromkeys(servers))


def neo4j_login(url: str, configured: bool = False) -> tuple[str, str, str]:
    """(URL without credentials, user, password) for opening the Neo4j server at ``url``.

    A ``user:password@`` in the URL is used for that URL's server only. Otherwise NEO4J_USER /
    NEO4J_PASSWORD are given only to a server in :func:`credential_servers` — or to ``url`` when the
    caller vouches that it is the operator's own configuration (``configured``: the CLI's ``--store``);
    for any other server this refuses, before any connection is made."""
    address, userinfo = split_credentials(url)
    if userinfo is not None:
        user, _, password = userinfo.partition(":")
        return address, unquote(user) or neo4j_user(), unquote(password)
    if not configured and _server(address) not in credential_servers():
        raise StoreUnavailable(
            f"graphbench sends NEO4J_USER / NEO4J_PASSWORD only to the configured Neo4j server "
            f"({', '.join(credential_servers())}), not to {redact(address)}: set NEO4J_URI or GRAPHBENCH_STORE "
            "to use another server")
    return address, neo4j_user(), neo4j_password()


def split_credentials(url: str) -> tuple[str, str | None]:
    """(the URL without its ``user:password@``, that userinfo or None). A password may hold any
    character, ``@`` and ``/`` included, so the userinfo ends at the last ``@`` of the URL (a host
    never holds one)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url, None
    userinfo, _, hostpart = rest.rpartition("@")
    return f"{scheme}://{hostpart}", userinfo


def redact(url: str) -> str:
    """A store URL without its ``user:password@`` part, and without the configured NEO4J_PASSWORD
    anywhere in it (so a sentence holding one is safe to print too)."""
    return scrub(split_credentials(url)[0])


def scrub(text: str) -> str:
    """``text`` with the configured NEO4J_PASSWORD (if any) replaced by ``***``."""
    password = os.environ.get("NEO4J_PASSWORD", "")
    if len(password) >= 4:  # a shorter one would blank ordinary words; Neo4j 5 asks for 8 characters
        text = text.replace(password, "***")
    return text


def _server(url: str) -> str:
    """``host:port`` of a Neo4j URL, lower case, localhost as 127.0.0.1, the default port made explicit."""
    hostpart = split_credentials(url)[0].partition("://")[2]
    hostport = re.split(r"[/?#]", hostpart, maxsplit=1)[0].lower()
    if hostport.startswith("["):  # [IPv6]:port
        host, _, port = hostport[1:].partition("]")
        port = port.lstrip(":")
    else:
        host, _, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")
    if host in ("localhost", "::1", "0:0:0:0:0:0:0:1"):
        host = "127.0.0.1"
    return f"{host}:{port or DEFAULT_NEO4J_PORT}"


def neo4j_user() -> str:
    return os.environ.get("NEO4J_USER", "neo4j")


def neo4j_password() -> str:
    return os.environ.get("NEO4J_PASSWORD", DEFAULT_NEO4J_PASSWORD)


def neo4j_database() -> str | None:
    return os.environ.get("NEO4J_DATABASE") or None


def neo4j_retry_seconds() -> float:
    """How long the Neo4j driver retries a transaction that failed transiently (a deadlock, a server
    gone) before the error reaches the caller: ``GRAPHBENCH_NEO4J_RETRY_S``, default 30 (the driver's)."""
    raw = os.environ.get("GRAPHBENCH_NEO4J_RETRY_S", "").strip()
    try:
        seconds = float(raw) if raw else 30.0
    except ValueError:
        raise StoreUnavailable(f"GRAPHBENCH_NEO4J_RETRY_S must be a number of seconds, got {raw!r}") from None
    if not seconds >= 0:
        raise StoreUnavailable(f"GRAPHBENCH_NEO4J_RETRY_S must be 0 or more seconds, got {raw!r}")
    return seconds


def rejects_dir() -> Path:
    return Path(os.environ.get("GRAPHBENCH_REJECTS", "rejects"))


def audit_log() -> Path:
    return Path(os.environ.get("GRAPHBENCH_AUDIT_LOG", "audit.jsonl"))


def user_name() -> str:
    return os.environ.get("GRAPHBENCH_USER") or os.environ.get("USER") or "unknown"


def users_file() -> Path:
    """The accounts file of ``graphbench users`` (graphbench.auth.accounts)."""
    return Path(os.environ.get("GRAPHBENCH_USERS", "users.json"))


def oidc_default_role() -> str | None:
    """The role of an OpenID Connect identity the accounts file does not list; unset: such an identity is refused."""
    return os.environ.get("GRAPHBENCH_OIDC_DEFAULT_ROLE") or None


def local_role() -> str:
    """The role of the machine's own operator when no sign-in is configured (the app then serves 127.0.0.1 only)."""
    return os.environ.get("GRAPHBENCH_ROLE") or "admin"


def photo_ocr() -> bool:
    """Whether a load reads the text of photos (``GRAPHBENCH_PHOTO_OCR=0`` turns it off: OCR is ~95 %
    of the cost of a photo; hashes and EXIF positions are still read)."""
    return os.environ.get("GRAPHBENCH_PHOTO_OCR", "1").strip().lower() not in ("0", "false", "no", "off")
