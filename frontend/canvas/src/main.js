// graphbench's graph canvas: a two-way Streamlit component on sigma.js (WebGL) + graphology.
// Python sends a compact, column-wise payload (graphbench.viz.canvas.canvas_payload); the canvas sends
// back {selected, pinned, hidden, event, node, seq} on a click, a double-click (expand), a lasso, pin
// or hide. Data changes are applied as a diff, so nodes already on screen keep their place.

import { MultiDirectedGraph } from "graphology";
import Sigma from "sigma";
import { NodePointProgram } from "sigma/rendering";
import FA2Layout from "graphology-layout-forceatlas2/worker";
import forceAtlas2 from "graphology-layout-forceatlas2";
import { toBlob } from "@sigma/export-image";
import { Streamlit } from "./streamlit.js";
import { createLabelGuard, installLabelGuard } from "./labels.js";
import { CanvasEdgeProgram, softwareWebGL } from "./edgelayer.js";
import { amountTotals, nodeCategory, nodeSizes } from "./colours.js";
import { viewToSVG } from "./svg.js";
import { buildUI } from "./ui.js";

const state = {
  selected: new Set(), pinned: new Set(), hidden: new Set(), labelBoxes: [], seq: 0,
  colorBy: "label", sizeBy: "degree", density: 1, window: [null, null], legend: [],
  firstFrameMs: null, firstPaintMs: null, renders: 0, lastExport: null, lastSent: null, dataKey: null, optionsKey: null,
  // a new id each time the frame loads, so Python can tell a fresh canvas's seq 1 from an old one's
  session: Math.random().toString(36).slice(2),
};
window.__gbCanvas = state; // read by the browser tests and the benchmark
// where a node is drawn, in the frame's CSS pixels (the tests click there), and the renderer itself
window.__gbCanvasAPI = {
  position(node) {
    const d = renderer.getNodeDisplayData(node);
    if (!d || d.hidden) return null;
    const p = renderer.framedGraphToViewport(d);
    const r = ui.stage.getBoundingClientRect();
    return { x: p.x + r.left, y: p.y + r.top, size: renderer.scaleSize(d.size) };
  },
  layoutRunning: () => Boolean(layout && layout.isRunning()) || Boolean(layoutTimer),
  stopLayout: () => stopLayout(),
  renderer: () => renderer,
  nodes: () => graph.nodes(),
};

const graph = new MultiDirectedGraph();
let renderer = null;
let layout = null;
let layoutTimer = null;
let held = []; // nodes fixed only while the current layout runs
let labelColours = {};
let communityNames = {};
let timeRange = null; // [min, max] epoch seconds over nodes and edges, or null
let hiddenNow = new Set(); // hidden by the analyst or by the time window: what the reducers read
// inside one render message, redraws and recolours wait for its end: one full refresh, not one per step
let batching = 0, pendingRefresh = false, pendingRecolour = false, pendingLayout = null;
// sigma re-indexes every node and edge on setSetting; these settings it only reads while drawing
const RENDER_TIME_SETTINGS = new Set(["labelDensity", "labelRenderedSizeThreshold", "renderEdgeLabels"]);
const labelGuard = createLabelGuard(state);

// sigma, with graphbench's steps around each render: the label guard's reset before, the frame count
// and first-paint timing after (hooks on the class, so the render sigma does in its constructor has them too)
class CanvasSigma extends Sigma {
  // sigma 3.0.3's addEdge, the same steps, with the attributes copied by object spread: V8 clones the
  // object's shape at once where Object.assign adds the properties one by one, and at 100,000 edges that
  // copy was the largest single cost of the first frame
  addEdge(key) {
    const s = this.settings;
    let data = { ...this.graph.getEdgeAttributes(key) };
    if (s.edgeReducer) data = s.edgeReducer(key, data);
    if (!data.color) data.color = s.defaultEdgeColor;
    if (!data.label) data.label = "";
    if (!data.size) data.size = 0.5;
    if (!Object.prototype.hasOwnProperty.call(data, "hidden")) data.hidden = false;
    if (!Object.prototype.hasOwnProperty.call(data, "forceLabel")) data.forceLabel = false;
    if (!data.type || data.type === "") data.type = s.defaultEdgeType;
    if (!data.zIndex) data.zIndex = 0;
    this.edgeDataCache[key] = data;
    this.edgesWithForcedLabels.delete(key);
    if (data.forceLabel && !data.hidden) this.edgesWithForcedLabels.add(key);
    if (s.zIndex) {
      if (data.zIndex < this.edgeZExtent[0]) this.edgeZExtent[0] = data.zIndex;
      if (data.zIndex > this.edgeZExtent[1]) this.edgeZExtent[1] = data.zIndex;
    }
  }

