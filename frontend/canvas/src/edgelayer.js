// Edges rasterised on the CPU, for a big graph in a browser whose WebGL is itself a software
// rasteriser (SwiftShader, llvmpipe: a machine or a VM without a GPU). There, measured in headless
// Chromium on 2 cores, sigma's WebGL edges took 1.5-5 s a frame at 100,000 edges, a CPU-backed 2D
// canvas stroking the same lines ~0.1 s (docs/canvas.md). With a real GPU the WebGL programs stay.
//
// It is a sigma edge program, so sigma calls it at the right moment of its render (below the nodes,
// skipped while the camera moves when hideEdgesOnMove is on) with the reduced display data (hidden,
// colour, size) of every edge; it draws on its own canvas, placed under sigma's WebGL layers.
// Arrowheads for arrow edges; no GL picking, so the canvas finds the edge under the mouse itself
// (edgeAt, from the segments of the last frame).

export const LAYER = "edgesCPU";
const HEAD = 5, HEAD_HALF_WIDTH = 2.2; // px: about sigma's own arrowheads at the thinnest edge

export function softwareWebGL() {
  // the WebGL renderer's name, from a throwaway context: SwiftShader / llvmpipe / "Software" mean the CPU draws
  try {
    const gl = document.createElement("canvas").getContext("webgl");
    if (!gl) return false;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    const lose = gl.getExtension("WEBGL_lose_context");
    if (lose) lose.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(name);
  } catch {
    return false;
  }
}

export class CanvasEdgeProgram {
  constructor(_gl, _frameBuffer, renderer) {
    this.renderer = renderer;
    this.canvas = renderer.createCanvas(LAYER, { beforeLayer: "edges" });
    // willReadFrequently asks Chromium for a CPU-backed canvas: exactly the point here
    this.ctx = this.canvas.getContext("2d", { willReadFrequently: true });
    this.src = []; this.tgt = []; this.data = [];
    this.count = 0;
    this.fingerprints = [];
    this.hits = { x1: new Float32Array(0), y1: new Float32Array(0), x2: new Float32Array(0), y2: new Float32Array(0),
      ids: new Int32Array(0), n: 0 };
    // sigma clears its own layers at each render; this one is cleared with them, so edges hidden
    // while the camera moves are really gone from the screen
    this.onClear = () => this.clear();
    renderer.on("afterClear", this.onClear);
  }

  reallocate(capacity) {
    this.count = capacity;
    this.src.length = capacity; this.tgt.length = capacity; this.data.length = capacity;
    this.fingerprints.length = capacity;
    if (this.hits.ids.length < capacity) {
      const h = this.hits;
      h.x1 = new Float32Array(capacity); h.y1 = new Float32Array(capacity); h.x2 = new Float32Array(capacity);
      h.y2 = new Float32Array(capacity); h.ids = new Int32Array(capacity);
    }
    this.hits.n = 0;
  }

  process(fingerprint, position, sourceData, targetData, data) {
    this.src[position] = sourceData; this.tgt[position] = targetData; this.data[position] = data;
    this.fingerprints[position] = fingerprint;
  }

  // the key of the edge drawn nearest (x, y) (stage pixels) within `tolerance` px, or null
  edgeAt(x, y, tolerance = 4) {
    const h = this.hits;
    let best = null, bestD = tolerance * tolerance;
    for (let i = 0; i < h.n; i++) {
      const dx = h.x2[i] - h.x1[i], dy = h.y2[i] - h.y1[i];
      const len = dx * dx + dy * dy;
      const k = len > 0 ? Math.max(0, Math.min(1, ((x - h.x1[i]) * dx + (y - h.y1[i]) * dy) / len)) : 0;
      const ex = h.x1[i] + k * dx - x, ey = h.y1[i] + k * dy - y;
      const d = ex * ex + ey * ey;
      if (d <= bestD) { bestD = d; best = h.ids[i]; }
    }
    const item = best === null ? null : this.renderer.itemIDsIndex[best];
    return item && item.type === "edge" ? item.id : null;
  }

  clear() {
    const c = this.canvas;
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, c.width, c.height);
  }

  render(params) {
    const { width, height, pixelRatio: pr, matrix: m } = params;
    const c = this.canvas;
    if (c.width !== Math.round(width * pr) || c.height !== Math.round(height * pr)) {
      c.width = Math.round(width * pr); c.height = Math.round(height * pr);
    }
    c.style.width = `${width}px`; c.style.height = `${height}px`;
    const ctx = this.ctx;
    this.clear();
    ctx.setTransform(pr, 0, 0, pr, 0, 0);
    ctx.lineCap = "butt";
    // framed graph coordinates → clip space (sigma's camera matrix, as its shaders apply it) → CSS pixels
    const a00 = m[0], a01 = m[1], a10 = m[3], a11 = m[4], a20 = m[6], a21 = m[7];
    const hw = width / 2, hh = height / 2;
    const radius = this.renderer.scaleSize(1); // a node's drawn radius per unit of its size
    const h = this.hits;
    h.n = 0;
    // one path per colour and width (usually one in all): a single stroke of many segments is what a
    // CPU rasteriser does fastest
    const paths = new Map();
    for (let i = 0; i < this.count; i++) {
      const d = this.data[i], s = this.src[i], t = this.tgt[i];
      if (!d || d.hidden || s.hidden || t.hidden) continue;
      const x1 = (1 + s.x * a00 + s.y * a10 + a20) * hw, y1 = (1 - (s.x * a01 + s.y * a11 + a21)) * hh;
      const x2 = (1 + t.x * a00 + t.y * a10 + a20) * hw, y2 = (1 - (t.x * a01 + t.y * a11 + a21)) * hh;
      // both ends beyond the same side of the view: nothing of it is visible
      if ((x1 < 0 && x2 < 0) || (x1 > width && x2 > width) || (y1 < 0 && y2 < 0) || (y1 > height && y2 > height)) continue;
      const key = `${d.color}|${d.size}`;
      let path = paths.get(key);
      if (!path) { path = { color: d.color, size: d.size, p: new Path2D(), heads: null }; paths.set(key, path); }
      let ex = x2, ey = y2;
      if (d.type === "arrow") {
        // stop at the target's rim, and a filled head there
        const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy);
        const r = t.size * radius;
        if (len > r + HEAD) {
          const ux = dx / len, uy = dy / len;
          const tipX = x2 - ux * r, tipY = y2 - uy * r;
          ex = tipX - ux * HEAD; ey = tipY - uy * HEAD;
          if (!path.heads) path.heads = new Path2D();
          path.heads.moveTo(tipX, tipY);
          path.heads.lineTo(ex - uy * HEAD_HALF_WIDTH, ey + ux * HEAD_HALF_WIDTH);
          path.heads.lineTo(ex + uy * HEAD_HALF_WIDTH, ey - ux * HEAD_HALF_WIDTH);
          path.heads.closePath();
        }
      }
      path.p.moveTo(x1, y1);
      path.p.lineTo(ex, ey);
      h.x1[h.n] = x1; h.y1[h.n] = y1; h.x2[h.n] = x2; h.y2[h.n] = y2; h.ids[h.n] = this.fingerprints[i]; h.n += 1;
    }
    for (const { color, size, p, heads } of paths.values()) {
      ctx.strokeStyle = color;
      ctx.lineWidth = Math.max(1, size);
      ctx.stroke(p);
      if (heads) { ctx.fillStyle = color; ctx.fill(heads); }
    }
  }

  kill() {
    this.renderer.off("afterClear", this.onClear);
    if (this.renderer.elements[LAYER]) this.renderer.killLayer(LAYER);
  }
}
