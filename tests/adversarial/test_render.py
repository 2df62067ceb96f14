"""Probe 19.5 — what a listing can make the analyst's browser do. A folder of hostile values
(tests/planted_payloads.py: Markdown images, ``<img onerror>``, ``</script>`` breakouts, ``javascript:``
links, Streamlit directives in handles, names, bios, titles, texts and URLs) is loaded; every page that
shows them, and the Markdown and HTML reports opened from a file, run in a real headless Chromium whose
every request is intercepted. Nothing may leave 127.0.0.1 (every payload points at evil.example), no
payload script may run (each sets ``window.pwned``), no ``javascript:`` link may exist, and the
planted text must be shown as the text it is (screenshots in test-artifacts/adversarial-*.png)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_app import ARGS, ARTIFACTS, ROOT, launched_chromium, require_chromium, served_app
from planted_payloads import EVIL_HOST, IMAGE_HANDLE, PLAIN_HANDLE, SCRIPT_HANDLE, WECHAT, account_id, write_planted

pytestmark = pytest.mark.browser
JOINER = "\u2060"  # markdown_text's invisible autolink breaker: not part of what a person reads


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    from graphbench.store import open_store
    from loaders.load import load_dir

    folder = tmp_path_factory.mktemp("render")
    store = open_store(f"file:{folder / 'ws'}")
    load_dir(store, ROOT / "tests" / "fixtures" / "mini", rejects_dir=folder / "rejects")
    load_dir(store, write_planted(folder / "planted"), rejects_dir=folder / "rejects")
    return folder, store


@pytest.fixture(scope="module")
def app_url(planted):
    require_chromium()
    folder, store = planted
    with served_app(folder) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for the module (a launch costs ~2 s); each test gets a context of its own."""
    require_chromium()
    with launched_chromium(ARGS) as browser:
        yield browser


@pytest.fixture
def browser_page(chromium):
    """A page, in a fresh browser context, whose every request outside the allowed origin is recorded and
    aborted (so a failing test leaks nothing either). ``allowed(url)`` decides; the list of refused URLs
    is asserted empty."""
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    state = {"allowed": lambda url: False}
    context = chromium.new_context(viewport={"width": 1400, "height": 1800})

    def route(route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or state["allowed"](url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        yield page, state
    finally:
        context.close()
    assert outside == [], f"requests left the page's own origin: {outside[:5]}"


def _local(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in ("http", "ws") and parts.hostname == "127.0.0.1"


def _no_script_ran(page) -> None:
    ran = [(frame.url[:60], frame.evaluate("window.pwned")) for frame in page.frames]
    assert all(value is None for _, value in ran), ran
    links = [h for frame in page.frames for h in frame.evaluate(  # SVG links (plotly) use xlink:href
        "[...document.querySelectorAll('a')].map(a => a.getAttribute('href')"
        " || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href')).filter(h => h !== null)")]
    assert not [h for h in links if urlparse(h.strip()).scheme.lower() not in ("", "http", "https")], links
    assert not [h for h in links if EVIL_HOST in h], links  # a listing's URL is shown, never linked


def _idle(page) -> None:
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)


def _go(page, app_url: str, path: str, title: str) -> None:
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title).first.wait_for()
    _idle(page)


def _text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text().replace(JOINER, "")


def test_no_page_fetches_or_runs_what_a_listing_holds(app_url, browser_page) -> None:
    page, state = browser_page
    state["allowed"] = _local
    try:
        _go(page, app_url, "links", "Links")
        page.get_by_role("textbox", name="From", exact=True).fill(account_id(IMAGE_HANDLE))
        page.get_by_role("textbox", name="To", exact=True).fill(account_id(PLAIN_HANDLE))
        page.get_by_role("textbox", name="To", exact=True).press("Enter")
        page.get_by_text("hops:").first.wait_for()
        _idle(page)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "adversarial-links.png"), full_page=True)
        _no_script_ran(page)
        shown = _text(page)
        assert account_id(IMAGE_HANDLE) in shown and account_id(PLAIN_HANDLE) in shown  # as text, underscores kept
        # the SAME_AS review is a table whose row is picked (its cells are drawn on a canvas, never as
        # markup); the picked row's caption goes through markdown_text (tests/adversarial/test_safe_text.py)
        page.get_by_text("Pick the row you are reading").first.wait_for()
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1
        page.screenshot(path=str(ARTIFACTS / "adversarial-links-picker.png"), full_page=False)
        _no_script_ran(page)

        _go(page, app_url, "explore", "Explore")
        page.get_by_label("Focus node id").fill(account_id(SCRIPT_HANDLE))
        page.get_by_label("Focus node id").press("Enter")
        page.get_by_text("relationships around").first.wait_for()
        _idle(page)
        page.frame_locator("iframe").first.locator("canvas").first.wait_for()
        page.wait_for_timeout(1500)
        page.get_by_text("shares identifiers with flagged").first.click()  # evidence quotes handles
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "adversarial-explore.png"), full_page=True)
        _no_script_ran(page)
        assert f"relationships around {account_id(SCRIPT_HANDLE)}" in _text(page)

        _go(page, app_url, "", "Data")
        page.get_by_role("textbox", name="Node id", exact=True).fill(account_id(IMAGE_HANDLE))
        page.get_by_role("textbox", name="Node id", exact=True).press("Enter")
        _idle(page)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "adversarial-data.png"), full_page=True)
        _no_script_ran(page)

        _go(page, app_url, "communities", "Communities")
        page.get_by_role("button", name="Run community detection").click()
        page.get_by_text("Modularity").first.wait_for()
        _idle(page)
        page.frame_locator("iframe").first.locator("canvas").first.wait_for()
        _no_script_ran(page)

        _go(page, app_url, "money", "Money")
        page.get_by_label("From an account or payment channel").fill(f"PaymentChannel:wechat:{WECHAT}")
        page.get_by_label("From an account or payment channel").press("Enter")
        _idle(page)
        page.get_by_role("button", name="Trace").click()
        page.get_by_text("transfers,").first.wait_for()
        _idle(page)
        page.locator(".js-plotly-plot").first.wait_for()
        page.wait_for_timeout(1500)
        page.locator(".js-plotly-plot").first.screenshot(path=str(ARTIFACTS / "adversarial-money-sankey.png"))
        _no_script_ran(page)
        assert WECHAT in page.locator(".js-plotly-plot").first.inner_text()  # the id, as text, in the chart

        _go(page, app_url, "trends", "Trends & routes")
        page.get_by_text("city", exact=True).first.click()  # the courier Sankey names cities from the data
        _idle(page)
        page.locator(".js-plotly-plot").last.wait_for()
        page.get_by_text("Courier routes").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "adversarial-trends.png"), full_page=False)
        _no_script_ran(page)

        _go(page, app_url, "report", "Cyber-alert report")
        page.get_by_text("md", exact=True).click()
        page.get_by_role("button", name="Generate").click()
        page.get_by_role("button", name="Download").wait_for()
        _idle(page)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "adversarial-report-md.png"), full_page=True)
        _no_script_ran(page)
        assert page.locator('[data-testid="stMain"] img[src^="http"]').count() == 0
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "adversarial-failure.png"), full_page=True)
        raise


