// The canvas's own controls, in plain DOM (no framework): toolbar, legend, time slider with playback,
// status line, tooltip, and the shift-drag lasso drawn on an overlay.

const TOOLBAR = 38, TIMEBAR = 34, STATUS = 22;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function fmtDate(ts) {
  return new Date(ts * 1000).toISOString().slice(0, 10);
}

export function buildUI(handlers) {
  const root = document.getElementById("root");
  const bar = el("div", { id: "toolbar" });
  const colour = el("select", { id: "color-by", title: "colour nodes by" });
  for (const [v, t] of [["label", "by label"], ["community", "by community"], ["risk", "by risk"], ["amount", "by amount"]]) colour.append(el("option", { value: v }, t));
  const size = el("select", { id: "size-by", title: "size nodes by" });
  for (const [v, t] of [["degree", "size: links"], ["followers", "size: followers"], ["amount", "size: amount"], ["uniform", "size: equal"]]) size.append(el("option", { value: v }, t));
  const densityBox = el("label", { title: "how many labels: more labels need more room, they never overlap" }, "labels ");
  const density = el("input", { id: "label-density", type: "range", min: "0", max: "4", step: "0.1", value: "1" });
  densityBox.append(density);
  const button = (id, text, title, fn) => { const b = el("button", { id, title }, text); b.addEventListener("click", fn); return b; };
  const layoutButton = button("btn-layout", "Layout", "run / stop ForceAtlas2", handlers.onLayout);
  bar.append(colour, size, densityBox,
    button("btn-expand", "Expand", "add the selected node's neighbours (double-click, key e)", handlers.onExpand),
    button("btn-pin", "Pin", "pin / unpin the selection (key p; dragging a node pins it)", handlers.onPin),
    button("btn-hide", "Hide", "hide the selection (key h)", handlers.onHide),
    button("btn-show", "Show all", "show hidden nodes again", handlers.onShowAll),
    layoutButton, button("btn-fit", "Fit", "fit the graph in view", handlers.onFit),
    button("btn-png", "PNG", "download the view as PNG", handlers.onPNG),
    button("btn-svg", "SVG", "download the view as SVG", handlers.onSVG));
  const main = el("div", { id: "main" });
  const stage = el("div", { id: "stage" });
  const overlay = el("canvas", { id: "lasso" });
  const legend = el("div", { id: "legend" });
  const tip = el("div", { id: "tip" });
  main.append(stage, overlay, legend, tip);
  const timebar = el("div", { id: "timebar" });
  const play = el("button", { id: "btn-play", title: "play the time window forward" }, "▶ Play");
  const from = el("input", { id: "time-from", type: "range", min: "0", max: "1000", value: "0" });
  const to = el("input", { id: "time-to", type: "range", min: "0", max: "1000", value: "1000" });
  const timeText = el("span", { id: "time-text" });
  timebar.append(play, el("span", {}, "from"), from, el("span", {}, "until"), to, timeText);
  const status = el("div", { id: "status" });
  root.append(bar, main, timebar, status);

  colour.addEventListener("change", () => handlers.onColour(colour.value));
  size.addEventListener("change", () => handlers.onSize(size.value));
  density.addEventListener("input", () => handlers.onDensity(Number(density.value)));

  let range = null, playing = null, height = 560;
  const valueAt = (slider) => range[0] + (range[1] - range[0]) * Number(slider.value) / 1000;
  const emitWindow = () => {
    if (!range) return;
    const a = Number(from.value) <= 0 ? null : valueAt(from), b = Number(to.value) >= 1000 ? null : valueAt(to);
    timeText.textContent = `${fmtDate(valueAt(from))} – ${fmtDate(valueAt(to))}`;
    handlers.onWindow(a, b);
  };
  from.addEventListener("input", () => { if (Number(from.value) > Number(to.value)) from.value = to.value; emitWindow(); });
  to.addEventListener("input", () => { if (Number(to.value) < Number(from.value)) to.value = from.value; emitWindow(); });
  play.addEventListener("click", () => {
    if (playing) { clearInterval(playing); playing = null; play.textContent = "▶ Play"; return; }
    if (!range) return;
    // playback: the window's end sweeps from its start to the last date in about ten seconds
    to.value = from.value;
    play.textContent = "⏸ Pause";
    playing = setInterval(() => {
      to.value = String(Math.min(1000, Number(to.value) + 10));
      emitWindow();
      if (Number(to.value) >= 1000) { clearInterval(playing); playing = null; play.textContent = "▶ Play"; }
    }, 100);
  });

  // lasso: shift-drag draws a free shape; nodes inside join the selection. Capturing the mousedown on
  // the wrapper keeps sigma from panning while the shape is drawn.
  let lassoHandler = null, points = null;
  const ctx = overlay.getContext("2d");
  const local = (e) => { const r = main.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  main.addEventListener("mousedown", (e) => {
    if (!e.shiftKey) return;
    e.stopPropagation();
    e.preventDefault();
    points = [local(e)];
    overlay.width = main.clientWidth; overlay.height = main.clientHeight;
  }, true);
  window.addEventListener("mousemove", (e) => {
    if (!points) return;
    points.push(local(e));
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    ctx.beginPath();
    points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.fillStyle = "rgba(66, 133, 244, 0.12)"; ctx.strokeStyle = "#4285f4"; ctx.lineWidth = 1.5;
    ctx.fill(); ctx.stroke();
  }, true);
  let swallowClick = false; // the click that ends a lasso is not a click on the stage
  main.addEventListener("click", (e) => {
    if (!swallowClick) return;
    swallowClick = false;
    e.stopPropagation();
  }, true);
  window.addEventListener("mouseup", () => {
    if (!points) return;
    const shape = points;
    points = null;
    swallowClick = true;
    setTimeout(() => { swallowClick = false; }, 50);
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    if (shape.length > 2 && lassoHandler) lassoHandler(shape);
  }, true);

  const layoutSizes = () => {
    main.style.height = `${height}px`;
  };
  layoutSizes();

  return {
    stage,
    onLasso(fn) { lassoHandler = fn; },
    setColour(v) { colour.value = v; },
    setSize(v) { size.value = v; },
    setDensity(v) { density.value = String(v); },
    setHeight(h) { height = h; layoutSizes(); },
    totalHeight() { return Math.max(height + TOOLBAR + TIMEBAR + STATUS + 6, Math.ceil(root.getBoundingClientRect().height) + 4); },
    setLayoutRunning(running) { layoutButton.textContent = running ? "Stop layout" : "Layout"; },
    setTimeRange(r) {
      range = r;
      timebar.style.visibility = r ? "visible" : "hidden";
      from.value = "0"; to.value = "1000";
      timeText.textContent = r ? `${fmtDate(r[0])} – ${fmtDate(r[1])}` : "";
    },
    setLegend(items) {
      legend.replaceChildren(...items.map((item) => {
        const row = el("div", { class: "legend-item", "data-category": item.name });
        const swatch = el("span", { class: "swatch" });
        swatch.style.background = item.colour;
        row.append(swatch, el("span", { class: "legend-name" }, item.name), el("span", { class: "legend-count" }, ` ${item.count}`));
        return row;
      }));
    },
    setStatus(text) { status.textContent = text; },
    showTip(text) {
      tip.textContent = text || "";
      tip.style.display = text ? "block" : "none";
    },
  };
}
