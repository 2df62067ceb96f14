"""The canvas's drawing of bigger graphs in a real headless Chromium with software WebGL (SwiftShader):
above 1,000 edges the edges go on a CPU canvas (frontend/canvas/src/edgelayer.js), with arrowheads up
to 20,000 edges and plain lines above; above 5,000 nodes the nodes are GL points. The bundle runs in an
iframe of a small page that sends it the payload as Streamlit does, so no app server is started.

Known answers: one render message gives exactly one render; an edge between two nodes placed alone far
from the crowd is drawn along the line between them and nowhere beside it, with a head at its target;
hovering it names it; once one of its ends is hidden it is no longer drawn; resizing the iframe redraws
only when the stage's size changes. Timings are
benchmarks/bench_canvas.py's business, not this test's."""

from __future__ import annotations

import functools
import http.server
import json
import random
import shutil
import threading

import pytest
from browser_app import ARTIFACTS, offline_page, require_chromium
from PIL import Image
from test_canvas_browser import CANVAS_ARGS

from graphbench.viz.canvas import BUNDLE_DIR, canvas_payload

pytestmark = pytest.mark.browser

A, B = "Account:t:far_a", "Account:t:far_b"
HARNESS = """<!doctype html><html><body style="margin:0">
<iframe id="c" src="bundle/index.html" style="width:1000px;height:700px;border:0"></iframe>
<script>
window.ready = false;
addEventListener("message", (e) => { if (e.data && e.data.type === "streamlit:componentReady") window.ready = true; });
window.send = async (name) => {
  const payload = await (await fetch(name)).json();
  document.getElementById("c").contentWindow.postMessage({type: "streamlit:render", args: {payload}}, "*");
};
</script></body></html>"""

# alpha of the CPU edge layer at a point given in the stage's CSS pixels
ALPHA_AT = """([x, y]) => {
  const c = document.querySelector("canvas.sigma-edgesCPU");
  const pr = c.width / c.clientWidth;
  return c.getContext("2d").getImageData(Math.round(x * pr), Math.round(y * pr), 1, 1).data[3];
}"""
# how many of the 13 pixels across the edge, centred on (x, y), are drawn (its thickness there)
THICKNESS_AT = """([x, y]) => {
  const c = document.querySelector("canvas.sigma-edgesCPU");
  const pr = c.width / c.clientWidth;
  const px = c.getContext("2d").getImageData(Math.round(x * pr), Math.round(y * pr) - 6, 1, 13).data;
  let n = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n += 1;
  return n;
}"""
# where a node is drawn in the stage's CSS pixels
STAGE_XY = """(n) => { const r = window.__gbCanvasAPI.renderer();
  const p = r.framedGraphToViewport(r.getNodeDisplayData(n)); return [p.x, p.y]; }"""


def _graph(n: int, m: int) -> tuple[list[dict], list[dict]]:
    """n nodes and m edges crowded into x, y in [0, 100]; A and B alone at y = 50, x = 300 and 500, A → B."""
    rng = random.Random(3)
    nodes = [{"id": f"Account:t:n{i}", "x": rng.uniform(0, 100), "y": rng.uniform(0, 100)} for i in range(n)]
    nodes += [{"id": A, "x": 300.0, "y": 50.0}, {"id": B, "x": 500.0, "y": 50.0}]
    edges = [{"source": f"Account:t:n{rng.randrange(n)}", "target": f"Account:t:n{rng.randrange(n)}", "type": "LINKS_TO"}
             for _ in range(m)]
    return nodes, edges + [{"source": A, "target": B, "type": "LINKS_TO"}]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    tmp_path = tmp_path_factory.mktemp("canvas-big")
    shutil.copytree(BUNDLE_DIR, tmp_path / "bundle")
    (tmp_path / "harness.html").write_text(HARNESS, encoding="utf-8")
    for size, (n, m) in (("big", (5100, 20_500)), ("mid", (1200, 1500))):
        nodes, edges = _graph(n, m)
        for name, hidden in (("first", ()), ("hidden", (A,))):
            payload = canvas_payload(nodes, edges, layout="none", size_by="uniform", hidden=hidden)
            (tmp_path / f"{size}-{name}.json").write_text(json.dumps(payload), encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _first(page, served: str, size: str):
    page.goto(f"{served}/harness.html")
    page.wait_for_function("() => window.ready")
    frame = page.frames[1]
    page.evaluate("(n) => window.send(n)", f"{size}-first.json")
    frame.wait_for_function("() => window.__gbCanvas.firstPaintMs !== null")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"canvas-{size}.png"))
    return frame


