// Braid records' invalidation state. #/invalidated (or #/invalidated/ROOT for one cascade): every
// invalid record, cascade by cascade, each cascade as the tree the invalidation followed (live).
// validityCard(iri): the card of a Braid record's node page: valid or not, the cause, the record
// whose invalidation caused this one, the root of the cascade, the whole cascade, the actions run.
import { get, poll } from "./api.js";
import { h, message, nodeLink, section, table, when } from "./dom.js";

const cascadeLink = (iri) => `#/invalidated/${encodeURIComponent(iri)}`;

function validity(valid) {
  return h("span", { class: `badge status-${valid ? "valid" : "invalid"}` }, valid ? "valid" : "invalid");
}

// The records of one cascade, indented by how far the invalidation travelled to reach them.
function cascadeTable(records, current) {
  return h("table", { class: "cascade" },
    h("thead", {}, h("tr", {}, ["record", "id", "kind", "invalidated because of", "at"].map((c) => h("th", {}, c)))),
    h("tbody", {}, records.map((r) => h("tr", {
      class: r.iri === current ? "current" : undefined,
      dataset: { record: r.iri, recordId: String(r.record_id), depth: String(r.depth) },
    },
    h("td", { class: "record", style: `padding-left: ${0.7 + 1.4 * r.depth}em` }, r.depth ? "↳ " : "", nodeLink(r.iri, r.label)),
    h("td", { class: "num" }, r.record_id),
    h("td", {}, r.kind),
    h("td", { class: "caused-by" }, r.caused_by ? nodeLink(r.caused_by.iri, r.caused_by.label) : h("span", { class: "muted" }, "the root")),
    h("td", {}, when(r.invalidated_at))))));
}

export function render(el, route) {
  const root = route.arg;
  const holder = h("div");
  el.append(
    h("h1", {}, "Invalidated ", h("span", { class: "live", title: "refreshes while you look" }, "live")),
    h("p", { class: "muted" },
      "Braid records marked invalid, with the cause, grouped by the record whose invalidation started the cascade. ",
      root ? h("a", { href: "#/invalidated" }, "every cascade") : ""),
    holder,
  );
  const path = `/api/v1/braid/invalidated${root ? `?cascade=${encodeURIComponent(root)}` : ""}`;
  return poll(path, (answer) => {
    if (!answer.cascades.length) {
      holder.replaceChildren(message(root ? "No cascade starts at this record." : "No invalid record: every Braid record is valid.", "info"));
      return;
    }
    holder.replaceChildren(...answer.cascades.map((c) => h("section", { class: "card cascade-card", dataset: { root: c.root.iri } },
      h("h2", {}, "Cascade of ", nodeLink(c.root.iri, c.root.label), " ",
        h("small", { class: "muted" }, `${c.records.length} record${c.records.length === 1 ? "" : "s"} · ${when(c.invalidated_at)}`)),
      h("p", {}, "cause: ", h("q", { class: "cause" }, c.root_cause)),
      cascadeTable(c.records))));
  }, { onError: (error) => holder.replaceChildren(message(error.message)) });
}

export async function validityCard(iri) {
  const state = await get(`/api/v1/braid/record?record=${encodeURIComponent(iri)}`);
  if (state.valid) {
    return section("Validity", h("p", { class: "validity" }, validity(true), " nothing invalidated this record."));
  }
  const facts = [
    ["cause", h("q", { class: "cause" }, state.cause)],
    ["invalidated at", when(state.invalidated_at)],
    ["because of", state.caused_by ? nodeLink(state.caused_by.iri, state.caused_by.label) : "this record is the root of its cascade"],
    ["root of the cascade", [nodeLink(state.root.iri, state.root.label), " ", h("span", { class: "muted" }, "(", h("q", {}, state.root_cause), ")")]],
  ];
  return section("Validity",
    h("p", { class: "validity" }, validity(false)),
    h("table", { class: "invalidation" }, h("tbody", {}, facts.map(([name, value]) => h("tr", {}, h("th", {}, name), h("td", {}, value))))),
    h("h3", {}, "The cascade ", h("a", { href: cascadeLink(state.root.iri), class: "muted" }, "(its page)")),
    cascadeTable(state.cascade, iri),
    state.actions.length
      ? [h("h3", {}, "Actions run"), table(["action", "type", "status", "exit", "HTTP", "output", "started"],
        state.actions.map((a) => [h("span", { title: a.action_id }, a.name ?? a.action_id), a.type ?? "", a.status, a.exit_status ?? "", a.http_status ?? "", a.output ?? "", when(a.started)]), { class: "actions" })]
      : "");
}
