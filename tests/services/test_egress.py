"""The SPARQL scan that finds SERVICE / LOAD targets and nesting, checked against rdflib's parser,
and the egress policy's URL rules."""

from __future__ import annotations

import pytest
from rdflib.plugins.sparql import prepareQuery

from queryengine import register_endpoint
from services._egress import EgressPolicy, EndpointNotAllowed, normalise_url
from services._sparqlscan import scan_sparql
from services.store import open_store

QUERIES = [
    "SELECT * WHERE { SERVICE <http://a.example/q> { ?s ?p ?o } }",
    "PREFIX x: <http://b.example/> SELECT * WHERE { SERVICE SILENT x:q { ?s ?p ?o } }",
    "BASE <http://c.example/dir/> SELECT * WHERE { SERVICE <../q> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p """long "SERVICE <http://no.example/>" string""" '
    "SERVICE <http://d.example/q#frag> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p 'it\\'s' . SERVICE <http://e.example/1> { ?s ?p ?o } SERVICE "
    "<http://e.example/2> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "a \\" SERVICE <http://no.example/>" '
    "OPTIONAL { SERVICE <http://f.example/q> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?service <http://h.example/p> ?load }",
]


def rdflib_targets(query: str) -> list[str]:
    found: list[str] = []
    seen: set[int] = set()

    def walk(node: object) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if getattr(node, "name", None) == "ServiceGraphPattern":
            found.append(str(node["term"]))
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(prepareQuery(query).algebra)
    return sorted(found)


@pytest.mark.parametrize("query", QUERIES)
def test_targets_agree_with_rdflibs_parser(query: str) -> None:
    assert sorted(t.iri for t in scan_sparql(query).targets) == rdflib_targets(query)


def test_escaped_local_names_resolve_as_oxigraph_resolves_them() -> None:
    # rdflib keeps the backslash of "\." in a local name; the SPARQL grammar and Oxigraph drop it
    scan = scan_sparql(
        "PREFIX : <http://g.example/> SELECT * WHERE { SERVICE :q\\.x { ?s ?p ?o } }"
    )
    assert [t.iri for t in scan.targets] == ["http://g.example/q.x"]


def test_updates_name_their_load_targets_and_variables_stay_unresolved() -> None:
    scan = scan_sparql(
        "LOAD SILENT <http://a.example/data.ttl> INTO GRAPH <urn:g> ; "
        "INSERT { ?s ?p ?o } WHERE { SERVICE $where { ?s ?p ?o } } ; "
        "INSERT { ?s ?p ?o } WHERE { SERVICE nope:q { ?s ?p ?o } }"
    )
    assert [(t.keyword, t.iri, t.silent) for t in scan.targets] == [
        ("LOAD", "http://a.example/data.ttl", True),
        ("SERVICE", None, False),
        ("SERVICE", None, False),
    ]


def test_depth_counts_groups_parentheses_and_brackets() -> None:
    assert scan_sparql("SELECT * WHERE { ?s ?p [ ?q (1 (2)) ] }").depth == 4
    assert scan_sparql('SELECT * WHERE { ?s ?p "{{{{((((" }').depth == 1
    assert scan_sparql("ASK " + "{" * 300 + "}" * 300).depth == 300


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Kg.Example.org:443/q", ("https", "kg.example.org", 443, "/q")),
        ("http://[::1]:7878", ("http", "::1", 7878, "/")),
        ("http://user:pw@kg.example.org/q", None),
        ("ftp://kg.example.org/q", None),
        ("http://kg.example.org:99999/q", None),
        ("urn:x", None),
    ],
)
def test_normalised_urls(url: str, expected: object) -> None:
    assert normalise_url(url) == expected


def test_registered_endpoints_are_allowed_in_their_graph_only() -> None:
    base = "http://provml.localhost/id/"
    policy = EgressPolicy((), base)
    with open_store("memory:") as store:
        register_endpoint(store, "kg", "http://kg.example.org/q", base_iri=base)
        store.update(
            f"INSERT DATA {{ GRAPH <{base}graph/run/r1> {{ <{base}domain/other> "
            "<http://www.w3.org/ns/sparql-service-description#endpoint> "
            "<http://169.254.169.254/> } }"
        )
        assert policy.allows("http://kg.example.org:80/q", store)
        assert not policy.allows("http://169.254.169.254/", store)
        with pytest.raises(EndpointNotAllowed) as refused:
            policy.check("http://169.254.169.254/", store, field="endpoint")
        assert (refused.value.field, refused.value.url) == ("endpoint", "http://169.254.169.254/")
