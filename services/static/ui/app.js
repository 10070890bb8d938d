// The single page: the URL's fragment picks a view (#/runs, #/run/ID, #/compare/A,B, #/lineage/IRI,
// #/node/IRI, #/sparql, #/questions/NAME, #/quarantine/ID, #/invalidated/ROOT,
// #/versions/KIND/NAME); each view returns a
// function that stops its polling when the page moves on.
import { initToken } from "./api.js";
import { h, message } from "./dom.js";

const VIEWS = {
  runs: () => import("./runs.js"),
  run: () => import("./run.js"),
  compare: () => import("./compare.js"),
  lineage: () => import("./lineage.js"),
  node: () => import("./node.js"),
  sparql: () => import("./sparql.js"),
  questions: () => import("./questions.js"),
  quarantine: () => import("./quarantine.js"),
  invalidated: () => import("./braid.js"),
  versions: () => import("./versions.js"),
};

let stop = null;

function parse(hash) {
  const [path, query] = hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  const arg = rest.length ? decodeURIComponent(rest.join("/")) : "";
  return { name: VIEWS[name] ? name : "runs", arg, query: new URLSearchParams(query || "") };
}

async function show() {
  if (stop) stop();
  stop = null;
  const route = parse(location.hash);
  document.querySelectorAll("nav a[data-view]").forEach((a) => {
    a.classList.toggle("active", a.dataset.view === route.name);
  });
  const main = document.getElementById("view");
  const el = h("div", { class: `view view-${route.name}` });
  main.replaceChildren(el);
  try {
    const module = await VIEWS[route.name]();
    stop = (await module.render(el, route)) || null;
  } catch (error) {
    el.append(message(error.message));
  }
}

initToken();
window.addEventListener("hashchange", show);
show();
