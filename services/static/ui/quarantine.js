// The quarantine: batches that violated the shapes, each with its SHACL report; resubmit one (after
// the store or the shapes changed) or drop it, with a token (the box at the top of the page).
import { del, get, post } from "./api.js";
import { fmt, h, message, section, table } from "./dom.js";

export async function render(el, route) {
  el.append(h("h1", {}, "Quarantine"));
  const { entries } = await get("/api/v1/quarantine");
  if (!entries.length) el.append(message("Nothing in quarantine: every batch met the shapes.", "info"));
  else {
    const columns = Object.keys(entries[0]);
    el.append(table(columns, entries.map((e) => columns.map((c) => (c === "id" ? h("a", { href: `#/quarantine/${e.id}` }, e.id) : fmt(e[c]))))));
  }
  if (!route.arg) return null;
  const entry = await get(`/api/v1/quarantine/${encodeURIComponent(route.arg)}`);
  const status = h("div");
  const act = async (work, done) => {
    try {
      await work();
      status.replaceChildren(message(done, "info"));
    } catch (error) {
      status.replaceChildren(message(error.message));
    }
  };
  const report = Array.isArray(entry.report) ? entry.report : [];
  const keys = [...new Set(report.flatMap((r) => Object.keys(r)))];
  el.append(section(`Batch ${entry.id}`,
    h("div", { class: "toolbar" },
      h("button", { type: "button", onclick: () => act(() => post(`/api/v1/quarantine/${entry.id}/resubmit`), "accepted: the batch left the quarantine") }, "Resubmit"),
      h("button", { type: "button", onclick: () => act(() => del(`/api/v1/quarantine/${entry.id}`), "dropped") }, "Drop (admin token)")),
    status,
    h("h3", {}, "SHACL report"),
    table(keys, report.map((r) => keys.map((k) => fmt(typeof r[k] === "object" ? JSON.stringify(r[k]) : r[k])))),
    h("h3", {}, "Batch"),
    h("pre", { class: "batch" }, typeof entry.batch === "string" ? entry.batch : JSON.stringify(entry.batch, null, 2))));
  return null;
}