  // sigma 3.0.3's addNode, likewise
  addNode(key) {
    const s = this.settings;
    let data = { ...this.graph.getNodeAttributes(key) };
    if (s.nodeReducer) data = s.nodeReducer(key, data);
    if (!Object.prototype.hasOwnProperty.call(data, "x") || !Object.prototype.hasOwnProperty.call(data, "y")) {
      throw new Error(`Sigma: could not find a valid position (x, y) for node "${key}".`);
    }
    if (!data.color) data.color = s.defaultNodeColor;
    if (!data.label && data.label !== "") data.label = null;
    if (data.label !== undefined && data.label !== null) data.label = `${data.label}`; else data.label = null;
    if (!data.size) data.size = 2;
    if (!Object.prototype.hasOwnProperty.call(data, "hidden")) data.hidden = false;
    if (!Object.prototype.hasOwnProperty.call(data, "highlighted")) data.highlighted = false;
    if (!Object.prototype.hasOwnProperty.call(data, "forceLabel")) data.forceLabel = false;
    if (!data.type || data.type === "") data.type = s.defaultNodeType;
    if (!data.zIndex) data.zIndex = 0;
    this.nodeDataCache[key] = data;
    this.nodesWithForcedLabels.delete(key);
    if (data.forceLabel && !data.hidden) this.nodesWithForcedLabels.add(key);
    this.highlightedNodes.delete(key);
    if (data.highlighted && !data.hidden) this.highlightedNodes.add(key);
    if (s.zIndex) {
      if (data.zIndex < this.nodeZExtent[0]) this.nodeZExtent[0] = data.zIndex;
      if (data.zIndex > this.nodeZExtent[1]) this.nodeZExtent[1] = data.zIndex;
    }
  }

  render() {
    labelGuard.beforeRender(this);
    super.render();
    afterRender(this);
    return this;
  }
}
const ui = buildUI({
  onColour: (rule) => { state.colorBy = rule; recolour(); },
  onSize: (rule) => { state.sizeBy = rule; nodeSizes(graph, rule); refresh(); },
  onDensity: (value) => setDensity(value),
  onWindow: (from, to) => { state.window = [from, to]; applyFilters(); },
  onPin: () => pinSelected(), onHide: () => hideSelected(), onShowAll: () => showAll(),
  onExpand: () => { const [node] = state.selected; if (node) send("expand", node); },
  onLayout: () => (layout && layout.isRunning() ? stopLayout() : startLayout(4000)),
  onFit: () => renderer && renderer.getCamera().animatedReset({ duration: 300 }),
  onPNG: () => exportPNG(), onSVG: () => exportSVG(),
});

// ---- talking to Python ----------------------------------------------------------------------------

function send(event, node = null) {
  state.seq += 1;
  const value = { selected: [...state.selected].sort(), pinned: [...state.pinned].sort(), hidden: [...state.hidden].sort(),
    event, node, seq: `${state.session}:${state.seq}` };
  state.lastSent = value;
  Streamlit.setComponentValue(value);
}

Streamlit.onRender((args) => {
  const payload = args.payload;
  if (!payload) return;
  const started = performance.now();
  batching += 1;
  try {
    if (payload.key !== state.dataKey) applyData(payload);
    const optionsKey = JSON.stringify(payload.options);
    if (optionsKey !== state.optionsKey) applyOptions(payload.options || {});
    state.optionsKey = optionsKey;
  } finally {
    batching -= 1;
  }
  const recolourNow = pendingRecolour, refreshNow = pendingRefresh;
  pendingRecolour = false; pendingRefresh = false;
  if (recolourNow) recolour(); // it refreshes
  else if (refreshNow) refresh();
  // the renderer is made once everything is in place, so its first render is the complete picture
  if (!renderer) createRenderer();
  if (pendingLayout) startLayout(...pendingLayout);
  pendingLayout = null;
  state.lastApplyMs = performance.now() - started;
});
Streamlit.setComponentReady();
// the toolbar wraps on a narrow column: tell Streamlit the frame's real height
new ResizeObserver(() => Streamlit.setFrameHeight(ui.totalHeight())).observe(document.getElementById("root"));

