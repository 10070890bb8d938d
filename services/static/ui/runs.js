// The runs table: every run with its status (live), start, duration, hyperparameters and final
// metrics; sort by a column header, filter, search, page; tick runs to compare them.
import { poll } from "./api.js";
import { badge, duration, fmt, h, link, message, when } from "./dom.js";

export function render(el, route) {
  const state = {
    sort: route.query.get("sort") || "started",
    order: route.query.get("order") || "desc",
    q: route.query.get("q") || "",
    status: route.query.get("status") || "",
    experiment: route.query.get("experiment") || "",
    filter: route.query.get("filter") || "",
    offset: 0,
    limit: Number(route.query.get("limit") || 50),
  };
  const picked = new Set();
  const search = h("input", { type: "search", placeholder: "search names, ids, settings", value: state.q, class: "search" });
  const status = h("select", {}, ["", "running", "finished", "failed", "killed", "ended"].map((s) => h("option", { value: s }, s || "any status")));
  status.value = state.status;
  const experiment = h("select", {}, h("option", { value: "" }, "any experiment"));
  const filter = h("input", { type: "text", placeholder: "filter: hp.lr < 0.05, metric.loss <= 0.3 …", value: state.filter, class: "filter" });
  const size = h("select", {}, [25, 50, 100, 250].map((n) => h("option", { value: String(n) }, `${n} per page`)));
  size.value = String(state.limit);
  const compare = h("button", { type: "button", disabled: true }, "Compare selected");
  const info = h("span", { class: "muted" });
  const problem = h("div");
  const holder = h("div", { class: "table-holder" });
  const pager = h("div", { class: "pager" });
  el.append(
    h("h1", {}, "Runs ", h("span", { class: "live", title: "refreshes while you look" }, "live")),
    h("div", { class: "toolbar" }, search, status, experiment, filter, size, compare, info),
    problem,
    holder,
    pager,
  );

  let stopPolling = null;
  const url = () => {
    const p = new URLSearchParams({ sort: state.sort, order: state.order, offset: state.offset, limit: state.limit });
    if (state.q) p.set("q", state.q);
    if (state.status) p.set("status", state.status);
    if (state.experiment) p.set("experiment", state.experiment);
    for (const f of state.filter.split(",").map((s) => s.trim()).filter(Boolean)) p.append("filter", f);
    return `/api/v1/runs?${p}`;
  };
  const restart = () => {
    if (stopPolling) stopPolling();
    stopPolling = poll(url(), draw, {
      onError: (error) => problem.replaceChildren(message(error.message)),
    });
  };
  const sortBy = (column) => {
    state.order = state.sort === column && state.order === "desc" ? "asc" : "desc";
    state.sort = column;
    state.offset = 0;
    restart();
  };

  function header(text, column) {
    const arrow = state.sort === column ? (state.order === "desc" ? " ▾" : " ▴") : "";
    return h("th", { class: "sortable", onclick: () => sortBy(column), title: `sort by ${column}` }, text + arrow);
  }

  function draw(data) {
    problem.replaceChildren();
    const known = [...experiment.options].map((o) => o.value);
    for (const name of data.experiments) if (!known.includes(name)) experiment.append(h("option", { value: name }, name));
    experiment.value = state.experiment;
    const hps = data.columns.hyperparameters;
    const metrics = data.columns.metrics;
    const counts = Object.entries(data.statuses).map(([s, n]) => `${n} ${s}`).join(", ");
    info.textContent = `${data.total} runs match (${counts || "none stored"})`;
    const head = h("tr", {},
      h("th", {}, ""),
      header("Name", "name"), header("Study", "study"), header("Status", "status"),
      header("Started", "started"), header("Duration", "duration"),
      hps.map((n) => header(n, `hp.${n}`)),
      metrics.map((n) => header(n, `metric.${n}`)));
    const rows = data.runs.map((r) =>
      h("tr", { dataset: { run: r.run, status: r.status } },
        h("td", {}, h("input", {
          type: "checkbox", checked: picked.has(r.run), title: "compare",
          onchange: (e) => { e.target.checked ? picked.add(r.run) : picked.delete(r.run); compare.disabled = picked.size < 2; },
        })),
        h("td", { class: "name" }, h("a", { href: link.run(r.run), title: r.iri }, r.name || r.label), h("small", { class: "muted" }, ` ${when(r.started).slice(11)}`)),
        h("td", {}, r.study || ""),
        h("td", { class: "status" }, badge(r.status)),
        h("td", {}, when(r.started)),
        h("td", {}, duration(r.duration)),
        hps.map((n) => h("td", { class: "num", dataset: { column: `hp.${n}`, value: r.hp[n] ?? "" } }, fmt(r.hp[n]))),
        metrics.map((n) => h("td", { class: "num", dataset: { column: `metric.${n}`, value: r.metrics[n] ? r.metrics[n].final : "" }, title: r.metrics[n] ? `best ${fmt(r.metrics[n].best)}, ${r.metrics[n].count} values` : "" }, fmt(r.metrics[n] && r.metrics[n].final))),
      ));
    holder.replaceChildren(h("table", { class: "runs" }, h("thead", {}, head), h("tbody", {}, rows)));
    if (!data.runs.length) holder.append(message(data.total ? "no run on this page" : "no run matches", "info"));
    const pages = Math.max(1, Math.ceil(data.total / state.limit));
    const page = Math.floor(state.offset / state.limit) + 1;
    pager.replaceChildren(
      h("button", { type: "button", disabled: page <= 1, onclick: () => { state.offset -= state.limit; restart(); } }, "‹ previous"),
      h("span", {}, ` page ${page} of ${pages} `),
      h("button", { type: "button", disabled: page >= pages, onclick: () => { state.offset += state.limit; restart(); } }, "next ›"),
    );
  }

  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = search.value.trim(); state.offset = 0; restart(); }, 250);
  });
  filter.addEventListener("change", () => { state.filter = filter.value; state.offset = 0; restart(); });
  status.addEventListener("change", () => { state.status = status.value; state.offset = 0; restart(); });
  experiment.addEventListener("change", () => { state.experiment = experiment.value; state.offset = 0; restart(); });
  size.addEventListener("change", () => { state.limit = Number(size.value); state.offset = 0; restart(); });
  compare.addEventListener("click", () => { location.hash = link.compare([...picked]); });
  restart();
  return () => stopPolling && stopPolling();
}
