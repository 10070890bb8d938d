// Metric charts (uPlot): hover values in the legend, drag to zoom (double-click resets), smoothing
// (exponential moving average), CSV download of the recorded values, and update() for live data.
// The recorded (unsmoothed) values stay on the element as `chartData` for whoever reads the page.
import uPlot from "/static/vendor/uplot/uPlot.esm.js";
import { csvText, download, fmt, h } from "./dom.js";

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function smooth(values, weight) {
  if (!weight) return values;
  let last = null;
  return values.map((v) => {
    if (v === null || v === undefined) return null;
    last = last === null ? v : last * weight + v * (1 - weight);
    return last;
  });
}

// series: [{label, points: [{x, y}]}]; the x values of all series are merged on one axis.
function align(series) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].filter((x) => x !== null);
  xs.sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const column = new Array(xs.length).fill(null);
    for (const p of s.points) if (index.has(p.x)) column[index.get(p.x)] = p.y;
    return column;
  });
  return [xs, ...ys];
}

export function chart(parent, { title, xLabel = "epoch", series, metric, width = 520, height = 240 }) {
  const box = h("div", { class: "chart", dataset: { metric: metric || title } });
  const plotArea = h("div", { class: "plot" });
  const slider = h("input", { type: "range", min: "0", max: "0.95", step: "0.05", value: "0", title: "smoothing" });
  const smoothingLabel = h("span", { class: "muted" }, "smoothing 0");
  let current = series;
  let plot = null;

  const build = () => {
    const data = align(current);
    const weight = Number(slider.value);
    const shown = [data[0], ...data.slice(1).map((ys) => smooth(ys, weight))];
    box.chartData = current.map((s) => ({ label: s.label, x: s.points.map((p) => p.x), y: s.points.map((p) => p.y) }));
    box.dataset.points = String(current.reduce((n, s) => n + s.points.length, 0));
    if (plot) plot.destroy();
    plot = new uPlot(
      {
        title,
        width,
        height,
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false } },
        axes: [{ label: xLabel }, {}],
        series: [
          { label: xLabel, value: (u, v) => fmt(v) },
          ...current.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { show: true, size: 4 },
            spanGaps: true,
            value: (u, v) => fmt(v),
          })),
        ],
      },
      shown,
      plotArea,
    );
  };

  const csv = () => {
    const data = align(current);
    const rows = data[0].map((x, i) => [x, ...data.slice(1).map((ys) => ys[i])]);
    download(`${metric || title}.csv`, csvText([xLabel, ...current.map((s) => s.label)], rows));
  };

  slider.addEventListener("input", () => {
    smoothingLabel.textContent = `smoothing ${slider.value}`;
    build();
  });
  box.append(
    plotArea,
    h("div", { class: "chart-tools" }, slider, smoothingLabel, h("button", { type: "button", onclick: csv }, "CSV"),
      h("span", { class: "muted" }, "drag to zoom, double-click to reset")),
  );
  parent.append(box);
  build();
  return {
    element: box,
    update(next) {
      const same = JSON.stringify(next) === JSON.stringify(current);
      current = next;
      if (!same) build();
    },
  };
}

// Series of the metrics API (one per measure and stage) on the chosen x: epoch, step or time.
export function pointsOf(points, x) {
  return points
    .map((p, i) => ({ x: p[x] ?? (x === "epoch" ? i : null), y: p.value }))
    .filter((p) => p.x !== null);
}