// ---- data -----------------------------------------------------------------------------------------

function hashedPosition(id, spread) {
  // a position from the id alone, so a first layout does not depend on row order
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  const a = ((h >>> 0) % 100000) / 100000 * Math.PI * 2;
  const r = Math.sqrt((((h >>> 16) ^ h) >>> 0) % 100000 / 100000) * spread;
  return { x: Math.cos(a) * r, y: Math.sin(a) * r };
}

function applyData(payload) {
  stopLayout(); // the worker holds a copy of the graph: never change the graph under it
  const n = payload.nodes, e = payload.edges;
  const ids = n.id;
  const incoming = new Set(ids);
  const existed = new Set(graph.nodes());
  labelColours = payload.options?.label_colours || labelColours;
  communityNames = payload.options?.community_names || {};
  graph.clearEdges();
  for (const node of existed) if (!incoming.has(node)) graph.dropNode(node);
  const given = Array.isArray(n.x) && Array.isArray(n.y);
  const fresh = [];
  for (let i = 0; i < ids.length; i++) {
    const attrs = { label: n.caption[i], nlabel: n.labels[n.label[i]], community: n.community ? n.community[i] : null,
      risk: n.risk ? n.risk[i] : null, followers: n.followers ? n.followers[i] : null, ts: n.ts ? n.ts[i] : null };
    if (given && n.x[i] !== null) Object.assign(attrs, { x: n.x[i], y: n.y[i] });
    if (graph.hasNode(ids[i])) graph.mergeNodeAttributes(ids[i], attrs);
    else {
      graph.addNode(ids[i], { x: 0, y: 0, size: 5, ...attrs });
      if (!(given && n.x[i] !== null)) fresh.push(ids[i]);
    }
  }
  const types = e.types || [];
  // thousands of overlapping edges: each faint, so where they crowd reads darker (no darker than the
  // usual edge grey) and a sparse region stays light
  const edgeColour = e.source.length > LINES_ABOVE ? "rgba(184, 194, 204, 0.5)" : "#b8c2cc";
  const currencies = e.currencies || [];
  // every edge is of the renderer's edge type (chosen by the graph's size when the renderer was made)
  const edgeType = renderer ? renderer.getSetting("defaultEdgeType") : e.source.length > LINES_ABOVE ? "line" : "arrow";
  for (let i = 0; i < e.source.length; i++) {
    const amount = e.amount ? e.amount[i] : null;
    const currency = e.currency && e.currency[i] !== null ? currencies[e.currency[i]] : null;
    const ts = e.ts ? e.ts[i] : null;
    // keyed by position (the payload's edges are sorted): graphology's key generator costs more than the edge
    graph.addEdgeWithKey(`e${i}`, ids[e.source[i]], ids[e.target[i]], { etype: types[e.type[i]] || "", amount, currency, ts,
      caption: edgeCaption(types[e.type[i]], amount, currency, ts), size: 1, color: edgeColour,
      // the fields sigma would add to each edge's display data, there from the start: its copy of the
      // attributes then has its final shape at once, which makes indexing 100,000 edges markedly cheaper
      label: "", hidden: false, forceLabel: false, type: edgeType, zIndex: 0 });
  }
  placeFresh(fresh, existed);
  amountTotals(graph);
  nodeSizes(graph, state.sizeBy);
  timeRange = computeTimeRange();
  ui.setTimeRange(timeRange);
  if (!timeRange) state.window = [null, null];
  state.dataKey = payload.key;
  for (const set of [state.selected, state.pinned, state.hidden]) for (const node of [...set]) if (!graph.hasNode(node)) set.delete(node);
  recolour();
  const layoutMode = payload.options?.layout || "auto";
  if (fresh.length && layoutMode !== "none") {
    // keep what was on screen where it was: only the newcomers move at first, then all settle briefly.
    // Started once the message is handled, so drawing the first frame does not eat the layout's time
    pendingLayout = [graph.order > 5000 ? 8000 : 2000, existed.size ? existed : null];
  }
}

function placeFresh(fresh, existed) {
  const spread = Math.max(10, Math.sqrt(graph.order) * 8);
  for (const node of fresh) {
    let anchor = null;
    graph.forEachNeighbor(node, (other) => { if (!anchor && existed.has(other)) anchor = other; });
    if (anchor) {
      const a = graph.getNodeAttributes(anchor);
      const j = hashedPosition(node, spread / 10);
      graph.mergeNodeAttributes(node, { x: a.x + j.x, y: a.y + j.y });
    } else graph.mergeNodeAttributes(node, hashedPosition(node, spread));
  }
}

