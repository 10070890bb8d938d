// The named questions: pick one, fill its typed parameters in a form, see the answer as a table
// whose IRIs are named (by the answer's COLUMN_name columns) and linked, download it as CSV. A
// name several nodes have lists them, each a button that puts its IRI in the parameter.
import { get, post } from "./api.js";
import { csvText, download, fmt, h, link, message, nodeLink, table } from "./dom.js";

function field(p) {
  const attrs = { name: p.name, required: p.required, placeholder: p.default ?? (p.required ? "required" : "optional") };
  const base = p.type.split(/[:{[]/)[0];
  const choices = /\{([^}]*)\}/.exec(p.type);
  if (choices) {
    return h("select", attrs, (p.required ? [] : [h("option", { value: "" }, "")]).concat(
      choices[1].split(",").map((c) => h("option", { value: c.trim(), selected: c.trim() === p.default }, c.trim()))));
  }
  if (base === "boolean") return h("select", attrs, ["", "true", "false"].map((v) => h("option", { value: v, selected: v === p.default }, v)));
  if (base === "integer" || base === "double") {
    const range = /\[(-?\d+)\.\.(-?\d+)\]/.exec(p.type);
    return h("input", { ...attrs, type: "number", step: base === "integer" ? "1" : "any", min: range && range[1], max: range && range[2] });
  }
  return h("input", { ...attrs, type: "text", class: "filter" });
}

export async function render(el, route) {
  const { questions } = await get("/api/v1/questions");
  const picker = h("select", {}, questions.map((q) => h("option", { value: q.name }, q.name)));
  picker.value = route.arg || questions[0].name;
  picker.addEventListener("change", () => { location.hash = `#/questions/${picker.value}`; });
  el.append(h("h1", {}, "Questions"), h("div", { class: "toolbar" }, picker));
  const q = questions.find((x) => x.name === picker.value) || questions[0];
  const answer = h("div");
  const form = h("form", { class: "question" },
    h("p", {}, q.description),
    table(["parameter", "type", "value", ""], q.parameters.map((p) => [p.name, p.type, field(p), p.description])),
    h("button", { type: "submit" }, "Ask"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = {};
    for (const p of q.parameters) {
      const value = form.elements[p.name].value.trim();
      if (value !== "") params[p.name] = value;
    }
    answer.replaceChildren(message("asking…", "info"));
    try {
      const result = await post(`/api/v1/questions/${q.name}`, params);
      const named = new Set(result.columns.filter((c) => result.columns.includes(`${c}_name`)));
      const shown = result.columns.filter((c) => !(c.endsWith("_name") && named.has(c.slice(0, -5))));
      const cell = (r, c) => (named.has(c) && typeof r[c] === "string"
        ? [nodeLink(r[c], r[`${c}_name`] ?? r[c]), " ", h("a", { href: link.lineage(r[c]), class: "muted" }, "⤳")]
        : fmt(r[c]));
      answer.replaceChildren(
        h("p", {}, `${result.rows.length} rows `, h("button", { type: "button", onclick: () => download(`${q.name}.csv`, csvText(result.columns, result.rows.map((r) => result.columns.map((c) => r[c])))) }, "CSV")),
        table(shown, result.rows.map((r) => shown.map((c) => cell(r, c))), { class: "answer" }));
    } catch (error) {
      const details = (error.body && error.body.details) || {};
      const candidates = (details.candidates || []).filter((c) => c.iri);
      const use = (c) => h("button", { type: "button", class: "candidate", onclick: () => { form.elements[details.parameter].value = c.iri; form.requestSubmit(); } }, "use");
      answer.replaceChildren(
        message(error.message.split("\n")[0]),
        ...(candidates.length ? [h("ul", { class: "candidates" }, candidates.map((c) => h("li", {}, use(c), " ", nodeLink(c.iri, c.name), ` ${c.type}`)))] : []));
    }
  });
  el.append(form, answer);
  return null;
}
