"""The polystore: domain knowledge graphs next to the provenance, by name.

A domain graph called ``NAME`` is either *attached* — loaded from a file (Turtle, N-Triples,
JSON-LD, RDF/XML) into its own named graph ``{base}graph/domain/NAME`` — or *registered* as a remote
SPARQL endpoint, recorded in that graph as ``{base}domain/NAME sd:endpoint <url>`` and reached by
questions with ``SERVICE`` (their ``endpoint`` parameter takes the name). Provenance links to domain
entities through ``provml:KnowledgeGraphReference`` nodes (``provml:refersTo``), so one query can
join both.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from queryengine._base import default_base_iri
from queryengine._errors import DomainGraphError
from queryengine._store import DomainStore, QueryableStore

__all__ = [
    "attach_domain_graph",
    "domain_graph_iri",
    "domain_graphs",
    "domain_iri",
    "example_domain_graph",
    "register_endpoint",
    "registered_endpoints",
]

_NAME = re.compile(r"[A-Za-z0-9._~-]{1,64}")
_SD = "http://www.w3.org/ns/sparql-service-description#"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise DomainGraphError(
            f"domain graph name must be 1-64 chars of [A-Za-z0-9._~-], not {name!r}", name=name
        )
    return name


def domain_graph_iri(base_iri: str, name: str) -> str:
    """The named graph a domain graph ``name`` lives in.

    >>> domain_graph_iri("http://provml.localhost/id/", "samples")
    'http://provml.localhost/id/graph/domain/samples'
    """
    return f"{base_iri}graph/domain/{_check_name(name)}"


def domain_iri(base_iri: str, name: str) -> str:
    """The node that describes the domain graph ``name`` (its endpoint, when remote).

    >>> domain_iri("http://provml.localhost/id/", "samples")
    'http://provml.localhost/id/domain/samples'
    """
    return f"{base_iri}domain/{_check_name(name)}"


def example_domain_graph() -> Path:
    """The bundled example domain graph: rock core samples with porosity and permeability
    (Turtle).

    >>> example_domain_graph().name
    'samples.ttl'
    """
    return Path(str(files("queryengine").joinpath("domain", "samples.ttl")))


def attach_domain_graph(
    store: DomainStore,
    name: str,
    source: str | Path | bytes,
    *,
    format: ox.RdfFormat | None = None,
    base_iri: str | None = None,
) -> int:
    """Load a domain graph from a file (format from its extension) or bytes into its own named
    graph, replacing what was attached under that name; returns the number of triples.

    >>> from queryengine._testing import PyoxigraphStore
    >>> attach_domain_graph(PyoxigraphStore(), "demo", b"<http://ex.org/s> <http://ex.org/p> 1 .",
    ...                     format=ox.RdfFormat.TURTLE)
    1
    """
    graph = domain_graph_iri(base_iri or default_base_iri(), name)
    if isinstance(source, bytes):
        if format is None:
            raise DomainGraphError(
                "format is required when the domain graph is given as bytes", name=name
            )
        data = source
    else:
        path = Path(source)
        if format is None:
            format = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or (
                ox.RdfFormat.RDF_XML if path.suffix in (".owl", ".xml") else None
            )
            if format is None:
                raise DomainGraphError(
                    f"cannot tell the RDF format of {path.name}", name=name, file=str(path)
                )
        try:
            data = path.read_bytes()
        except OSError as e:
            raise DomainGraphError(f"cannot read {path}: {e}", name=name, file=str(path)) from e
    try:
        return store.load(data, format, graph)
    except (ValueError, SyntaxError) as e:
        raise DomainGraphError(
            f"domain graph {name!r} is not valid {format.name}: {e}", name=name
        ) from e


def register_endpoint(
    store: DomainStore, name: str, endpoint: str, *, base_iri: str | None = None
) -> None:
    """Register a remote SPARQL endpoint as the domain graph ``name`` (questions reach it with
    ``SERVICE``).

    >>> from queryengine._testing import PyoxigraphStore
    >>> s = PyoxigraphStore()
    >>> register_endpoint(s, "remote", "http://localhost:7878/query")
    >>> [(d["name"], d["triples"], d["endpoint"]) for d in domain_graphs(s)]
    [('remote', 2, 'http://localhost:7878/query')]
    """
    base = base_iri or default_base_iri()
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        raise DomainGraphError(f"endpoint must be an http(s) URL, not {endpoint!r}", name=name)
    try:
        url = ox.NamedNode(endpoint)
    except ValueError as e:
        raise DomainGraphError(f"endpoint is not a valid IRI: {endpoint!r}", name=name) from e
    node = ox.NamedNode(domain_iri(base, name))
    data = f"{node} a <{_SD}Service> ; <{_SD}endpoint> {url} .\n".encode()
    store.load(data, ox.RdfFormat.TURTLE, domain_graph_iri(base, name))


def domain_graphs(store: QueryableStore, *, base_iri: str | None = None) -> list[dict[str, object]]:
    """The attached and registered domain graphs: name, graph IRI, triple count and endpoint (None
    when local)."""
    base = base_iri or default_base_iri()
    prefix = ox.Literal(f"{base}graph/domain/")
    query = f"""
        SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?e) AS ?endpoint) WHERE {{
          GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?s <{_SD}endpoint> ?e }} }}
          FILTER(STRSTARTS(STR(?g), {prefix}))
        }} GROUP BY ?g ORDER BY ?g"""
    out = []
    for g, n, e in store.query(query).rows:
        out.append(
            {
                "name": g.value[len(prefix.value) :],
                "graph": g.value,
                "triples": int(n.value),
                "endpoint": e.value if e is not None else None,
            }
        )
    return out


def registered_endpoints(store: QueryableStore, *, base_iri: str | None = None) -> dict[str, str]:
    """The registered remote endpoints, name → URL: only what ``register_endpoint`` wrote, i.e. the
    ``sd:endpoint`` of ``{base}domain/NAME`` inside its own graph ``{base}graph/domain/NAME`` (the
    same triple anywhere else, say in an imported document, registers nothing).

    >>> from queryengine._testing import PyoxigraphStore
    >>> s = PyoxigraphStore()
    >>> register_endpoint(s, "remote", "http://localhost:7878/query")
    >>> registered_endpoints(s)
    {'remote': 'http://localhost:7878/query'}
    """
    base = base_iri or default_base_iri()
    prefix = f"{base}graph/domain/"
    query = f"""
        SELECT ?g ?d ?e WHERE {{
          GRAPH ?g {{ ?d <{_SD}endpoint> ?e }} FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)}))
        }}"""
    found = {}
    for g, d, e in store.query(query).rows:
        name = g.value[len(prefix) :]
        if isinstance(e, ox.NamedNode) and d.value == f"{base}domain/{name}":
            found[name] = e.value
    return found