function edgeCaption(type, amount, currency, ts) {
  const parts = [];
  if (amount !== null && amount !== undefined) parts.push(`${amount.toLocaleString("en", { maximumFractionDigits: 2 })}${currency ? " " + currency : ""}`);
  if (ts !== null && ts !== undefined) parts.push(new Date(ts * 1000).toISOString().slice(0, 10));
  return parts.join(" · "); // the relationship type alone is in the tooltip: as a caption on every edge it is clutter
}

function computeTimeRange() {
  let lo = Infinity, hi = -Infinity;
  graph.forEachNode((_, a) => { if (a.ts !== null && a.ts !== undefined) { lo = Math.min(lo, a.ts); hi = Math.max(hi, a.ts); } });
  graph.forEachEdge((_, a) => { if (a.ts !== null && a.ts !== undefined) { lo = Math.min(lo, a.ts); hi = Math.max(hi, a.ts); } });
  return lo <= hi ? [lo, hi] : null;
}

function applyOptions(options) {
  if (options.color_by) { state.colorBy = options.color_by; ui.setColour(options.color_by); }
  if (options.size_by) { state.sizeBy = options.size_by; ui.setSize(options.size_by); nodeSizes(graph, state.sizeBy); }
  if (options.label_density !== undefined) {
    ui.setDensity(options.label_density);
    setDensity(options.label_density);
  }
  for (const [name, set] of [["selected", state.selected], ["pinned", state.pinned], ["hidden", state.hidden]]) {
    if (!Array.isArray(options[name])) continue;
    set.clear();
    for (const node of options[name]) if (graph.hasNode(node)) set.add(node);
  }
  for (const node of state.pinned) graph.setNodeAttribute(node, "fixed", true);
  if (options.height) { ui.setHeight(options.height); Streamlit.setFrameHeight(ui.totalHeight()); }
  recolour();
}

// ---- drawing --------------------------------------------------------------------------------------

// Above these sizes, in a browser whose WebGL is a software rasteriser, the cheaper ways of drawing are
// used (docs/canvas.md, "Big graphs"): edges on a CPU canvas, nodes as GL points instead of circles.
const CPU_EDGES_ABOVE = 1000; // edges
const POINT_NODES_ABOVE = 5000; // nodes
const LINES_ABOVE = 20000; // edges, on any WebGL: lines without arrows, and no edge hover
// with software WebGL the CPU fills every pixel of every layer: on a HiDPI screen at most 1.5 device
// pixels per CSS pixel (text stays sharp enough, a quarter fewer pixels than at 2)
const SOFTWARE_MAX_PIXEL_RATIO = 1.5;

function capPixelRatio(max) {
  // sigma and its image export read window.devicePixelRatio; this document is the canvas's own iframe,
  // so nothing else on the page is affected
  const own = Object.getOwnPropertyDescriptor(window, "devicePixelRatio")
    || Object.getOwnPropertyDescriptor(Window.prototype, "devicePixelRatio");
  const real = own && own.get ? () => own.get.call(window) : () => 1;
  if (real() <= max) return;
  Object.defineProperty(window, "devicePixelRatio", { configurable: true, get: () => Math.min(max, real()) });
}

function createRenderer() {
  try {
    renderer = makeSigma(graph.size, graph.order);
  } catch (error) {
    ui.stage.textContent = `This browser cannot draw the canvas (WebGL is off or missing): ${error.message}`;
    throw error;
  }
  finishRenderer();
}

