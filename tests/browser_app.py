"""What the browser tests share: Debian's Chromium and its flags, and the app served by a real
Streamlit process on a free local port over one workspace."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("GRAPHBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (Debian package 'chromium') but missing")
        pytest.skip("chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_app(folder: Path, extra_env: dict[str, str] | None = None, extra_args: tuple[str, ...] = (),
               port: int | None = None) -> Iterator[str]:
    """The app on ``folder/ws`` (rejects in ``folder/rejects``, audit log in ``folder``), its URL while
    the block runs; the server is stopped afterwards. ``extra_env`` / ``extra_args`` (e.g. a secrets file
    for sign-in) go to the Streamlit process; ``port``, when the caller must know it beforehand."""
    port = port or free_port()
    env = {**os.environ, "GRAPHBENCH_STORE": f"file:{folder / 'ws'}", "GRAPHBENCH_REJECTS": str(folder / "rejects"),
           "GRAPHBENCH_AUDIT_LOG": str(folder / "audit.jsonl"), **(extra_env or {})}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                               "--server.port", str(port), "--server.address", "127.0.0.1",
                               "--server.headless", "true", "--browser.gatherUsageStats", "false",
                               "--server.fileWatcherType", "none", *extra_args],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the app did not start: " + server.stdout.read().decode()[-2000:])
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # Streamlit sometimes ignores SIGTERM while a session is open
            server.kill()
            server.wait(timeout=20)


@contextmanager
def launched_chromium(args: list[str]) -> Iterator:
    """One Chromium (for a module's tests: a launch costs ~2 s), closed at the end of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_page(args: list[str], viewport: dict[str, int], timeout_ms: int, failure_shot: str | None = None,
                 failure_full_page: bool = True, browser: object = None, **context_options: object) -> Iterator:
    """A Chromium page that records every request leaving this machine and fails the test if any did;
    ``failure_shot`` names the screenshot kept when the test body raises. With ``browser`` (from
    :func:`launched_chromium`) the page is in a fresh context of that browser, else in a browser of its own."""
    from contextlib import ExitStack
    from urllib.parse import urlparse

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(launched_chromium(args))
        context = browser.new_context(viewport=viewport, **context_options)  # type: ignore[attr-defined]
        stack.callback(context.close)
        page = context.new_page()

        def record(request) -> None:
            host = urlparse(request.url).hostname or ""
            if request.url.startswith(("http://", "https://", "ws://", "wss://")) and host not in ("127.0.0.1", "localhost"):
                outside.append(request.url)
        page.on("request", record)
        page.set_default_timeout(timeout_ms)
        try:
            yield page
        except Exception:
            if failure_shot:
                page.screenshot(path=str(ARTIFACTS / failure_shot), full_page=failure_full_page)
            raise
    assert outside == [], f"requests left the machine: {outside[:5]}"
