// Runs side by side: hyperparameters (only the differences, if asked), final and best metrics,
// every metric's curves overlaid, and parallel coordinates of hyperparameters against a metric.
import { get } from "./api.js";
import { chart, pointsOf } from "./charts.js";
import { fmt, h, link, message, section, table } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// One vertical axis per numeric hyperparameter and the metric; one line per run.
function parallel(data, metric) {
  const axes = data.parameters
    .filter((p) => p.values.every((v) => typeof v === "number"))
    .map((p) => ({ name: p.name, values: p.values }));
  const m = data.metrics.find((x) => x.name === metric);
  if (m) axes.push({ name: metric, values: m.final });
  if (axes.length < 2) return message("needs two numeric axes", "info");
  const width = 160 * axes.length, height = 260, top = 30, bottom = 30;
  const root = svg("svg", { width, height, class: "parallel" });
  const y = (axis, v) => {
    const nums = axis.values.filter((x) => typeof x === "number");
    const lo = Math.min(...nums), hi = Math.max(...nums);
    return hi === lo ? (top + height - bottom) / 2 : height - bottom - ((v - lo) / (hi - lo)) * (height - top - bottom);
  };
  axes.forEach((axis, i) => {
    const x = 80 + i * 160;
    root.append(svg("line", { x1: x, x2: x, y1: top, y2: height - bottom, stroke: "#888" }));
    root.append(svg("text", { x, y: 16, "text-anchor": "middle", class: "axis-name" }, axis.name));
    for (const v of new Set(axis.values)) {
      if (typeof v === "number") root.append(svg("text", { x: x + 6, y: y(axis, v) + 4, class: "tick" }, fmt(v)));
    }
  });
  data.runs.forEach((run, r) => {
    const points = axes.map((axis, i) => (typeof axis.values[r] === "number" ? `${80 + i * 160},${y(axis, axis.values[r])}` : null));
    if (points.includes(null)) return;
    root.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: COLOURS[r % COLOURS.length], "stroke-width": 2 }, svg("title", {}, run.label)));
  });
  return root;
}

export async function render(el, route) {
  const input = h("input", { type: "text", class: "filter", value: route.arg, placeholder: "run ids, comma-separated (tick runs in the table)" });
  const go = h("button", { type: "button", onclick: () => { location.hash = link.compare(input.value.split(",").map((s) => s.trim()).filter(Boolean)); } }, "Compare");
  el.append(h("h1", {}, "Compare runs"), h("div", { class: "toolbar" }, input, go));
  const ids = route.arg.split(",").filter(Boolean);
  if (ids.length < 2) {
    el.append(message("Pick two or more runs: tick them in the runs table, or list their ids here.", "info"));
    return null;
  }
  const data = await get(`/api/v1/compare?runs=${encodeURIComponent(ids.join(","))}`);
  const only = h("input", { type: "checkbox", id: "only-differences", checked: true });
  const paramsBox = h("div");
  const drawParams = () => {
    const shown = data.parameters.filter((p) => !only.checked || p.differs);
    paramsBox.replaceChildren(table(["hyperparameter", ...data.runs.map((r) => r.label)],
      shown.map((p) => [p.name, ...p.values.map(fmt)]), { class: "parameters" }));
  };
  only.addEventListener("change", drawParams);
  drawParams();
  const runHeader = data.runs.map((r) => h("a", { href: link.run(r.run) }, r.label));
  const metricSelect = h("select", {}, data.metrics.map((m) => h("option", { value: m.name }, m.name)));
  const parallelBox = h("div");
  const drawParallel = () => parallelBox.replaceChildren(parallel(data, metricSelect.value));
  metricSelect.addEventListener("change", drawParallel);
  el.append(
    section("Hyperparameters", h("label", {}, only, " only differences"), paramsBox),
    section("Metrics (final, best)", table(["measure", ...runHeader],
      data.metrics.map((m) => [m.name, ...m.final.map((v, i) => `${fmt(v)} (${fmt(m.best[i])})`)]))),
    section("Hyperparameters against a metric", h("div", { class: "toolbar" }, metricSelect), parallelBox),
  );
  drawParallel();
  const charts = h("div", { class: "charts" });
  el.append(section("Curves", charts));
  const series = await Promise.all(data.runs.map((r) => get(`/api/v1/runs/${encodeURIComponent(r.run)}/metrics`)));
  const names = [...new Set(series.flatMap((s) => s.series.map((x) => x.name)))].sort();
  for (const name of names) {
    const overlaid = series.flatMap((s) => s.series.filter((x) => x.name === name).map((x) => ({ label: s.label, points: pointsOf(x.points, "epoch") })));
    chart(charts, { title: name, metric: name, series: overlaid });
  }
  return null;
}
