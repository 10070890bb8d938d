// Version graphs (OMProv): the objects that have versions, and one object's graph drawn left to right
// (older → newer), each edge labelled with its weight (the amount of difference); revisions the
// manager inferred from trainings are dashed, declared ones solid. A click on a version opens it.
import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
import dagre from "/static/vendor/cytoscape-dagre/cytoscape-dagre.min.mjs";
import { get } from "./api.js";
import { fmt, h, link, message, nodeLink, section, table } from "./dom.js";

cytoscape.use(dagre);

const objectLink = (o) => `#/versions/${encodeURIComponent(o.kind)}/${encodeURIComponent(o.name)}`;

async function listObjects(el) {
  const { objects } = await get("/api/v1/versions");
  el.append(h("h1", {}, "Versions"), objects.length
    ? table(["kind", "name", "versions", "revisions"], objects.map((o) => [
      o.kind, h("a", { href: objectLink(o) }, o.name), o.versions, o.revisions,
    ]), { class: "versioned-objects" })
    : message("No versions recorded: register versions of datasets or algorithms with provlake.versions.", "info"));
}

export async function render(el, route) {
  if (!route.arg) return listObjects(el);
  const [kind, ...rest] = route.arg.split("/");
  const name = rest.join("/");
  const graph = await get(`/api/v1/versions/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`);
  const box = h("div", { id: "graph", class: "graph" });
  el.append(
    h("h1", {}, `${graph.kind} ${graph.name}`),
    h("p", { class: "links" }, h("a", { href: "#/versions" }, "all objects"), " · ", nodeLink(graph.object, "node page"),
      ` · ${graph.versions} versions, ${graph.revisions} revisions (dashed: inferred from trainings)`),
    box,
    section("Revisions", table(["older", "newer", "weight", "inferred"], graph.edges.map((e) => [
      nodeLink(e.source, label(graph, e.source)), nodeLink(e.target, label(graph, e.target)), fmt(e.weight), e.inferred ? "yes" : "no",
    ]), { class: "revisions" })),
  );
  if (!graph.nodes.length) {
    box.replaceChildren(message("One version, no revision yet.", "info"));
    return null;
  }
  const cy = cytoscape({
    container: box,
    elements: [
      ...graph.nodes.map((n) => ({ group: "nodes", data: { id: n.id, label: n.label } })),
      ...graph.edges.map((e) => ({ group: "edges", data: { id: `${e.source} ${e.target}`, ...e, text: fmt(e.weight) } })),
    ],
    style: [
      { selector: "node", style: { label: "data(label)", "background-color": "#2ca02c", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, width: 22, height: 22 } },
      { selector: "edge", style: { width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", label: "data(text)", "font-size": 9, color: "#555", "line-color": "#999", "target-arrow-color": "#999" } },
      { selector: "edge[?inferred]", style: { "line-style": "dashed" } },
    ],
    layout: { name: "dagre", rankDir: "LR", nodeSep: 24, rankSep: 80 },
    maxZoom: 1.6,
  });
  box.cy = cy;
  cy.on("tap", "node", (event) => { location.hash = link.node(event.target.id()); });
  return () => cy.destroy();
}

function label(graph, iri) {
  const node = graph.nodes.find((n) => n.id === iri);
  return node ? node.label : iri;
}
