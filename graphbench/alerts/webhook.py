"""The optional webhook: each new alert POSTed as JSON to ``GRAPHBENCH_ALERT_WEBHOOK``.

Alerts are TLP:AMBER intelligence, so the URL must be on the user's own network: every address its host
resolves to must be loopback, private (RFC 1918, fc00::/7), or link-local; a public address is refused with
one sentence and nothing is sent. For ``http://`` the request goes to the address that was checked (so a
DNS answer cannot change between the check and the connection); ``https://`` connects by name for the
certificate check, so there a DNS change after the check is not caught. Failures never stop a load: they
are returned (and audited) for the caller to show."""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

from graphbench.errors import GraphbenchError

TIMEOUT_S = 5.0


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, checked address, port, path) of a webhook on the user's own network, or one sentence."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GraphbenchError(f"GRAPHBENCH_ALERT_WEBHOOK must be an http:// or https:// URL, not {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise GraphbenchError(f"the alert webhook's host {parts.hostname} does not resolve ({exc})") from None
    addresses = sorted({str(info[4][0]) for info in infos})
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not (ip.is_loopback or ip.is_private or ip.is_link_local) or ip.is_multicast or ip.is_unspecified:
            raise GraphbenchError(f"the alert webhook {parts.hostname} resolves to {address}, outside your own "
                                  "network: alerts are only sent to loopback or private addresses")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, addresses[0], port, path


def post(url: str, alert: dict[str, Any]) -> str | None:
    """Send one alert; None when the receiver answered 2xx, else why not (one sentence)."""
    try:
        scheme, address, port, path = check_url(url)
    except GraphbenchError as exc:
        return str(exc)
    host = urlsplit(url).hostname or address
    body = json.dumps(alert, ensure_ascii=False, default=str).encode("utf-8")
    connection: http.client.HTTPConnection = (
        http.client.HTTPSConnection(host, port, timeout=TIMEOUT_S) if scheme == "https"
        else http.client.HTTPConnection(address, port, timeout=TIMEOUT_S))
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json", "Host": host,
                                                "User-Agent": "graphbench-alerts"})
        status = connection.getresponse().status
    except OSError as exc:
        return f"the alert webhook at {host}:{port} did not answer ({type(exc).__name__})"
    finally:
        connection.close()
    return None if 200 <= status < 300 else f"the alert webhook answered HTTP {status}"