function makeSigma(edges, nodes) {
  const software = (edges > CPU_EDGES_ABOVE || nodes > POINT_NODES_ABOVE) && softwareWebGL();
  const cpuEdges = software && edges > CPU_EDGES_ABOVE;
  const edgeType = edges > LINES_ABOVE ? "line" : "arrow";
  if (software) capPixelRatio(SOFTWARE_MAX_PIXEL_RATIO);
  state.drawing = { softwareWebGL: software, edges: cpuEdges ? "cpu-canvas" : `webgl-${edgeType}`,
    nodes: software && nodes > POINT_NODES_ABOVE ? "webgl-point" : "webgl-circle", pixelRatio: window.devicePixelRatio || 1 };
  return new CanvasSigma(graph, ui.stage, {
    allowInvalidContainer: true,
    labelFont: "Arial, sans-serif", labelSize: 12, labelWeight: "normal",
    labelGridCellSize: 100, ...densitySettings(state.density),
    defaultDrawNodeLabel: labelGuard.drawLabel,
    defaultEdgeType: edgeType,
    ...(cpuEdges ? { edgeProgramClasses: { [edgeType]: CanvasEdgeProgram } } : {}),
    ...(state.drawing.nodes === "webgl-point" ? { nodeProgramClasses: { circle: NodePointProgram } } : {}),
    // edge hover: sigma's GL picking, or the CPU layer's own hit test (bindEvents)
    enableEdgeEvents: edges <= LINES_ABOVE && !cpuEdges,
    hideEdgesOnMove: edges > 50000,
    renderEdgeLabels: wantEdgeLabels(1), edgeLabelSize: 10, edgeLabelFont: "Arial, sans-serif",
    zIndex: true,
    // sigma hands the reducers a copy of the attributes: changed in place, no second copy per item
    nodeReducer: (node, data) => {
      if (hiddenNow.has(node)) data.hidden = true;
      if (state.selected.has(node)) { data.highlighted = true; data.forceLabel = true; data.zIndex = 2; }
      if (state.pinned.has(node)) { data.forceLabel = true; data.label = `◆ ${data.label}`; data.zIndex = 1; }
      return data;
    },
    edgeReducer: (edge, data) => {
      data.label = data.caption || null;
      if (hiddenNow.size && (hiddenNow.has(graph.source(edge)) || hiddenNow.has(graph.target(edge)))) data.hidden = true;
      else if (!inWindow(data.ts)) data.hidden = true;
      return data;
    },
  });
}

// edge captions (amounts, dates) once zoomed in far enough for them to be read, or on small graphs
function wantEdgeLabels(ratio) {
  return ratio < 0.35 || graph.size <= 150;
}

function afterRender(r) {
  state.renders += 1;
  if (state.firstFrameMs !== null) return;
  state.firstFrameMs = performance.now();
  // painted: two frames later, the GPU made to finish what the render queued (a 1-pixel read of each
  // layer waits for it), and one more frame for the compositor to show it
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const px = new Uint8Array(4);
    for (const gl of Object.values(r.webGLContexts)) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    for (const ctx of Object.values(r.canvasContexts)) ctx.getImageData(0, 0, 1, 1);
    requestAnimationFrame(() => { state.firstPaintMs = performance.now(); });
  }));
}

// sigma re-indexes every node and edge on any window resize (for its label grid); this window is the
// component's iframe, which Streamlit resizes whenever the frame height is set, while the stage keeps
// its size: only a real change of the stage's size is worth that refresh
function refreshOnlyWhenTheStageResizes(r) {
  window.removeEventListener("resize", r.activeListeners.handleResize);
  let last = `${r.container.offsetWidth}x${r.container.offsetHeight}`;
  r.activeListeners.handleResize = () => {
    const now = `${r.container.offsetWidth}x${r.container.offsetHeight}`;
    if (now === last) return;
    last = now;
    r.scheduleRefresh();
  };
  window.addEventListener("resize", r.activeListeners.handleResize);
}

function finishRenderer() {
  refreshOnlyWhenTheStageResizes(renderer);
  renderer.getCamera().on("updated", (cam) => {
    const want = wantEdgeLabels(cam.ratio);
    if (renderer.getSetting("renderEdgeLabels") !== want) setRenderSettings({ renderEdgeLabels: want });
  });
  bindEvents();
  Streamlit.setFrameHeight(ui.totalHeight());
}

function setRenderSettings(values) {
  for (const key of Object.keys(values)) if (!RENDER_TIME_SETTINGS.has(key)) throw new Error(`${key} is not read at render time`);
  Object.assign(renderer.settings, values);
  renderer.scheduleRender();
}

// the density slider: more labels per grid cell, and smaller nodes get theirs too (at 0, only the
// selected and pinned nodes are labelled); the guard still drops whatever would overlap
function densitySettings(value) {
  return { labelRenderedSizeThreshold: value <= 0 ? 1000 : Math.max(0, 6 - 1.5 * value), labelDensity: value };
}

function setDensity(value) {
  state.density = value;
  if (renderer) setRenderSettings(densitySettings(value));
}

