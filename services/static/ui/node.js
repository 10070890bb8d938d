// Any node: its name, types, properties and the nodes that point to it, every IRI named and linked;
// its RDF as Turtle, JSON-LD or N-Triples; its lineage; a Braid record's validity.
import { get } from "./api.js";
import { h, link, message, nodeLink, section, table } from "./dom.js";

function value(object) {
  if (object.iri) return [nodeLink(object.iri, object.label), object.type ? h("small", { class: "muted" }, ` ${object.type}`) : ""];
  const lang = object.language ? `@${object.language}` : "";
  return [object.value, h("small", { class: "muted" }, ` ${lang || object.datatype || ""}`)];
}

export async function render(el, route) {
  const iri = route.arg;
  if (!iri) {
    el.append(message("Open a node from a run, a lineage graph or a question's answer.", "info"));
    return null;
  }
  const node = await get(`/api/v1/node?iri=${encodeURIComponent(iri)}`);
  // a Braid record's validity, its cause and its cascade (braid.js)
  const braid = node.types.some((t) => t.short === "provml:BraidRecord");
  const validity = braid ? await (await import("./braid.js")).validityCard(iri) : "";
  const rdf = (format) => `/api/v1/node?iri=${encodeURIComponent(iri)}&format=${format}`;
  el.append(
    h("h1", {}, node.label, " ", h("span", { class: "badge" }, node.type)),
    h("p", { class: "iri" }, h("a", { href: iri.startsWith("http") ? iri : undefined }, iri)),
    h("p", { class: "links" },
      h("a", { href: link.lineage(iri) }, "lineage"), " · RDF: ",
      h("a", { href: rdf("turtle"), target: "_blank" }, "Turtle"), ", ",
      h("a", { href: rdf("jsonld"), target: "_blank" }, "JSON-LD"), ", ",
      h("a", { href: rdf("ntriples"), target: "_blank" }, "N-Triples")),
    section("Types", h("ul", {}, node.types.map((t) => h("li", { title: t.iri }, t.short)))),
    validity,
    section("Properties", table(["property", "value"], node.properties.map((p) => [h("span", { title: p.predicate }, p.short), value(p.object)]), { class: "properties" })),
    section(`Referenced by${node.incoming_truncated ? " (the first 1000)" : ""}`,
      node.incoming.length ? table(["node", "property"], node.incoming.map((p) => [value(p.subject), h("span", { title: p.predicate }, p.short)])) : message("nothing points here", "info")),
  );
  return null;
}