def test_big_graph_edges_on_the_cpu_canvas(served: str) -> None:
    # a HiDPI screen (2 device pixels per CSS pixel): software WebGL draws at 1.5
    with offline_page(CANVAS_ARGS, {"width": 1000, "height": 700}, 60_000, failure_shot="canvas-big-failure.png",
                      device_scale_factor=2) as page:
        frame = _first(page, served, "big")
        state = frame.evaluate("() => ({renders: window.__gbCanvas.renders, drawing: window.__gbCanvas.drawing})")
        # SwiftShader is software WebGL: the cheap ways of drawing are chosen
        assert state["drawing"] == {"softwareWebGL": True, "edges": "cpu-canvas", "nodes": "webgl-point", "pixelRatio": 1.5}
        assert frame.evaluate("() => { const c = document.querySelector('canvas.sigma-edgesCPU'); return c.width / c.clientWidth; }") == 1.5
        assert state["renders"] == 1, "one render message, one render"

        (ax, ay), (bx, by) = frame.evaluate(STAGE_XY, A), frame.evaluate(STAGE_XY, B)
        assert abs(ay - by) < 1 and bx - ax > 100  # alone on one horizontal line, far apart
        middle = [(ax + bx) / 2, ay]
        assert frame.evaluate(ALPHA_AT, middle) > 0, "the edge A-B is drawn between them"
        assert frame.evaluate(ALPHA_AT, [middle[0], middle[1] + 25]) == 0, "and nowhere beside it"

        # hiding A (only the options change: no new data) hides its edge, in one more render
        page.evaluate("() => window.send('big-hidden.json')")
        frame.wait_for_function("() => window.__gbCanvas.renders >= 2")
        page.wait_for_timeout(300)
        assert frame.evaluate("() => window.__gbCanvas.renders") == 2
        assert frame.evaluate(ALPHA_AT, middle) == 0, "an edge of a hidden node is not drawn"


def test_mid_graph_arrows_and_hover_on_the_cpu_canvas(served: str) -> None:
    with offline_page(CANVAS_ARGS, {"width": 1000, "height": 700}, 60_000, failure_shot="canvas-mid-failure.png",
                      accept_downloads=True) as page:
        frame = _first(page, served, "mid")
        drawing = frame.evaluate("() => window.__gbCanvas.drawing")
        assert drawing == {"softwareWebGL": True, "edges": "cpu-canvas", "nodes": "webgl-circle", "pixelRatio": 1}
        (ax, ay), (bx, by) = frame.evaluate(STAGE_XY, A), frame.evaluate(STAGE_XY, B)
        radius = frame.evaluate("(n) => window.__gbCanvasAPI.position(n).size", B)
        # the line is thin along its length and widens into a head just before B's rim
        along = frame.evaluate(THICKNESS_AT, [(ax + bx) / 2, ay])
        head = frame.evaluate(THICKNESS_AT, [bx - radius - 4.5, by])
        assert 1 <= along <= 3 and head >= along + 2, (along, head)

        # hovering the edge names it (no GL picking for it: the CPU layer's own hit test); off it, nothing
        a, b = (frame.evaluate("(n) => window.__gbCanvasAPI.position(n)", n) for n in (A, B))
        page.mouse.move((a["x"] + b["x"]) / 2, a["y"] + 1)
        tip = frame.locator("#tip")
        tip.wait_for(state="visible")
        assert tip.inner_text() == f"{A} —LINKS_TO→ {B}"
        page.mouse.move((a["x"] + b["x"]) / 2, a["y"] + 40)
        tip.wait_for(state="hidden")

        # the PNG export has the CPU layer too, under the nodes: grey on the line, white beside it
        with page.expect_download() as png:
            frame.click("#btn-png")
        png.value.save_as(ARTIFACTS / "canvas-mid-export.png")
        with Image.open(ARTIFACTS / "canvas-mid-export.png") as image:
            rgb = image.convert("RGB")
            on, beside = rgb.getpixel((round((ax + bx) / 2), round(ay))), rgb.getpixel((round((ax + bx) / 2), round(ay) + 25))
        assert beside == (255, 255, 255) and max(on) < 250, (on, beside)

        # Streamlit sets the frame's height again and again: a taller iframe whose stage keeps its size is
        # not redrawn; a narrower one is
        renders = frame.evaluate("() => window.__gbCanvas.renders")
        page.evaluate("() => { document.getElementById('c').style.height = '760px'; }")
        page.wait_for_timeout(500)
        assert frame.evaluate("() => window.__gbCanvas.renders") == renders
        page.evaluate("() => { document.getElementById('c').style.width = '900px'; }")
        frame.wait_for_function(f"() => window.__gbCanvas.renders > {renders}")
