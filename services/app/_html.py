"""A small HTML page describing one resource: its outgoing and incoming triples, minted IRIs as
local links."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

import pyoxigraph as ox

from provlake.vocab import MLS, OWL, PROV, PROVML, RDF, RDFS, XSD

__all__ = ["describe_html"]

_PREFIXES = {
    "provml": PROVML.NS,
    "prov": PROV.NS,
    "mls": MLS.NS,
    "rdf": RDF.NS,
    "rdfs": RDFS.NS,
    "owl": OWL.NS,
    "xsd": XSD.NS,
}


def _short(iri: str) -> str:
    for prefix, ns in _PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _term(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    base: str,
    names: dict[str, dict[str, str]] | None = None,
) -> str:
    if isinstance(term, ox.NamedNode):
        named = (names or {}).get(term.value)
        label = escape(named["label"] if named else _short(term.value))
        if term.value.startswith(base):
            return f'<a href="/id/{escape(term.value[len(base) :], quote=True)}">{label}</a>'
        return f'<a href="{escape(term.value, quote=True)}">{label}</a>'
    if isinstance(term, ox.Literal):
        datatype = _short(term.datatype.value) if term.datatype else ""
        return f"{escape(term.value)} <small>{escape(datatype)}</small>"
    return escape(str(term))


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><td>{p}</td><td>{o}</td></tr>" for p, o in pairs)


def describe_html(
    iri: str,
    triples: list[ox.Triple],
    base: str,
    names: dict[str, dict[str, str]] | None = None,
) -> str:
    """The page for ``iri`` from the triples about it (subject) or pointing to it (object); with
    ``names`` (``services.explore.label_nodes``) links show names, and the page links its RDF
    serialisations and its views in the web UI."""
    outgoing = [
        (_term(t.predicate, base), _term(t.object, base, names))
        for t in triples
        if t.subject.value == iri
    ]
    incoming = [
        (_term(t.subject, base, names), _term(t.predicate, base))
        for t in triples
        if t.subject.value != iri and isinstance(t.object, ox.NamedNode) and t.object.value == iri
    ]
    named = (names or {}).get(iri)
    title = escape(named["label"] if named else iri)
    kind = f" <small>{escape(named['type'])}</small>" if named else ""
    q = quote(iri, safe="")
    links = (
        f"<p><a href='/#/node/{q}'>open in the UI</a> · <a href='/#/lineage/{q}'>lineage</a> · "
        f"RDF: <a href='/api/v1/node?iri={q}&amp;format=turtle'>Turtle</a>, "
        f"<a href='/api/v1/node?iri={q}&amp;format=jsonld'>JSON-LD</a>, "
        f"<a href='/api/v1/node?iri={q}&amp;format=ntriples'>N-Triples</a></p>"
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{title}</title><link rel='icon' href='data:,'>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td{border-bottom:1px solid #ddd;padding:.2em .8em;vertical-align:top}"
        "small{color:#666}</style></head><body>"
        f"<h1>{title}{kind}</h1><p><code>{escape(iri)}</code></p>{links}"
        f"<h2>Properties</h2><table>{_rows(outgoing)}</table>"
        f"<h2>Referenced by</h2><table>{_rows(incoming)}</table>"
        "</body></html>\n"
    )
