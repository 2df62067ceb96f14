"""The graph canvas (graphbench/viz/canvas, a sigma.js Streamlit component) driven in a real headless
Chromium on the real app: a click reaches Python, a double-click adds the node's neighbours and keeps
what was drawn, the legend lists only what is drawn, labels never overlap, the time slider filters,
a lasso selects, and PNG / SVG exports are real images. Screenshots go to test-artifacts/canvas-*.

The data is a small workspace written here with known answers: two accounts with the same handle on
instagram and facebook, one of them with 40 listings (so labels compete for room), a shared phone, and
two PayPal transfers (1,200 USD on 2024-03-02, then 950 USD on 2024-05-20)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_app import ARGS, ARTIFACTS, launched_chromium, offline_page, require_chromium, served_app

pytestmark = pytest.mark.browser

# WebGL in headless Chromium without a GPU: SwiftShader (the shared ARGS turn the GPU off, which in
# current Chromium also turns WebGL off)
CANVAS_ARGS = [a for a in ARGS if a != "--disable-gpu"] + ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
FOCUS = "Account:instagram:sarilucky_vn"
TWIN = "Account:facebook:sarilucky_vn"
CHANNEL = "PaymentChannel:paypal:sari@pay.example"
PAYEE = "PaymentChannel:paypal:depot@pay.example"


def _write_workspace(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(
        "platform,handle,display_name,followers,phone,links,created_at\n"
        "instagram,sarilucky_vn,Sari Lucky,1200,+84 911 000 111,facebook:sarilucky_vn,2022-01-01\n"
        "facebook,sarilucky_vn,Sari Lucky,300,+84 911 000 111,,2022-02-01\n"
        "telegram,reptile.depot,Reptile Depot,50,+84 922 000 222,,2022-03-01\n", encoding="utf-8")
    listings = [{"platform": "instagram", "listing_id": f"L{i:03d}", "handle": "sarilucky_vn",
                 "posted_at": f"2024-{1 + i % 6:02d}-{1 + i % 27:02d}T10:00:00Z", "title": f"Ball python morph number {i}",
                 "text": "DM for price", "price": 100 + i, "currency": "USD", "hashtags": "ballpython"} for i in range(40)]
    (folder / "listings.jsonl").write_text("".join(json.dumps(r) + "\n" for r in listings), encoding="utf-8")
    (folder / "payment_links.csv").write_text(
        "platform,handle,channel_type,channel_id,seen_in\n"
        "instagram,sarilucky_vn,paypal,sari@pay.example,bio\n"
        "telegram,reptile.depot,paypal,depot@pay.example,bio\n", encoding="utf-8")
    (folder / "transactions.csv").write_text(
        "tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency,reference\n"
        "TX1,2024-03-02T09:00:00Z,paypal,sari@pay.example,paypal,depot@pay.example,1200,USD,\n"
        "TX2,2024-05-20T09:00:00Z,paypal,depot@pay.example,paypal,cash@pay.example,950,USD,\n", encoding="utf-8")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    from graphbench.store import open_store
    from loaders.load import load_dir

    folder = tmp_path_factory.mktemp("canvas")
    _write_workspace(folder / "data")
    store = open_store(f"file:{folder / 'ws'}")
    load_dir(store, folder / "data", rejects_dir=folder / "rejects")
    store.close()
    with served_app(folder) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium(CANVAS_ARGS) as browser:  # one for the module; each test gets a fresh context
        yield browser


@pytest.fixture
def page(app_url, chromium):
    with offline_page(CANVAS_ARGS, {"width": 1500, "height": 1500}, 60_000, failure_shot="canvas-failure.png",
                      browser=chromium, accept_downloads=True) as page:
        yield page


def _idle(page) -> None:
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)


def _canvas(page, nodes: int | None = None):
    """The canvas's frame once it has drawn (``nodes`` of them, when given) and its layout has stopped."""
    handle = page.locator('iframe[title*="graph_canvas"]').first
    handle.wait_for()
    frame = handle.element_handle().content_frame()
    frame.wait_for_function("(n) => window.__gbCanvas && window.__gbCanvas.firstFrameMs !== null"
                            " && (n === null || window.__gbCanvasAPI.nodes().length === n)"
                            " && !window.__gbCanvasAPI.layoutRunning()", arg=nodes, timeout=60_000)
    frame.wait_for_timeout(300)
    return handle, frame


def _at(page, handle, frame, node: str) -> tuple[float, float]:
    box = handle.bounding_box()
    where = frame.evaluate("(n) => window.__gbCanvasAPI.position(n)", node)
    assert where, f"{node} is not drawn"
    return box["x"] + where["x"], box["y"] + where["y"]


def _open(page, app_url: str) -> None:
    page.goto(f"{app_url}/explore")
    page.get_by_role("heading", name="Explore").first.wait_for()
    _idle(page)
    page.get_by_label("Focus node id").fill(FOCUS)
    page.get_by_label("Focus node id").press("Enter")
    page.get_by_text("relationships around").first.wait_for()
    _idle(page)


def _legend(frame) -> set[str]:
    return set(frame.locator(".legend-item").evaluate_all("items => items.map(i => i.dataset.category)"))


def _expect_details(page, node: str) -> None:
    """Python heard the canvas: the details panel beside it shows ``node``."""
    from playwright.sync_api import expect

    expect(page.locator('input[aria-label="Node"]').first).to_have_value(node, timeout=30_000)


