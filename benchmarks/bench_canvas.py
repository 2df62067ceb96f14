"""The graph canvas at 20,000 nodes / 100,000 edges in headless Chromium with software WebGL (SwiftShader):
time to the first frame and the pan frame rate, beside a 2,000 / 10,000 reference measured in the same run.

    .venv/bin/python benchmarks/bench_canvas.py [--nodes 20000 --edges 100000] [--ref-nodes 2000 --ref-edges 10000]
                                                [--streamlit]

Two ways in, both through the bundle the package ships (graphbench/viz/canvas/bundle):
- component: the bundle in an iframe of a small harness page, sent the payload the way Streamlit sends
  it (a ``streamlit:render`` message). first frame = message sent → the end of sigma's first render of
  the whole payload (data, colours and options applied: the canvas renders once per message); first
  paint = → that frame on screen: two animation frames later, a 1-pixel read of every layer (which
  waits until the GPU — here SwiftShader on the CPU — has finished drawing it), then one more frame for
  the compositor. The bundle records both (window.__gbCanvas.firstFrameMs / firstPaintMs).
- ``--streamlit``: a real Streamlit server draws the same graph with ``app_pages.canvas.graph_canvas``
  (what Explore calls); first frame = page opened → first render in the component (this includes
  Streamlit's start of the session, its JSON of the args and the websocket).

The graph is generated (planted groups, a few hubs) with a layout precomputed in Python (group centres
on a circle, members scattered around them), as a big graph is drawn: ForceAtlas2 in the browser is
for the small neighbourhoods Explore opens. Pan: the camera moved every animation frame for 3 s
(every edge drawn), and a real mouse drag (sigma hides edges while the mouse moves above 50,000
edges). "drawn with" is how the canvas chose to draw (window.__gbCanvas.drawing): with software WebGL
and a big graph, edges on a CPU canvas and nodes as GL points (docs/canvas.md). Writes
benchmarks/out/bench_canvas.json.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LABELS = ["Account", "Listing", "PaymentChannel", "Hashtag", "Phone"]

HARNESS = """<!doctype html><html><body style="margin:0">
<iframe id="c" src="bundle/index.html" style="width:1400px;height:800px;border:0"></iframe>
<script>
window.ready = false;
window.addEventListener("message", (e) => {
  if (e.data && e.data.type === "streamlit:componentReady") window.ready = true;
});
window.sendPayload = async (name) => {
  // as Streamlit does: the args arrive as JSON text, are parsed here, then posted to the component
  const payload = await (await fetch(name)).json();
  window.sentAt = performance.timeOrigin + performance.now();
  document.getElementById("c").contentWindow.postMessage({type: "streamlit:render", args: {payload}}, "*");
};
</script></body></html>"""


def generated(nodes: int, edges: int, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """Planted groups of ~50 nodes, 80 % of edges inside a group, a few hubs; positions precomputed."""
    rng = random.Random(seed)
    groups = max(1, nodes // 50)
    node_rows = []
    for i in range(nodes):
        group = i % groups
        angle = 2 * math.pi * group / groups
        radius = 100 * math.sqrt(groups)
        node_rows.append({"id": f"{LABELS[i % len(LABELS)]}:p:{i}", "label": LABELS[i % len(LABELS)],
                          "platform": "p", "handle": f"user{i}", "community": group,
                          "x": radius * math.cos(angle) + rng.gauss(0, 25), "y": radius * math.sin(angle) + rng.gauss(0, 25)})
    members: list[list[int]] = [[] for _ in range(groups)]
    for i in range(nodes):
        members[i % groups].append(i)
    edge_rows = []
    for _ in range(edges):
        a = rng.randrange(nodes)
        b = rng.choice(members[a % groups]) if rng.random() < 0.8 else rng.randrange(min(nodes, 200))
        edge_rows.append({"source": node_rows[a]["id"], "target": node_rows[b]["id"], "type": "LINKS_TO"})
    return node_rows, edge_rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


PAN_JS = """async (ms) => {
  const r = window.__gbCanvasAPI.renderer(), cam = r.getCamera(), s0 = cam.getState();
  const start = window.__gbCanvas.renders, t0 = performance.now();
  await new Promise((done) => {
    const step = (t) => {
      const k = (t - t0) / ms;
      cam.setState({ x: s0.x + 0.1 * Math.sin(k * 2 * Math.PI), y: s0.y + 0.05 * Math.cos(k * 2 * Math.PI) });
      if (t - t0 < ms) requestAnimationFrame(step); else done();
    };
    requestAnimationFrame(step);
  });
  const seconds = (performance.now() - t0) / 1000;
  cam.setState(s0);
  return (window.__gbCanvas.renders - start) / seconds;
}"""


def _drag_fps(page, frame_box: dict, frame) -> float:
    """A real mouse drag across the stage: frames rendered per second while it lasts."""
    start = frame.evaluate("() => window.__gbCanvas.renders")
    x, y = frame_box["x"] + 700, frame_box["y"] + 400
    page.mouse.move(x, y)
    page.mouse.down()
    t0 = time.perf_counter()
    for i in range(60):
        page.mouse.move(x + 200 * math.sin(i / 10), y + 100 * math.cos(i / 10))
        page.wait_for_timeout(16)
    page.mouse.up()
    seconds = time.perf_counter() - t0
    return (frame.evaluate("() => window.__gbCanvas.renders") - start) / seconds


def measure_component(browser, base: str, name: str) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    page.goto(f"{base}/harness.html")
    page.wait_for_function("() => window.ready")
    frame = page.frames[1]
    page.evaluate("(n) => window.sendPayload(n)", name)
    frame.wait_for_function("() => window.__gbCanvas.firstPaintMs !== null", timeout=120_000)
    sent = page.evaluate("() => window.sentAt")
    first, painted, apply_ms, drawing = frame.evaluate(
        "() => [performance.timeOrigin + window.__gbCanvas.firstFrameMs, performance.timeOrigin + window.__gbCanvas.firstPaintMs,"
        " window.__gbCanvas.lastApplyMs, window.__gbCanvas.drawing]")
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUT / f"canvas-{name.removesuffix('.json')}.png"))  # to look at: is it readable?
    pan = frame.evaluate(PAN_JS, 3000)
    drag = _drag_fps(page, page.locator("#c").bounding_box(), frame)
    page.close()
    return {"first_frame_s": (first - sent) / 1000, "first_paint_s": (painted - sent) / 1000, "pan_fps": pan,
            "drag_fps": drag, "apply_s": apply_ms / 1000, "drawing": drawing}


def measure_streamlit(browser, nodes: list[dict], edges: list[dict], folder: Path) -> dict:
    data = folder / "graph.json"
    data.write_text(json.dumps({"nodes": nodes, "edges": edges}))
    script = folder / "canvas_page.py"
    script.write_text("\n".join([
        "import json, sys", f"sys.path.insert(0, {str(ROOT)!r})", "import streamlit as st",
        "from app_pages.canvas import graph_canvas", "@st.cache_data", "def load():",
        f"    return json.load(open({str(data)!r}))", "g = load()",
        "graph_canvas(g['nodes'], g['edges'], key='bench', layout='none', color_by='community', height=700)", ""]))
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for _ in range(120):
            try:
                page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                break
            except Exception:  # noqa: BLE001 - the server is still starting
                time.sleep(0.5)
        page.locator('iframe[title*="graph_canvas"]').first.wait_for(timeout=120_000)
        page.reload()  # a warm server (the graph is cached): the analyst's view, not the server's start
        opened = page.evaluate("() => performance.timeOrigin")
        handle = page.locator('iframe[title*="graph_canvas"]').first
        handle.wait_for(timeout=120_000)
        frame = handle.element_handle().content_frame()
        frame.wait_for_function("() => window.__gbCanvas && window.__gbCanvas.firstPaintMs !== null", timeout=120_000)
        painted = frame.evaluate("() => performance.timeOrigin + window.__gbCanvas.firstPaintMs")
        return {"page_to_paint_s": (painted - opened) / 1000}
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--edges", type=int, default=100_000)
    parser.add_argument("--ref-nodes", type=int, default=2_000)
    parser.add_argument("--ref-edges", type=int, default=10_000)
    parser.add_argument("--streamlit", action="store_true", help="also through a real Streamlit server")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from graphbench.viz.canvas import BUNDLE_DIR, canvas_payload

    rows = []
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        shutil.copytree(BUNDLE_DIR, folder / "bundle")
        (folder / "harness.html").write_text(HARNESS)
        server, base = _serve(folder)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n, m in ((args.ref_nodes, args.ref_edges), (args.nodes, args.edges)):
            nodes, edges = generated(n, m)
            t0 = time.perf_counter()
            payload = canvas_payload(nodes, edges, layout="none", color_by="community")
            build = time.perf_counter() - t0
            text = json.dumps(payload, separators=(",", ":"))
            (folder / f"payload-{n}.json").write_text(text)
            row = {"nodes": n, "edges": m, "payload_build_s": build, "payload_mb": len(text) / 1e6,
                   **measure_component(browser, base, f"payload-{n}.json")}
            if args.streamlit:
                row.update(measure_streamlit(browser, nodes, edges, folder))
            rows.append(row)
            print(f"measured {n} nodes / {m} edges", file=sys.stderr, flush=True)
        browser.close()
        server.shutdown()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_canvas.json").write_text(json.dumps(rows, indent=2))
    print("### Graph canvas (sigma.js, SwiftShader WebGL, headless Chromium)\n")
    print("| nodes | edges | drawn with | payload (Python) | payload size | message handled (JS) | first frame |"
          " first paint | pan, camera (fps) | pan, mouse drag (fps) |" + (" page → paint (Streamlit) |" if args.streamlit else ""))
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if args.streamlit else ""))
    for r in rows:
        drawn = r["drawing"] or {}
        print(f"| {r['nodes']:,} | {r['edges']:,} | edges {drawn.get('edges')}, nodes {drawn.get('nodes')} |"
              f" {r['payload_build_s']:.2f} s | {r['payload_mb']:.1f} MB | {r['apply_s']:.2f} s |"
              f" {r['first_frame_s']:.2f} s | {r['first_paint_s']:.2f} s | {r['pan_fps']:.1f} | {r['drag_fps']:.1f} |"
              + (f" {r['page_to_paint_s']:.2f} s |" if args.streamlit else ""))
    print("\nfirst frame: payload message sent → the end of the canvas's first render; first paint: → that frame "
          "rasterised (GPU fence) and shown. "
          f"The first row is the reference, measured in the same run; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores (SwiftShader rasterises on the CPU, so a busy machine slows every frame).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
