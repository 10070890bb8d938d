// SPARQL: YASGUI on the manager's endpoint with provml's prefixes; results as a table with CSV
// download. Nothing is fetched from elsewhere: the prefix.cc, LOV and DBpedia look-ups YASGUI makes
// by default are switched off, and the only endpoint it knows is this manager.
import { headers } from "./api.js";
import { h } from "./dom.js";

const PREFIXES = {
  provml: "https://w3id.org/provml#",
  prov: "http://www.w3.org/ns/prov#",
  mls: "http://www.w3.org/ns/mls#",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
};

const EXAMPLE = `SELECT ?run ?experiment ?status ?started WHERE {
  ?run a provml:LearningExperimentExecution ;
       provml:executionOf/rdfs:label ?experiment ;
       prov:startedAtTime ?started .
  OPTIONAL { ?run provml:status ?status }
}
ORDER BY DESC(?started)
LIMIT 100`;

let loading = null;
function loadYasgui() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(h("link", { rel: "stylesheet", href: "/static/vendor/yasgui/yasgui.min.css" }));
      const script = h("script", { src: "/static/vendor/yasgui/yasgui.min.js" });
      script.onload = () => resolve(window.Yasgui);
      script.onerror = () => reject(new Error("could not load YASGUI"));
      document.head.append(script);
    });
  }
  return loading;
}

export async function render(el) {
  const Yasgui = await loadYasgui();
  const index = await (await fetch("/", { headers: headers({ Accept: "application/json" }) })).json();
  const prefixes = { ...PREFIXES, id: index.base_iri };
  const prologue = Object.entries(prefixes).map(([p, ns]) => `PREFIX ${p}: <${ns}>`).join("\n");
  const endpoint = `${location.origin}/sparql`;
  const box = h("div", { id: "yasgui" });
  el.append(h("h1", {}, "SPARQL"), box);
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"].filter((n) => Yasgui.Yasqe.Autocompleters && Yasgui.Yasqe.Autocompleters[n]);
  Yasgui.Yasr.defaults.prefixes = prefixes;
  Yasgui.Yasr.defaults.pluginOrder = ["table", "response"];
  Yasgui.Yasr.defaults.defaultPlugin = "table";
  const yasgui = new Yasgui(box, {
    requestConfig: { endpoint, method: "POST", headers: () => headers() },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    yasqe: { value: `${prologue}\n\n${EXAMPLE}` },
  });
  window.provmlYasgui = yasgui;
  return null;
}
