// Labels that never overlap. Sigma's label grid picks at most `labelDensity` labels per cell, but two
// labels in neighbouring cells can still cover each other; this guard draws a label only when its
// box is free, biggest and selected nodes first, and keeps the boxes it drew (for the SVG export
// and for tests, which read them from window.__gbCanvas.labelBoxes).

const BUCKET = 64; // px: boxes are bucketed so a frame with thousands of candidates stays linear

// The guard for a renderer made elsewhere (the PNG export's copy): hooked on its beforeRender event.
export function installLabelGuard(renderer, state) {
  const guard = createLabelGuard(state);
  guard.beforeRender(renderer);
  renderer.on("beforeRender", () => guard.beforeRender(renderer));
  return guard.drawLabel;
}

// {drawLabel, beforeRender(renderer)}: drawLabel is sigma's defaultDrawNodeLabel, beforeRender must
// run before each render of that renderer (main.js calls it from its Sigma subclass, so that even the
// render sigma does in its constructor is guarded).
export function createLabelGuard(state) {
  let boxes = [];
  let buckets = new Map();
  state.labelBoxes = boxes;
  // draw order: selected, then pinned, then bigger nodes; ties by key so the picture is stable.
  // sigma makes a new label grid whenever the graph is cleared, so the grid is wrapped again then.
  let wrapped = null;
  const wrapGrid = (renderer) => {
    const grid = renderer.labelGrid;
    if (grid === wrapped) return;
    const original = grid.getLabelsToDisplay.bind(grid);
    grid.getLabelsToDisplay = (ratio, density) => {
      const keys = original(ratio, density);
      const cache = renderer.nodeDataCache;
      const rank = (k) => (state.selected.has(k) ? 2 : 0) + (state.pinned.has(k) ? 1 : 0);
      const listed = new Set(keys);
      for (const k of state.selected) if (cache[k] && !listed.has(k)) keys.push(k);
      keys.sort((a, b) => rank(b) - rank(a) || cache[b].size - cache[a].size || (a < b ? -1 : 1));
      return keys;
    };
    wrapped = grid;
  };
  const beforeRender = (renderer) => {
    boxes = [];
    buckets = new Map();
    state.labelBoxes = boxes;
    wrapGrid(renderer);
  };

  function collides(box) {
    const x0 = Math.floor(box.x / BUCKET), x1 = Math.floor((box.x + box.w) / BUCKET);
    const y0 = Math.floor(box.y / BUCKET), y1 = Math.floor((box.y + box.h) / BUCKET);
    for (let i = x0; i <= x1; i++) {
      for (let j = y0; j <= y1; j++) {
        const list = buckets.get(i * 100003 + j);
        if (!list) continue;
        for (const other of list) {
          if (box.x < other.x + other.w && other.x < box.x + box.w && box.y < other.y + other.h && other.y < box.y + box.h) return true;
        }
      }
    }
    return false;
  }

  function remember(box) {
    boxes.push(box);
    const x0 = Math.floor(box.x / BUCKET), x1 = Math.floor((box.x + box.w) / BUCKET);
    const y0 = Math.floor(box.y / BUCKET), y1 = Math.floor((box.y + box.h) / BUCKET);
    for (let i = x0; i <= x1; i++) {
      for (let j = y0; j <= y1; j++) {
        const key = i * 100003 + j;
        if (!buckets.has(key)) buckets.set(key, []);
        buckets.get(key).push(box);
      }
    }
  }

  return { beforeRender, drawLabel };

  function drawLabel(context, data, settings) {
    if (!data.label) return;
    const size = settings.labelSize;
    context.font = `${settings.labelWeight} ${size}px ${settings.labelFont}`;
    const width = context.measureText(data.label).width;
    const x = data.x + data.size + 3;
    const y = data.y + size / 3;
    // the text's box: ascent ~0.8 em above the baseline, descent ~0.25 em below, 1 px of air around
    const box = { x: x - 1, y: y - size * 0.8 - 1, w: width + 2, h: size * 1.05 + 2, node: data.key, label: data.label, tx: x, ty: y };
    if (collides(box)) return;
    remember(box);
    context.fillStyle = state.selected.has(data.key) ? "#000000" : "#333333";
    context.fillText(data.label, x, y);
  }
}
