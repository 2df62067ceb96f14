"""Issue 19.2: the Neo4j password goes only to the server it was configured for, and is never printed.

The attacker runs a listener that speaks just enough Bolt to be sent a login (handshake, then SUCCESS to
every message); typing its address into the app's Store box used to hand it NEO4J_PASSWORD in plain text.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graphbench import settings
from graphbench.errors import StoreUnavailable
from graphbench.store import open_store

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Tlp-Amber/s3cr@t:#%20 x"  # every character redact() used to trip on
SUCCESS = b"\x00\x03\xb1\x70\xa0\x00\x00"  # one chunk: SUCCESS {} then the end marker


class FakeBolt:
    """A listener on 127.0.0.1 that accepts Bolt connections for at most ``seconds`` and keeps every byte."""

    def __init__(self, seconds: float = 20.0) -> None:
        self.received = bytearray()
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._deadline = time.monotonic() + seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(0.5)
                try:
                    self._talk(conn)
                except OSError:
                    pass
        self._sock.close()

    def _talk(self, conn: socket.socket) -> None:
        handshake = conn.recv(20)
        self.received += handshake
        if len(handshake) < 20:
            return
        conn.sendall(b"\x00\x00\x04\x05")  # "let us speak Bolt 5.4": the driver then sends HELLO and LOGON
        for _ in range(20):  # bounded: answer SUCCESS to whatever comes, keep what comes
            try:
                data = conn.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            self.received += data
            conn.sendall(SUCCESS * max(1, data.count(b"\x00\x00")))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def fake_bolt() -> Iterator[FakeBolt]:
    listener = FakeBolt()
    yield listener
    listener.stop()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A configured deployment: an embedded store, the local Neo4j for credentials, a secret password."""
    for name in ("NEO4J_URI", "GRAPHBENCH_ALLOWED_STORES", "GRAPHBENCH_NEO4J_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", PASSWORD)
    monkeypatch.setenv("GRAPHBENCH_STORE", f"file:{tmp_path / 'ws'}")
    return tmp_path


def _leaked(received: bytes) -> bool:
    """Whether the password, or a good part of it, reached the listener."""
    return PASSWORD.encode() in received or b"s3cr@t" in received


def test_fake_bolt_does_receive_a_login(fake_bolt: FakeBolt, env: Path) -> None:
    # the probe can fail: a driver told to log in there gives the listener the password in plain text
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(f"bolt://127.0.0.1:{fake_bolt.port}", auth=("neo4j", PASSWORD),
                                  connection_timeout=3, max_transaction_retry_time=0)
    try:
        driver.verify_connectivity()
    except Exception:  # noqa: BLE001, S110 - the fake cannot answer a real query; the login is what counts
        pass
    finally:
        driver.close()
    assert _leaked(bytes(fake_bolt.received))


def test_open_store_sends_no_credentials_to_an_unconfigured_server(fake_bolt: FakeBolt, env: Path) -> None:
    with pytest.raises(StoreUnavailable) as refused:
        open_store(f"bolt://127.0.0.1:{fake_bolt.port}")
    message = str(refused.value)
    assert "only to the configured Neo4j server" in message and "\n" not in message
    assert fake_bolt.connections == 0 and not _leaked(bytes(fake_bolt.received))
    for variant in (f"neo4j://127.0.0.1:{fake_bolt.port}", f"bolt://localhost:{fake_bolt.port}",
                    f"BOLT://127.0.0.1:{fake_bolt.port}/neo4j"):
        with pytest.raises(StoreUnavailable):
            open_store(variant)
    assert fake_bolt.connections == 0


def test_credentials_go_to_the_configured_server(fake_bolt: FakeBolt, env: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # configuration, not a typed URL, decides: the operator names the server in NEO4J_URI
    monkeypatch.setenv("NEO4J_URI", f"bolt://localhost:{fake_bolt.port}")
    assert settings.neo4j_login(f"bolt://127.0.0.1:{fake_bolt.port}")[2] == PASSWORD
    with pytest.raises(StoreUnavailable):
        settings.neo4j_login(f"bolt://127.0.0.1:{fake_bolt.port + 1}")
    with pytest.raises(StoreUnavailable):
        settings.neo4j_login("bolt://evil.example:7687")


def test_a_password_in_the_url_is_never_printed(env: Path) -> None:
    with pytest.raises(StoreUnavailable) as failed:
        open_store(f"bolt://neo4j:{PASSWORD}@127.0.0.1:1")  # its own credentials, to its own (closed) port
    assert "unreachable" in str(failed.value) and "s3cr" not in str(failed.value)
    assert "127.0.0.1:1" in str(failed.value)
    with pytest.raises(StoreUnavailable) as unknown:
        open_store(f"neo5j://neo4j:{PASSWORD}@127.0.0.1:1")
    assert "s3cr" not in str(unknown.value)


@pytest.mark.parametrize("password", ["pa/ss", "p@ss@word", "a:b:c", "x#y", "100%sure", "with space", "a/b@c:d#e%f g",
                                      "//@@::", "é€/@"])
def test_redact_hides_any_password(password: str) -> None:
    for url in (f"bolt://neo4j:{password}@db.example:7687", f"neo4j+s://neo4j:{password}@db.example:7687/neo4j?x=1",
                f"bolt://{password}@db.example"):
        redacted = settings.redact(url)
        assert password not in redacted and "db.example" in redacted, redacted
        assert settings.split_credentials(url)[0] == redacted
    assert settings.redact("file:./work@space") == "file:./work@space"


def test_split_credentials_keeps_the_password_whole() -> None:
    address, userinfo = settings.split_credentials("bolt://neo4j:a/b@c:d#e%f g@db.example:7687")
    assert address == "bolt://db.example:7687" and userinfo == "neo4j:a/b@c:d#e%f g"


def _app(env_dir: Path) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_app_offers_only_configured_stores_and_logs_in_nowhere_else(fake_bolt: FakeBolt, env: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    other = f"file:{env / 'second'}"
    monkeypatch.setenv("GRAPHBENCH_ALLOWED_STORES", f"{other}, memory:")
    at = _app(env)
    assert not [t for t in at.sidebar.text_input if t.label == "Store"]  # no free text
    box = next(s for s in at.sidebar.selectbox if s.label == "Store")
    assert list(box.options) == [f"file:{env / 'ws'}", other, "memory:"]
    attack = f"bolt://127.0.0.1:{fake_bolt.port}"
    at.session_state["store_url"] = attack  # a crafted session holds another server
    at.run()
    assert at.session_state["store_url"] == f"file:{env / 'ws'}"
    assert fake_bolt.connections == 0 and not _leaked(bytes(fake_bolt.received))
    assert not (env / "second").exists()  # nothing is created until the analyst picks that store
    box = next(s for s in at.sidebar.selectbox if s.label == "Store")
    box.set_value(other).run()
    assert not at.exception and at.session_state["store_url"] == other


def test_a_neo4j_store_is_shown_without_its_password(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"bolt://neo4j:{PASSWORD}@127.0.0.1:1"
    monkeypatch.setenv("GRAPHBENCH_ALLOWED_STORES", url)
    at = _app(env)
    box = next(s for s in at.sidebar.selectbox if s.label == "Store")
    box.set_value(url).run()
    shown = " ".join([e.value for e in at.error] + [c.value for c in at.sidebar.caption])
    assert at.error and "unreachable" in shown.lower()
    assert "s3cr" not in shown and PASSWORD not in shown
    assert all("s3cr" not in option for option in box.options)