def _markdown_to_html(text: str) -> str:
    """The report as a permissive Markdown viewer shows it: CommonMark with raw HTML passed through."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"


@pytest.fixture(scope="module")
def planted_report(planted):
    """The report on the planted folder, built once and written in each format by the test below."""
    from graphbench.report import ReportScope, build_report

    _, store = planted
    return build_report(store, ReportScope(title=f"Alert on {IMAGE_HANDLE} <script>window.pwned=11</script>"))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_report_opened_from_a_file_fetches_and_runs_nothing(planted_report, browser_page, tmp_path: Path,
                                                              fmt) -> None:
    from graphbench.report import render

    report = planted_report
    out = tmp_path / f"alert.{fmt}"
    out.write_bytes(render(report, fmt, out))
    text = out.read_text(encoding="utf-8")
    if fmt == "md":  # every "<" of data is escaped, so no tag can open (none of the report's own text has one)
        assert re.search(r"(?<!\\)<[A-Za-z/!?]", text) is None
    else:
        assert "<script" not in text.lower()
    page_file = out if fmt == "html" else tmp_path / "alert.md.html"
    if fmt == "md":
        page_file.write_text(_markdown_to_html(text), encoding="utf-8")
    page, state = browser_page
    state["allowed"] = lambda url: url.startswith(tmp_path.as_uri() + "/")  # the file and its figures only
    page.goto(page_file.as_uri())
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / f"adversarial-report-{fmt}-file.png"), full_page=False)
    page.get_by_role("heading", name="Key accounts").last.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"adversarial-report-{fmt}-file-accounts.png"), full_page=False)
    _no_script_ran(page)
    assert page.locator("img:not([src^='data:']):not([src*='_files/'])").count() == 0
    handlers = page.evaluate("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                             ".map(a => a.name).filter(n => n.startsWith('on'))")
    assert handlers == []  # no element carries an event handler (the payloads' onerror= stays text)
    assert page.locator("script, iframe, object, embed").count() == 0
    body = page.locator("body").inner_text().replace(JOINER, "")
    assert IMAGE_HANDLE in body  # the payload is shown as the text it is
