// Colour and size rules. Each rule maps a node to a category (what the legend lists) and a colour.
// The legend is built from the nodes actually drawn, so it never lists a category that is not on
// screen.

export const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
  "#469990", "#800000", "#808000", "#000075", "#bfef45", "#fabed4", "#dcbeff", "#a9a9a9"];
const NONE = "#c8c8c8";

// risk scores are 0-100 (graphbench.analytics.risk); the cut points are the ones the Explore page reads out
const RISK_BINS = [[75, "risk ≥ 75", "#b30000"], [50, "risk 50–74", "#e34a33"], [25, "risk 25–49", "#fc8d59"],
  [0, "risk < 25", "#fdcc8a"]];
// amounts: decades, per currency — a sum is never taken across currencies
const AMOUNT_BINS = [[100000, "≥ 100k", "#08306b"], [10000, "10k–100k", "#2171b5"], [1000, "1k–10k", "#6baed6"],
  [100, "100–1k", "#9ecae1"], [0, "< 100", "#deebf7"]];

export function nodeCategory(rule, attrs, labelColours, communityNames) {
  if (rule === "community") {
    if (attrs.community === null || attrs.community === undefined) return ["no community", NONE, 1e9];
    const name = (communityNames && communityNames[attrs.community]) || `community ${attrs.community}`;
    return [name, PALETTE[Math.abs(attrs.community) % PALETTE.length], attrs.community];
  }
  if (rule === "risk") {
    if (attrs.risk === null || attrs.risk === undefined) return ["no risk score", NONE, 99];
    for (let i = 0; i < RISK_BINS.length; i++) if (attrs.risk >= RISK_BINS[i][0]) return [RISK_BINS[i][1], RISK_BINS[i][2], i];
  }
  if (rule === "amount") {
    const cur = attrs.amountCurrency;
    if (cur === null || cur === undefined) return ["no transfers", NONE, 99];
    const total = attrs.amountTotal;
    for (let i = 0; i < AMOUNT_BINS.length; i++) {
      if (total >= AMOUNT_BINS[i][0]) return [`${AMOUNT_BINS[i][1]} ${cur || "(no currency)"}`, AMOUNT_BINS[i][2], i];
    }
  }
  const label = attrs.nlabel || "node";
  return [label, (labelColours && labelColours[label]) || "#999999", label];
}

// per-node transfer totals by currency, from the edges that carry an amount; a node is then binned by
// the currency in which it moved the most transfers (ties: the code that sorts first)
export function amountTotals(graph) {
  const perNode = new Map();
  graph.forEachEdge((edge, attrs, source, target) => {
    if (attrs.amount === null || attrs.amount === undefined) return;
    const cur = attrs.currency || "";
    for (const node of [source, target]) {
      if (!perNode.has(node)) perNode.set(node, new Map());
      const m = perNode.get(node);
      const [n, sum] = m.get(cur) || [0, 0];
      m.set(cur, [n + 1, sum + attrs.amount]);
    }
  });
  graph.forEachNode((node) => {
    const m = perNode.get(node);
    if (!m) {
      graph.mergeNodeAttributes(node, { amountCurrency: null, amountTotal: 0 });
      return;
    }
    const [cur, [, sum]] = [...m.entries()].sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1))[0];
    graph.mergeNodeAttributes(node, { amountCurrency: cur, amountTotal: sum });
  });
}

// sizes in pixels: 3-16, square-root scaled so a hub does not swallow the picture
export function nodeSizes(graph, rule) {
  // degrees in one pass over the edges (a self-loop counts twice, as graphology's degree counts it):
  // asking a multigraph for each node's degree costs several times more at 100,000 edges
  const degree = new Map();
  if (rule === "degree") {
    graph.forEachEdge((edge, attrs, source, target) => {
      degree.set(source, (degree.get(source) || 0) + 1);
      degree.set(target, (degree.get(target) || 0) + 1);
    });
  }
  const value = (node, attrs) => {
    if (rule === "degree") return degree.get(node) || 0;
    if (rule === "followers") return attrs.followers || 0;
    if (rule === "amount") return attrs.amountTotal || 0;
    return 1;
  };
  let max = 0;
  graph.forEachNode((node, attrs) => { max = Math.max(max, value(node, attrs)); });
  graph.forEachNode((node, attrs) => {
    const v = value(node, attrs);
    const size = rule === "uniform" || max <= 0 ? 6 : 3 + 13 * Math.sqrt(v / max);
    graph.setNodeAttribute(node, "size", size);
  });
}
