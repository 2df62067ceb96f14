// SVG of the current view: the visible edges and nodes at their screen positions, the labels the
// canvas drew (same boxes, so the SVG does not overlap either) and the legend.

function esc(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function viewToSVG(renderer, state, legend) {
  const { width, height } = renderer.getDimensions();
  const graph = renderer.getGraph();
  const pos = new Map();
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`, `<g stroke-opacity="0.6">`];
  graph.forEachNode((node) => {
    const d = renderer.getNodeDisplayData(node);
    if (!d || d.hidden) return;
    const p = renderer.framedGraphToViewport(d);
    pos.set(node, [p.x, p.y, renderer.scaleSize(d.size), d.color]);
  });
  const inside = (p) => p[0] > -50 && p[0] < width + 50 && p[1] > -50 && p[1] < height + 50;
  graph.forEachEdge((edge, attrs, source, target) => {
    const d = renderer.getEdgeDisplayData(edge);
    const a = pos.get(source), b = pos.get(target);
    if (!d || d.hidden || !a || !b || (!inside(a) && !inside(b))) return;
    parts.push(`<line x1="${a[0].toFixed(1)}" y1="${a[1].toFixed(1)}" x2="${b[0].toFixed(1)}" y2="${b[1].toFixed(1)}" stroke="${d.color}" stroke-width="${Math.max(0.5, d.size).toFixed(1)}"/>`);
  });
  parts.push("</g><g>");
  for (const [node, p] of pos) {
    if (!inside(p)) continue;
    parts.push(`<circle cx="${p[0].toFixed(1)}" cy="${p[1].toFixed(1)}" r="${p[2].toFixed(1)}" fill="${p[3]}"><title>${esc(node)}</title></circle>`);
  }
  parts.push(`</g><g font-family="Arial, sans-serif" font-size="${renderer.getSetting("labelSize")}" fill="#333333">`);
  for (const box of state.labelBoxes) parts.push(`<text x="${box.tx.toFixed(1)}" y="${box.ty.toFixed(1)}">${esc(box.label)}</text>`);
  parts.push(`</g><g font-family="Arial, sans-serif" font-size="11">`);
  legend.forEach((item, i) => {
    parts.push(`<circle cx="12" cy="${14 + i * 16}" r="5" fill="${item.colour}"/><text x="22" y="${18 + i * 16}">${esc(item.name)} (${item.count})</text>`);
  });
  parts.push("</g></svg>");
  return parts.join("\n");
}
