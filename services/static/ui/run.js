// One run: summary, hyperparameters and their adaptations, environment, data used and models
// produced, the stages and sections as a timeline, its data pipelines (provlake.data) as a graph, and
// every metric as a chart (live while running).
import { get, poll } from "./api.js";
import { chart, pointsOf } from "./charts.js";
import { badge, duration, fmt, h, link, message, nodeLink, section, table, when } from "./dom.js";

const ENVIRONMENT_ROWS = 8;

function timeline(steps) {
  const total = Math.max(1, ...steps.map((s) => (s.offset || 0) + (s.duration || 0)));
  const rows = steps.map((s) => {
    const left = ((s.offset || 0) / total) * 100;
    const width = Math.max(0.5, ((s.duration ?? total - (s.offset || 0)) / total) * 100);
    return h("div", { class: "tl-row" },
      h("span", { class: "tl-label", style: `padding-left:${(s.depth - 1) * 1.2}em` }, nodeLink(s.iri, s.label)),
      h("span", { class: "tl-track" }, h("span", {
        class: `tl-bar status-${s.status}`, style: `left:${left}%;width:${Math.min(width, 100 - left)}%`,
        title: `${s.label}: ${when(s.started)} → ${when(s.ended) || "running"} (${duration(s.duration)})`,
      })));
  });
  return h("div", { class: "timeline" }, rows.length ? rows : message("no stages recorded", "info"));
}

// A long list (an environment has dozens of package versions) shows its first `keep` rows and
// folds the rest under a "N more" summary the reader can open.
function pairs(items, keep = Infinity) {
  const rows = items.map((i) => [i.name, fmt(i.value)]);
  if (rows.length <= keep) return table(["name", "value"], rows);
  return h("div", { class: "folded" },
    table(["name", "value"], rows.slice(0, keep)),
    h("details", {}, h("summary", {}, `${rows.length - keep} more`), table(["name", "value"], rows.slice(keep))));
}

function entities(items) {
  if (!items.length) return message("none", "info");
  return table(["name", "type", "by", ""], items.map((e) => [
    nodeLink(e.iri, e.label), e.type, e.execution_label, h("a", { href: link.lineage(e.iri) }, "lineage"),
  ]));
}

export async function render(el, route) {
  const id = route.arg;
  const run = await get(`/api/v1/runs/${encodeURIComponent(id)}`);
  const prov = (format) => `/api/v1/runs/${encodeURIComponent(run.run)}/prov?format=${format}`;
  const statusBox = h("span", {}, badge(run.status));
  el.append(
    h("h1", {}, run.label, " ", statusBox),
    h("p", { class: "links" },
      h("a", { href: link.lineage(run.iri) }, "lineage"), " · ",
      h("a", { href: link.node(run.iri) }, "node page"), " · PROV export: ",
      ["provn", "provjson", "provxml", "turtle", "jsonld"].map((f, i) => [i ? ", " : "", h("a", { href: prov(f), target: "_blank" }, f)])),
    h("div", { class: "grid" },
      section("Run", table(["", ""], [
        ["experiment", run.name], ["run id", run.run], ["kind", run.kind], ["study", run.study || ""],
        ["started", when(run.started)], ["ended", when(run.ended)], ["duration", duration(run.duration)],
      ])),
      section("Hyperparameters", run.hyperparameters.length
        ? table(["name", "value", "epoch", "set by"], run.hyperparameters.map((p) => [
          p.name, fmt(p.value), p.adapted ? `adapted at ${fmt(p.epoch)}` : "initial", p.execution_label,
        ]), { class: "hyperparameters" })
        : message("none", "info")),
      section("Environment", pairs(run.environment, ENVIRONMENT_ROWS), h("h3", {}, "Agents"), pairs(run.agents),
        h("h3", {}, "Attributes"), pairs([...run.attributes, ...run.results])),
      section("Data used", entities(run.used)),
      section("Produced", entities(run.generated)),
    ),
    section("Timeline", timeline(run.timeline)),
  );
  const { pipelineCard } = await import("./pipeline.js");
  const pipeline = await pipelineCard(run.run);
  let graph = null;
  if (pipeline) {
    el.append(pipeline.card);
    graph = pipeline.draw();
  }
  const xSelect = h("select", {}, ["epoch", "step", "time"].map((x) => h("option", { value: x }, `x = ${x}`)));
  const charts = h("div", { class: "charts" });
  el.append(section("Metrics", h("div", { class: "toolbar" }, xSelect), charts));

  const drawn = new Map();
  let last = null;
  const draw = (data) => {
    last = data;
    statusBox.replaceChildren(badge(data.status));
    const byName = new Map();
    for (const s of data.series) {
      if (!byName.has(s.name)) byName.set(s.name, []);
      byName.get(s.name).push(s);
    }
    if (!byName.size) charts.replaceChildren(message("no metric recorded yet", "info"));
    for (const [name, series] of byName) {
      const shaped = series.map((s) => ({ label: byName.get(name).length > 1 ? `${name} (${s.stage})` : name, points: pointsOf(s.points, xSelect.value) }));
      if (drawn.has(name)) drawn.get(name).update(shaped);
      else {
        if (!drawn.size) charts.replaceChildren();
        drawn.set(name, chart(charts, { title: name, metric: name, xLabel: xSelect.value, series: shaped }));
      }
    }
  };
  xSelect.addEventListener("change", () => {
    drawn.clear();
    charts.replaceChildren();
    if (last) draw(last);
  });
  const stop = poll(`/api/v1/runs/${encodeURIComponent(run.run)}/metrics`, draw, {
    seconds: run.status === "running" ? 2 : 30,
  });
  return () => {
    stop();
    if (graph) graph.destroy();
  };
}
