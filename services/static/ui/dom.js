// Small DOM helpers shared by the views: element building, formatting, tables, CSV, links.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function fmt(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    return Number(value.toPrecision(4)).toString();
  }
  return String(value);
}

export function when(iso) {
  if (!iso) return "";
  return String(iso).slice(0, 19).replace("T", " ");
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function badge(status) {
  return h("span", { class: `badge status-${status}` }, status);
}

// Links inside the UI: a run page, a node page, a lineage graph.
export const link = {
  run: (id) => `#/run/${encodeURIComponent(id)}`,
  node: (iri) => `#/node/${encodeURIComponent(iri)}`,
  lineage: (iri, depth) => `#/lineage/${encodeURIComponent(iri)}${depth ? `?depth=${depth}` : ""}`,
  compare: (ids) => `#/compare/${ids.map(encodeURIComponent).join(",")}`,
};

export function nodeLink(iri, label) {
  return h("a", { href: link.node(iri), title: iri }, label || iri);
}

// A table from column names and rows of cells (a cell is text, a node, or {text, title}).
export function table(columns, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c))))),
  );
}

export function csvText(columns, rows) {
  const quote = (v) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns, ...rows].map((r) => r.map(quote).join(",")).join("\n") + "\n";
}

export function download(filename, text, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function message(text, kind = "error") {
  return h("p", { class: `message ${kind}` }, text);
}
