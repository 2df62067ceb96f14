// Edges rasterised on the CPU, for a big graph in a browser whose WebGL is itself a software
// rasteriser (SwiftShader, llvmpipe: a machine or a VM without a GPU). There, measured in headless
// Chromium on 2 cores, sigma's WebGL edges took 1.5-5 s a frame at 100,000 edges, a CPU-backed 2D
// canvas stroking the same lines ~0.1 s (docs/canvas.md). With a real GPU the WebGL programs stay.
//
// It is a sigma edge program, so sigma calls it at the right moment of its render (below the nodes,
// skipped while the camera moves when hideEdgesOnMove is on) with the reduced display data (hidden,
// colour, size) of every edge; it draws on its own canvas, placed under sigma's WebGL layers.
// Lines only, without arrowheads, and no edge picking (sigma's edge events stay off at this size).

const LAYER = "edgesCPU";

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
    // sigma clears its own layers at each render; this one is cleared with them, so edges hidden
    // while the camera moves are really gone from the screen
    this.onClear = () => this.clear();
    renderer.on("afterClear", this.onClear);
  }

  reallocate(capacity) {
    this.count = capacity;
    this.src.length = capacity; this.tgt.length = capacity; this.data.length = capacity;
  }

  process(_fingerprint, position, sourceData, targetData, data) {
    this.src[position] = sourceData; this.tgt[position] = targetData; this.data[position] = data;
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
      if (!path) { path = { color: d.color, size: d.size, p: new Path2D() }; paths.set(key, path); }
      path.p.moveTo(x1, y1);
      path.p.lineTo(x2, y2);
    }
    for (const { color, size, p } of paths.values()) {
      ctx.strokeStyle = color;
      ctx.lineWidth = Math.max(1, size);
      ctx.stroke(p);
    }
  }

  kill() {
    this.renderer.off("afterClear", this.onClear);
    if (this.renderer.elements[LAYER]) this.renderer.killLayer(LAYER);
  }
}