function refresh() {
  if (!renderer) return;
  if (batching) { pendingRefresh = true; return; }
  renderer.refresh();
}

function inWindow(ts) {
  if (ts === null || ts === undefined) return true;
  const [from, to] = state.window;
  return (from === null || ts >= from) && (to === null || ts <= to);
}

function applyFilters() {
  hiddenNow = new Set(state.hidden);
  if (state.window[0] !== null || state.window[1] !== null) {
    graph.forEachNode((node, a) => { if (!inWindow(a.ts)) hiddenNow.add(node); });
  }
  updateLegend();
  refresh();
}

function recolour() {
  if (batching) { pendingRecolour = true; return; }
  pendingRecolour = false;
  graph.forEachNode((node, attrs) => {
    const [name, colour] = nodeCategory(state.colorBy, attrs, labelColours, communityNames);
    graph.mergeNodeAttributes(node, { color: colour, category: name });
  });
  applyFilters();
}

function updateLegend() {
  // only what is drawn: visible nodes, counted per category
  const counts = new Map();
  graph.forEachNode((node, a) => {
    if (hiddenNow.has(node)) return;
    const [name, colour, order] = nodeCategory(state.colorBy, a, labelColours, communityNames);
    const item = counts.get(name) || { name, colour, order, count: 0 };
    item.count += 1;
    counts.set(name, item);
  });
  state.legend = [...counts.values()].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.name < b.name ? -1 : 1));
  let edges = 0;
  graph.forEachEdge((edge, a, s, t) => { if (!hiddenNow.has(s) && !hiddenNow.has(t) && inWindow(a.ts)) edges += 1; });
  ui.setLegend(state.legend);
  ui.setStatus(`${graph.order - hiddenNow.size} of ${graph.order} nodes, ${edges} of ${graph.size} edges drawn`
    + (state.selected.size ? ` · ${state.selected.size} selected` : ""));
}

// ---- interaction ----------------------------------------------------------------------------------

function select(nodes, additive) {
  if (!additive) state.selected.clear();
  for (const node of nodes) state.selected.add(node);
  updateLegend();
  refresh();
}

function pinSelected() {
  const all = [...state.selected].every((n) => state.pinned.has(n));
  for (const node of state.selected) {
    if (all) { state.pinned.delete(node); graph.removeNodeAttribute(node, "fixed"); } else { state.pinned.add(node); graph.setNodeAttribute(node, "fixed", true); }
  }
  refresh();
  send("pin", [...state.selected][0] || null);
}

function hideSelected() {
  for (const node of state.selected) state.hidden.add(node);
  state.selected.clear();
  applyFilters();
  send("hide");
}

function showAll() {
  state.hidden.clear();
  applyFilters();
  send("show_all");
}

