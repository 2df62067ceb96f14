"""The workbench in a real headless Chromium (Debian's package, driven by Playwright): open the app,
run community detection, expand a node, trace money, download a report — and not one request may
leave the machine."""

from __future__ import annotations

import pytest
from browser_app import ARGS, ARTIFACTS, offline_page, require_chromium, served_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, sample_workspace):
    require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    sample_workspace(folder)
    with served_app(folder) as url:
        yield url


@pytest.fixture
def page(app_url):
    with offline_page(ARGS, {"width": 1500, "height": 2200}, 90_000, accept_downloads=True) as page:
        yield page


def _go(page, app_url: str, path: str, title: str) -> None:
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title).first.wait_for()
    _wait_idle(page)  # a click while the first run is still going can be lost


def _wait_idle(page) -> None:
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)


def _wait_drawn(page) -> None:
    """Tables and network pictures paint on canvases after the run ends: wait for them before a screenshot."""
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
    page.frame_locator("iframe").first.locator("canvas").first.wait_for()
    page.wait_for_timeout(1500)


def test_analyst_workflow_in_chromium(page, app_url) -> None:
    try:
        _workflow(page, app_url)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)  # what the page showed
        raise


def _workflow(page, app_url: str) -> None:
    # the server's first visitor follows a shared link straight to a page: the app's navigation and
    # store selector must be there (a folder named pages/ would show raw file names instead)
    _go(page, app_url, "money", "Money")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Trends & routes").first.wait_for()
    sidebar.get_by_label("Store").first.wait_for()
    assert "common" not in sidebar.inner_text().split("\n")

    _go(page, app_url, "", "Data")
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "01-data.png"), full_page=True)

    _go(page, app_url, "communities", "Communities")
    page.get_by_role("button", name="Run community detection").click()
    page.get_by_text("Modularity").first.wait_for()
    _wait_idle(page)
    _wait_drawn(page)
    page.screenshot(path=str(ARTIFACTS / "02-communities.png"), full_page=True)

    _go(page, app_url, "explore", "Explore")
    page.get_by_label("Focus node id").fill("Account:facebook:emeka.royal")
    page.get_by_label("Focus node id").press("Enter")
    page.get_by_text("relationships around").first.wait_for()
    _wait_idle(page)
    frame = page.frame_locator("iframe").first
    frame.locator("canvas").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "03-explore.png"), full_page=True)

    _go(page, app_url, "money", "Money")
    page.get_by_label("From an account or payment channel").fill("PaymentChannel:bank_account:MARKETPLACE-ESCROW-0001")
    page.get_by_label("From an account or payment channel").press("Enter")
    page.get_by_role("button", name="Trace").click()
    page.get_by_text("transfers,").first.wait_for()
    _wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "04-money.png"), full_page=True)

    _go(page, app_url, "trends", "Trends & routes")
    page.get_by_text("Courier routes").first.wait_for()
    _wait_idle(page)
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "06-trends.png"), full_page=True)

    _go(page, app_url, "report", "Cyber-alert report")
    page.get_by_role("button", name="Generate").click()
    button = page.get_by_role("button", name="Download")
    button.wait_for()
    with page.expect_download() as download:
        button.click()
    saved = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.stat().st_size > 10_000 and "Evidence annex" in saved.read_text(encoding="utf-8")
    _wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "05-report.png"), full_page=True)
