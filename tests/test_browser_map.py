"""The offline map in a real Chromium: Trends & routes draws hotspots, courier routes, seizure routes
and photo positions on the packaged Natural Earth map, and the page makes no request off this machine —
every such request is aborted and recorded, and one is a failure (Playwright route interception)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_app import ARGS, ARTIFACTS, CHROMIUM, require_chromium, served_app
from test_seizures import HEADER, generate, linked_folder, photo_listings, write

pytestmark = pytest.mark.browser
LOCAL = ("127.0.0.1", "localhost", "::1", "[::1]")


def test_trends_map_draws_without_any_outside_request(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    from graphbench.store import open_store
    from loaders.load import load_dir

    data = tmp_path / "data"
    linked_folder(data)
    photo_listings(data)
    rows, _ = generate(seed=5, n=30)
    write(data, "seizures_more.csv", rows, HEADER)
    store = open_store(f"file:{tmp_path / 'ws'}")
    load_dir(store, data, rejects_dir=tmp_path / "rejects")
    store.close()
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(("http:", "https:", "ws:", "wss:")) and (urlparse(url).hostname or "") not in LOCAL:
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    with served_app(tmp_path) as app_url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 2400})
            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(90_000)
            page.goto(f"{app_url}/trends")
            page.get_by_role("heading", name="Trends & routes").first.wait_for()
            page.get_by_text("Map: hotspots, courier and seizure routes").first.wait_for()
            page.wait_for_timeout(500)
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)
            legend = page.locator(".js-plotly-plot .legendtext")
            legend.first.wait_for()
            names = set(legend.evaluate_all("items => items.map(item => item.textContent)"))
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "map-trends.png"), full_page=True)
        finally:
            browser.close()
    assert {"seizure routes", "courier routes", "hotspots", "photo positions (EXIF)", "seizures"} <= names
    assert outside == [], f"requests left the machine: {outside[:5]}"
