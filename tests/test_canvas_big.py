"""The canvas's big-graph drawing in a real headless Chromium with software WebGL (SwiftShader): above
20,000 edges the edges go on a CPU canvas and above 5,000 nodes the nodes are GL points
(frontend/canvas/src/edgelayer.js). The bundle runs in an iframe of a small page that sends it the
payload as Streamlit does, so no server is started.

Known answers: one render message gives exactly one render; an edge between two nodes placed alone far
from the crowd is drawn along the line between them and nowhere beside it; once one of its ends is
hidden it is no longer drawn. Timings are benchmarks/bench_canvas.py's business, not this test's."""

from __future__ import annotations

import functools
import http.server
import json
import random
import shutil
import threading
from pathlib import Path

import pytest
from browser_app import ARTIFACTS, offline_page, require_chromium
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
# where a node is drawn in the stage's CSS pixels
STAGE_XY = """(n) => { const r = window.__gbCanvasAPI.renderer();
  const p = r.framedGraphToViewport(r.getNodeDisplayData(n)); return [p.x, p.y]; }"""


def _graph() -> tuple[list[dict], list[dict]]:
    """5,100 nodes and 20,500 edges crowded into x, y in [0, 100]; A and B alone at y = 50, x = 300 and 500."""
    rng = random.Random(3)
    nodes = [{"id": f"Account:t:n{i}", "x": rng.uniform(0, 100), "y": rng.uniform(0, 100)} for i in range(5100)]
    nodes += [{"id": A, "x": 300.0, "y": 50.0}, {"id": B, "x": 500.0, "y": 50.0}]
    edges = [{"source": f"Account:t:n{rng.randrange(5100)}", "target": f"Account:t:n{rng.randrange(5100)}", "type": "LINKS_TO"}
             for _ in range(20_500)]
    return nodes, edges + [{"source": A, "target": B, "type": "LINKS_TO"}]


@pytest.fixture
def served(tmp_path: Path):
    require_chromium()
    shutil.copytree(BUNDLE_DIR, tmp_path / "bundle")
    (tmp_path / "harness.html").write_text(HARNESS, encoding="utf-8")
    nodes, edges = _graph()
    for name, hidden in (("first.json", ()), ("hidden.json", (A,))):
        payload = canvas_payload(nodes, edges, layout="none", size_by="uniform", hidden=hidden)
        (tmp_path / name).write_text(json.dumps(payload), encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_big_graph_edges_on_the_cpu_canvas(served: str) -> None:
    with offline_page(CANVAS_ARGS, {"width": 1000, "height": 700}, 60_000, failure_shot="canvas-big-failure.png") as page:
        page.goto(f"{served}/harness.html")
        page.wait_for_function("() => window.ready")
        frame = page.frames[1]
        page.evaluate("() => window.send('first.json')")
        frame.wait_for_function("() => window.__gbCanvas.firstPaintMs !== null")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "canvas-big.png"))
        state = frame.evaluate("() => ({renders: window.__gbCanvas.renders, drawing: window.__gbCanvas.drawing})")
        # SwiftShader is software WebGL: the cheap ways of drawing are chosen
        assert state["drawing"] == {"softwareWebGL": True, "edges": "cpu-canvas", "nodes": "webgl-point"}
        assert state["renders"] == 1, "one render message, one render"

        (ax, ay), (bx, by) = frame.evaluate(STAGE_XY, A), frame.evaluate(STAGE_XY, B)
        assert abs(ay - by) < 1 and bx - ax > 100  # alone on one horizontal line, far apart
        middle = [(ax + bx) / 2, ay]
        assert frame.evaluate(ALPHA_AT, middle) > 0, "the edge A-B is drawn between them"
        assert frame.evaluate(ALPHA_AT, [middle[0], middle[1] + 25]) == 0, "and nowhere beside it"

        # hiding A (only the options change: no new data) hides its edge, in one more render
        page.evaluate("() => window.send('hidden.json')")
        frame.wait_for_function("() => window.__gbCanvas.renders >= 2")
        page.wait_for_timeout(300)
        assert frame.evaluate("() => window.__gbCanvas.renders") == 2
        assert frame.evaluate(ALPHA_AT, middle) == 0, "an edge of a hidden node is not drawn"
