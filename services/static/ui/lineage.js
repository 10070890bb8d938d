// The lineage graph of any node (cytoscape + dagre): upstream and downstream along PROV relations up
// to a depth; the focus is ringed; a click highlights a node's neighbours and shows it; a double
// click opens its page; a group node ("+N …") brings the next page of the neighbours it stands for.
import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
import dagre from "/static/vendor/cytoscape-dagre/cytoscape-dagre.min.mjs";
import { get } from "./api.js";
import { h, link, message, nodeLink, table } from "./dom.js";

if (!cytoscape("layout", "dagre")) cytoscape.use(dagre);

const STYLE = {
  run: ["#6a3d9a", "round-rectangle"], activity: ["#1f77b4", "round-rectangle"],
  model: ["#d62728", "ellipse"], dataset: ["#2ca02c", "barrel"], reference: ["#17becf", "diamond"],
  evaluation: ["#ff7f0e", "ellipse"], setting: ["#bcbd22", "ellipse"], agent: ["#8c564b", "pentagon"],
  plan: ["#7f7f7f", "hexagon"], entity: ["#2ca02c", "ellipse"], other: ["#555555", "diamond"],
  group: ["#bbbbbb", "tag"],
};

function element(node) {
  const [colour, shape] = STYLE[node.category] || STYLE.other;
  return { group: "nodes", data: { ...node, colour, shape } };
}

export async function render(el, route) {
  const iri = route.arg;
  const depth = h("select", {}, [1, 2, 3, 4, 5, 6, 7, 8, 10].map((d) => h("option", { value: String(d) }, `depth ${d}`)));
  depth.value = route.query.get("depth") || "3";
  const direction = h("select", {}, [["both", "up and down"], ["up", "upstream"], ["down", "downstream"]].map(([v, t]) => h("option", { value: v }, t)));
  direction.value = route.query.get("direction") || "both";
  const input = h("input", { type: "text", class: "filter", value: iri, placeholder: "IRI of a node, or the name of a run, model or dataset" });
  const go = () => { location.hash = `${link.lineage(input.value.trim())}${depth.value ? `?depth=${depth.value}&direction=${direction.value}` : ""}`.replace(/\?depth=(\d+)\?depth=/, "?depth="); };
  const panel = h("aside", { class: "panel" }, message("Click a node to see it; double-click opens it.", "info"));
  el.append(h("h1", {}, "Lineage"), h("div", { class: "toolbar" }, input, depth, direction, h("button", { type: "button", onclick: go }, "Show")));
  if (!iri) {
    el.append(message("Give a node's IRI, or open the lineage from a run page or a node page.", "info"));
    return null;
  }
  depth.addEventListener("change", go);
  direction.addEventListener("change", go);
  const data = await get(`/api/v1/lineage?node=${encodeURIComponent(iri)}&depth=${depth.value}&direction=${direction.value}`);
  const graphBox = h("div", { id: "graph", class: "graph" });
  const list = h("div", { class: "node-list" });
  el.append(
    data.truncated ? message(`The graph was cut at ${data.nodes.length} nodes: lower the depth or focus on a node.`, "info") : "",
    h("div", { class: "lineage" }, graphBox, panel),
    h("details", { open: true }, h("summary", {}, `${data.nodes.length} nodes, ${data.edges.length} edges`), list),
  );
  const elements = [
    ...data.nodes.map(element),
    ...data.groups.map((g) => element({ id: g.id, label: `+${g.count} more (${g.relation})`, category: "group", type: "group", group: g })),
    ...data.edges.map((e) => ({ group: "edges", data: { id: `${e.source} ${e.relation} ${e.target}`, ...e } })),
    ...data.groups.map((g) => ({ group: "edges", data: { id: `edge ${g.id}`, source: g.direction === "up" ? g.parent : g.id, target: g.direction === "up" ? g.id : g.parent, relation: g.relation } })),
  ];
  const cy = cytoscape({
    container: graphBox,
    elements,
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { label: "data(label)", "background-color": "data(colour)", shape: "data(shape)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "ellipsis", "text-max-width": 160, width: 22, height: 22 } },
      { selector: "node[?focus]", style: { "border-width": 4, "border-color": "#000", width: 30, height: 30 } },
      { selector: "edge", style: { width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", label: "data(relation)", "font-size": 8, color: "#777", "line-color": "#bbb", "target-arrow-color": "#bbb" } },
      { selector: ".faded", style: { opacity: 0.2 } },
      { selector: ".picked", style: { "border-width": 3, "border-color": "#e6550d" } },
    ],
    layout: { name: "dagre", rankDir: "RL", nodeSep: 18, rankSep: 60 },
  });
  graphBox.cy = cy;
  const drawList = () => list.replaceChildren(table(["name", "type", "distance", ""],
    cy.nodes().filter((n) => n.data("category") !== "group").map((n) => [
      nodeLink(n.id(), n.data("label")), n.data("type"), n.data("distance") ?? "", h("a", { href: link.lineage(n.id(), depth.value) }, "focus"),
    ]), { class: "lineage-nodes" }));
  drawList();

  const show = (node) => {
    cy.elements().removeClass("faded picked");
    cy.elements().not(node.closedNeighborhood()).addClass("faded");
    node.addClass("picked");
    panel.replaceChildren(
      h("h3", {}, node.data("label")),
      h("p", {}, node.data("type")),
      h("p", { class: "iri" }, node.id()),
      h("p", {}, h("a", { href: link.node(node.id()) }, "open"), " · ", h("a", { href: link.lineage(node.id(), depth.value) }, "focus here")),
    );
  };
  const expand = async (node) => {
    const g = node.data("group");
    const page = await get(`/api/v1/lineage/neighbours?node=${encodeURIComponent(g.parent)}&relation=${encodeURIComponent(g.relation_iri)}&direction=${g.direction}&offset=${g.offset}&limit=25`);
    cy.add([
      ...page.nodes.filter((n) => cy.getElementById(n.id).empty()).map((n) => element({ ...n, distance: null })),
      ...page.edges.map((e) => ({ group: "edges", data: { id: `${e.source} ${e.relation} ${e.target}`, ...e } })).filter((e) => cy.getElementById(e.data.id).empty()),
    ]);
    g.offset += page.nodes.length;
    g.count = page.remaining;
    if (page.remaining) node.data("label", `+${page.remaining} more (${g.relation})`);
    else node.remove();
    cy.layout({ name: "dagre", rankDir: "RL", nodeSep: 18, rankSep: 60 }).run();
    drawList();
  };
  cy.on("tap", "node", (event) => (event.target.data("category") === "group" ? expand(event.target) : show(event.target)));
  cy.on("dbltap", "node", (event) => { if (event.target.data("category") !== "group") location.hash = link.node(event.target.id()); });
  cy.on("tap", (event) => { if (event.target === cy) { cy.elements().removeClass("faded picked"); } });
  return () => cy.destroy();
}