def test_click_expand_legend_labels_and_export(page, app_url) -> None:
    _open(page, app_url)
    handle, frame = _canvas(page, nodes=44)  # the account, its twin, phone, channel and 40 listings
    page.screenshot(path=str(ARTIFACTS / "canvas-explore.png"), full_page=True)

    # captions name the platform: the two sarilucky_vn accounts read differently
    captions = frame.evaluate("(ids) => ids.map(n => window.__gbCanvasAPI.renderer().getNodeDisplayData(n).label)",
                              [FOCUS, TWIN])
    assert captions == ["instagram:sarilucky_vn", "facebook:sarilucky_vn"]

    # the legend lists the labels drawn, and no other (no Hashtag: the tags are two hops away)
    assert _legend(frame) == {"Account", "Listing", "PaymentChannel", "Phone"}

    # a click selects, and Python sees it: the details panel shows the clicked node
    page.mouse.click(*_at(page, handle, frame, TWIN))
    assert frame.evaluate("() => [window.__gbCanvas.lastSent.event, window.__gbCanvas.lastSent.node]") == ["select", TWIN]
    _expect_details(page, TWIN)
    _idle(page)

    # a double-click expands onto the canvas: the channel's payee joins, the 44 nodes stay where they were
    _, frame = _canvas(page, nodes=44)
    before = frame.evaluate("() => Object.fromEntries(window.__gbCanvasAPI.nodes().map(n => "
                            "[n, [window.__gbCanvasAPI.renderer().getGraph().getNodeAttribute(n, 'x'), "
                            "window.__gbCanvasAPI.renderer().getGraph().getNodeAttribute(n, 'y')]]))")
    page.mouse.dblclick(*_at(page, handle, frame, CHANNEL))
    _idle(page)
    handle, frame = _canvas(page, nodes=45)
    after = frame.evaluate("() => Object.fromEntries(window.__gbCanvasAPI.nodes().map(n => "
                           "[n, [window.__gbCanvasAPI.renderer().getGraph().getNodeAttribute(n, 'x'), "
                           "window.__gbCanvasAPI.renderer().getGraph().getNodeAttribute(n, 'y')]]))")
    assert set(after) == set(before) | {PAYEE}
    moved = [n for n in before if abs(after[n][0] - before[n][0]) + abs(after[n][1] - before[n][1]) > 1e-6]
    assert moved == []
    _expect_details(page, CHANNEL)
    page.screenshot(path=str(ARTIFACTS / "canvas-expanded.png"), full_page=True)

    # colour by amount: per currency, only the bins drawn (1,200 USD each way for the two channels)
    frame.select_option("#color-by", "amount")
    assert _legend(frame) == {"1k–10k USD", "no transfers"}
    frame.select_option("#color-by", "label")

    # labels never overlap, even with the density slider at its maximum
    frame.evaluate("() => { const d = document.getElementById('label-density'); d.value = '4';"
                   " d.dispatchEvent(new Event('input')); }")
    frame.wait_for_timeout(500)
    boxes = frame.evaluate("() => window.__gbCanvas.labelBoxes.map(b => [b.x, b.y, b.w, b.h, b.label])")
    overlapping = [(a[4], b[4]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]]
    assert overlapping == []
    assert 10 <= len(boxes) < 45  # many drawn, some left out for want of room
    page.screenshot(path=str(ARTIFACTS / "canvas-dense-labels.png"), full_page=True)

    # PNG and SVG of the view
    with page.expect_download() as png:
        frame.click("#btn-png")
    png.value.save_as(ARTIFACTS / "canvas-export.png")
    data = (ARTIFACTS / "canvas-export.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    with page.expect_download() as svg:
        frame.click("#btn-svg")
    svg.value.save_as(ARTIFACTS / "canvas-export.svg")
    text = (ARTIFACTS / "canvas-export.svg").read_text(encoding="utf-8")
    assert text.startswith("<svg") and text.count("<circle") >= 45 and "instagram:sarilucky_vn" in text


def test_hide_time_window_and_lasso(page, app_url) -> None:
    _open(page, app_url)
    handle, frame = _canvas(page, nodes=44)

    # hiding the phone takes Phone out of the legend (and Python keeps it hidden)
    page.mouse.click(*_at(page, handle, frame, "Phone:+84911000111"))
    _idle(page)
    handle, frame = _canvas(page)
    frame.click("#btn-hide")
    _idle(page)
    handle, frame = _canvas(page, nodes=43)
    assert _legend(frame) == {"Account", "Listing", "PaymentChannel"}

    # the time window: until the first day, only the listing posted on 2024-01-01 is left among the 40
    frame.evaluate("() => { const t = document.getElementById('time-to'); t.value = '0';"
                   " t.dispatchEvent(new Event('input')); }")
    status = frame.locator("#status").inner_text()
    assert status.startswith("4 of 43 nodes"), status  # two accounts, the channel and one listing
    page.screenshot(path=str(ARTIFACTS / "canvas-time-window.png"), full_page=True)
    frame.evaluate("() => { const t = document.getElementById('time-to'); t.value = '1000';"
                   " t.dispatchEvent(new Event('input')); }")

    # a shift-drag lasso around the whole stage selects every drawn node, and Python hears of it
    box = frame.locator("#main").bounding_box()  # in the page's coordinates already
    x0, y0 = box["x"] + 3, box["y"] + 3
    x1, y1 = x0 + box["width"] - 6, y0 + box["height"] - 6
    page.keyboard.down("Shift")
    page.mouse.move(x0, y0)
    page.mouse.down()
    for x, y in ((x1, y0), (x1, y1), (x0, y1), (x0, y0 + 1)):
        page.mouse.move(x, y, steps=5)
    page.mouse.up()
    page.keyboard.up("Shift")
    _idle(page)
    assert frame.evaluate("() => window.__gbCanvas.lastSent.event") == "lasso"
    assert len(frame.evaluate("() => window.__gbCanvas.lastSent.selected")) == 43
    page.get_by_text("43 nodes selected on the canvas").first.wait_for()
