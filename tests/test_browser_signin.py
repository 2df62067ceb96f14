"""Sign-in end to end in a real headless Chromium (issue 17.1, goal 1): a real OpenID Connect provider
(mock-oauth2-server from Maven Central, run by this test on a free loopback port) signs one user in through
Streamlit's ``st.login`` while another signs in with a local account; both sessions are open at once, each
sees only what its role allows, and the audit log names each. Nothing may leave the machine (the provider's
own login page asks for a web font: that request is aborted and is the only one allowed to be tried)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_app import ARGS, ARTIFACTS, CHROMIUM, ROOT, free_port, require_chromium, served_app

pytestmark = pytest.mark.browser
PROVIDER_FONT_HOST = "fonts.googleapis.com"  # mock-oauth2-server's login page links it; aborted, never fetched


def _provider_libs() -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import oidc_fetch
    finally:
        sys.path.pop(0)
    try:
        return oidc_fetch.fetch()
    except oidc_fetch.SetupError as exc:
        if os.environ.get("GRAPHBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the OIDC provider for the sign-in test is required but missing: {exc}")
        pytest.skip(f"no OIDC provider: {exc}")


@pytest.fixture(scope="module")
def provider() -> str:
    require_chromium()
    libs = _provider_libs()
    import oidc_fetch  # noqa: F401  (on sys.path now through _provider_libs' import cache)

    port = free_port()
    process = subprocess.Popen(["java", "-cp", f"{libs}/*", "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt"],
                               env={**os.environ, "SERVER_PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}/default"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("mock-oauth2-server did not start within 60 s")
    try:
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def app(provider: str, tmp_path_factory: pytest.TempPathFactory):
    from graphbench.auth.accounts import add_account
    from graphbench.store import open_store
    from loaders.load import load_dir

    folder = tmp_path_factory.mktemp("signin")
    store = open_store(f"file:{folder / 'ws'}")
    load_dir(store, ROOT / "tests" / "fixtures" / "team" / "before", rejects_dir=folder / "rejects")
    store.close()
    users = folder / "users.json"
    add_account("alice", "analyst", "correct horse battery", path=users)
    add_account("bob@agency.example", "viewer", None, path=users)  # an OIDC identity: no password here
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "graphbench"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""")
    with served_app(folder, {"GRAPHBENCH_USERS": str(users)}, ("--secrets.files", str(secrets_file)),
                    port=port) as url:
        yield url, folder


def _wait_idle(page) -> None:
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)


def test_two_users_signed_in_at_once_each_as_their_role(app) -> None:
    from playwright.sync_api import sync_playwright

    url, folder = app
    ARTIFACTS.mkdir(exist_ok=True)
    tried_outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def context():
            ctx = browser.new_context(viewport={"width": 1400, "height": 1100})

            def guard(route) -> None:
                host = urlparse(route.request.url).hostname or ""
                if host in ("127.0.0.1", "localhost"):
                    route.continue_()
                else:  # never leaves the machine
                    tried_outside.append(route.request.url)
                    route.abort()
            ctx.route("**/*", guard)
            page = ctx.new_page()
            page.set_default_timeout(90_000)
            return page

        alice, bob = context(), context()
        try:
            # alice: a local account
            alice.goto(url)
            alice.get_by_role("heading", name="Sign in").wait_for()
            _wait_idle(alice)
            alice.get_by_role("textbox", name="User name").fill("alice")
            alice.get_by_role("textbox", name="Password").fill("wrong password!")
            alice.get_by_role("button", name="Sign in", exact=True).click()
            alice.get_by_text("Wrong user name or password.").wait_for()
            alice.get_by_role("textbox", name="Password").fill("correct horse battery")
            alice.get_by_role("button", name="Sign in", exact=True).click()
            alice.get_by_text("signed in as").first.wait_for()
            alice.get_by_role("heading", name="Data").first.wait_for()
            _wait_idle(alice)  # the sign-in form fades out as the page replaces it
            alice.screenshot(path=str(ARTIFACTS / "signin-local-analyst.png"))

            # bob: through the identity provider, while alice's session stays open
            bob.goto(url)
            bob.get_by_role("button", name="Sign in with your organisation").click()
            bob.locator("input[name=username]").wait_for()
            bob.locator("input[name=username]").fill("bob-subject")
            bob.locator("textarea[name=claims]").fill(json.dumps({"email": "bob@agency.example"}))
            bob.screenshot(path=str(ARTIFACTS / "signin-oidc-provider.png"))
            bob.locator("input[type=submit]").click()
            bob.get_by_text("signed in as").first.wait_for()
            _wait_idle(bob)
            # (markdown_text puts a word joiner before '@' so that no address turns into a link)
            assert "bob@agency.example · viewer" in bob.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")

            # each sees what their role allows: the report (an export) is the analyst's, not the viewer's
            # by the app's own navigation: a local sign-in lasts for the tab's session (a reload asks again)
            for page, name in ((alice, "alice"), (bob, "bob")):
                page.get_by_role("link", name="Report").click()
                page.get_by_role("heading", name="Cyber-alert report").wait_for()
                _wait_idle(page)
                page.screenshot(path=str(ARTIFACTS / f"signin-report-{name}.png"))
            assert alice.get_by_role("button", name="Generate").count() == 1
            assert bob.get_by_role("button", name="Generate").count() == 0
            assert bob.get_by_text("may not export").count() == 1
            for page, who in ((alice, "alice"), (bob, "bob")):
                page.get_by_role("link", name="Explore").click()
                page.get_by_role("heading", name="Explore").wait_for()
                _wait_idle(page)
                page.get_by_label("Search: handle").fill(f"scales {who}")
                page.keyboard.press("Enter")
                _wait_idle(page)
            sidebar = alice.locator('[data-testid="stSidebar"]').inner_text()
            assert "Audit log" not in sidebar and "alice" in sidebar  # an analyst has no audit page
        except Exception:
            for page, name in ((alice, "alice"), (bob, "bob")):
                page.screenshot(path=str(ARTIFACTS / f"signin-failure-{name}.png"), full_page=True)
            raise
        finally:
            browser.close()
    entries = [json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines()]
    signins = {(e["user"], e["params"]["method"], e["params"]["ok"]) for e in entries if e["action"] == "sign_in"}
    assert signins == {("alice", "local", False), ("alice", "local", True), ("bob@agency.example", "oidc", True)}
    searches = {(e["user"], e["role"], e["params"]["text"]) for e in entries if e["action"] == "search"}
    assert searches == {("alice", "analyst", "scales alice"), ("bob@agency.example", "viewer", "scales bob")}
    assert set(tried_outside) <= {u for u in tried_outside if urlparse(u).hostname == PROVIDER_FONT_HOST}
