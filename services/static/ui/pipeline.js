// The data pipelines of a run (provlake.data): the graph of their operations (cytoscape + dagre,
// as on the lineage page) and a table of what each yielded, its time per item and its schema, from
// the question pipeline-dag.
import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
import dagre from "/static/vendor/cytoscape-dagre/cytoscape-dagre.min.mjs";
import { get } from "./api.js";
import { fmt, h, section, table } from "./dom.js";

if (!cytoscape("layout", "dagre")) cytoscape.use(dagre);

function elements(rows) {
  const nodes = new Map();
  const edges = [];
  for (const r of rows) {
    nodes.set(`op${r.step}`, { id: `op${r.step}`, label: `${r.step}. ${r.identifier}\n${r.operation}, ${r.items ?? 0} items`, kind: "operation" });
    for (const input of (r.inputs || "").split(", ").filter(Boolean)) {
      const source = /^\d+$/.test(input) ? `op${input}` : `data:${input}`;
      if (!nodes.has(source)) nodes.set(source, { id: source, label: input, kind: "data" });
      edges.push({ id: `${source}->op${r.step}`, source, target: `op${r.step}` });
    }
  }
  return [...[...nodes.values()].map((data) => ({ group: "nodes", data })), ...edges.map((data) => ({ group: "edges", data }))];
}

// The "Data pipeline" card of run `run` and a function that draws its graph once the card is in the
// page; null when the run has no pipeline.
export async function pipelineCard(run) {
  const answer = await get(`/api/v1/questions/pipeline-dag?run=${encodeURIComponent(run)}`);
  if (!answer.rows.length) return null;
  const box = h("div", { class: "graph pipeline-graph" });
  const card = section("Data pipeline", box, table(
    ["step", "operation", "identifier", "inputs", "items", "µs per item", "failures", "schema"],
    answer.rows.map((r) => [
      r.step, r.operation, r.identifier, r.inputs ?? "", r.items ?? "", r.per_item_us == null ? "" : fmt(r.per_item_us),
      r.failures ?? "", r.schema ?? "",
    ]),
    { class: "pipeline" },
  ));
  const draw = () => (box.cy = cytoscape({
    container: box,
    elements: elements(answer.rows),
    style: [
      { selector: "node", style: { label: "data(label)", "text-wrap": "wrap", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, width: 22, height: 22, "background-color": "#1f77b4", shape: "round-rectangle" } },
      { selector: "node[kind = 'data']", style: { "background-color": "#2ca02c", shape: "barrel" } },
      { selector: "edge", style: { width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#bbb", "target-arrow-color": "#bbb" } },
    ],
    layout: { name: "dagre", rankDir: "LR", nodeSep: 30, rankSep: 80 },
  }));
  return { card, draw };
}