function bindEvents() {
  let dragged = null;
  let moved = false;
  renderer.on("clickNode", ({ node, event }) => {
    if (moved) return;
    const additive = event.original.ctrlKey || event.original.metaKey;
    if (additive && state.selected.has(node)) state.selected.delete(node);
    else select([node], additive);
    updateLegend();
    refresh();
    send("select", node);
  });
  renderer.on("doubleClickNode", ({ node, preventSigmaDefault }) => {
    preventSigmaDefault(); // no zoom: a double-click asks Python for the node's neighbours
    select([node], false);
    send("expand", node);
  });
  renderer.on("clickStage", () => {
    if (!state.selected.size) return;
    state.selected.clear();
    updateLegend();
    refresh();
    send("select");
  });
  renderer.on("doubleClickStage", ({ preventSigmaDefault }) => preventSigmaDefault());
  // dragging a node moves it and pins it there (the layout leaves it alone)
  renderer.on("downNode", ({ node }) => { dragged = node; moved = false; });
  renderer.getMouseCaptor().on("mousemovebody", (e) => {
    if (!dragged) return;
    moved = true;
    const p = renderer.viewportToGraph(e);
    graph.mergeNodeAttributes(dragged, { x: p.x, y: p.y, fixed: true });
    state.pinned.add(dragged);
    e.preventSigmaDefault();
    e.original.preventDefault();
    e.original.stopPropagation();
  });
  renderer.getMouseCaptor().on("mouseup", () => {
    if (dragged && moved) send("pin", dragged);
    dragged = null;
    setTimeout(() => { moved = false; }, 0);
  });
  // edges on the CPU canvas have no GL picking: hovering them is the layer's own hit test, a node's
  // hover going first
  const cpuLayer = state.drawing.edges === "cpu-canvas" && graph.size <= LINES_ABOVE
    ? renderer.edgePrograms[renderer.getSetting("defaultEdgeType")] : null;
  let overNode = false, tipEdge = null;
  renderer.on("enterNode", () => { overNode = true; tipEdge = null; });
  renderer.on("leaveNode", () => { overNode = false; });
  if (cpuLayer) {
    renderer.getMouseCaptor().on("mousemovebody", (e) => {
      if (overNode || dragged) return;
      const edge = cpuLayer.edgeAt(e.x, e.y);
      if (edge === tipEdge) return;
      tipEdge = edge;
      ui.showTip(edge ? edgeTip(edge) : null);
    });
  }
  renderer.on("enterEdge", ({ edge }) => ui.showTip(edgeTip(edge)));
  renderer.on("leaveEdge", () => ui.showTip(null));
  renderer.on("enterNode", ({ node }) => ui.showTip(node));
  renderer.on("leaveNode", () => ui.showTip(null));
  ui.onLasso((polygon) => {
    const inside = [];
    graph.forEachNode((node) => {
      if (hiddenNow.has(node)) return;
      const p = renderer.graphToViewport(renderer.getNodeDisplayData(node));
      if (pointInPolygon(p.x, p.y, polygon)) inside.push(node);
    });
    select(inside, true);
    send("lasso");
  });
  window.addEventListener("keydown", (e) => {
    if (e.target && ["INPUT", "SELECT"].includes(e.target.tagName)) return;
    if (e.key === "Escape") { state.selected.clear(); updateLegend(); refresh(); send("select"); }
    if (e.key === "p") pinSelected();
    if (e.key === "h") hideSelected();
    if (e.key === "e" && state.selected.size) send("expand", [...state.selected][0]);
  });
}

function edgeTip(edge) {
  const a = graph.getEdgeAttributes(edge);
  return `${graph.source(edge)} —${a.etype}→ ${graph.target(edge)}${a.caption ? " · " + a.caption : ""}`;
}

function pointInPolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// ---- layout ---------------------------------------------------------------------------------------

function startLayout(ms, holdStill = null) {
  // holdStill: the nodes already on screen stay exactly where they are while the newcomers find room
  stopLayout();
  if (graph.order < 2) return;
  held = holdStill ? [...holdStill].filter((n) => graph.hasNode(n) && !graph.getNodeAttribute(n, "fixed")) : [];
  for (const node of held) graph.setNodeAttribute(node, "fixed", true);
  const settings = forceAtlas2.inferSettings(graph);
  settings.barnesHutOptimize = graph.order > 1000;
  layout = new FA2Layout(graph, { settings });
  layout.start();
  ui.setLayoutRunning(true);
  layoutTimer = setTimeout(stopLayout, ms);
}

function stopLayout() {
  if (layoutTimer) clearTimeout(layoutTimer);
  layoutTimer = null;
  if (layout) { layout.kill(); layout = null; }
  for (const node of held) if (graph.hasNode(node) && !state.pinned.has(node)) graph.removeNodeAttribute(node, "fixed");
  held = [];
  ui.setLayoutRunning(false);
}

// ---- export ---------------------------------------------------------------------------------------

function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function exportPNG() {
  // the copy sigma draws the image with gets its own label guard (the screen's boxes are not its own)
  const withTempRenderer = (tmp) => {
    const guard = installLabelGuard(tmp, { selected: state.selected, pinned: state.pinned, labelBoxes: [] });
    tmp.setSetting("defaultDrawNodeLabel", guard);
    tmp.refresh();
  };
  // layers bottom to top: the CPU edge layer (when there is one) was made last but lies under the rest
  const layers = Object.keys(renderer.getCanvases()).sort((a, b) => (b === "edgesCPU") - (a === "edgesCPU"));
  const blob = await toBlob(renderer, { format: "png", backgroundColor: "#ffffff", withTempRenderer, layers });
  state.lastExport = { format: "png", bytes: blob.size, type: blob.type };
  download(blob, "graph.png");
}

function exportSVG() {
  const text = viewToSVG(renderer, state, state.legend);
  const blob = new Blob([text], { type: "image/svg+xml" });
  state.lastExport = { format: "svg", bytes: blob.size, type: blob.type, nodes: (text.match(/<circle/g) || []).length };
  download(blob, "graph.svg");
}
