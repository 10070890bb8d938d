"""Remote stores: ``sparql+http://`` and ``sparql+https://`` speak SPARQL 1.1 Protocol to a server.

URI convention (see docs/stores.md)::

    sparql+http://HOST:PORT/PATH[?query=..&update=..&store=..&timeout=..]

The base URL is ``http://HOST:PORT/PATH``; the endpoints default to the layout of ``oxigraph
serve``: ``BASE/query`` (SPARQL Query), ``BASE/update`` (SPARQL Update) and ``BASE/store`` (Graph
Store Protocol), which a provml manager serves too. Each can be overridden with a path relative to
the base or an absolute URL (Fuseki: ``store=data``; GraphDB:
``query=http://h:7200/repositories/r&update=http://h:7200/repositories/r/statements``). ``timeout``
is the default limit in seconds for one request (60). User and password in the URI are sent as HTTP
basic auth; ``token=`` (a constructor argument, never part of the URI) as a bearer token.

Every write is one SPARQL Update request, which the server applies as one transaction.

Errors are never emptiness: any answer outside 2xx is an error, and so is an answer the store cannot
read. The one 404 that may mean "nothing" is the Graph Store's for a graph, and only once the query
endpoint confirms the graph holds no triple.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import httpx
import pyoxigraph as ox

from ._base import AskResult, GraphResult, QueryResult, Store
from ._errors import (
    InvalidDataError,
    QuerySyntaxError,
    StoreClosedError,
    StoreTimeoutError,
    StoreUnavailableError,
    UpdateConflictError,
)
from ._quads import (
    checked_quads,
    graph_load_update,
    insert_data,
    named_graph,
    sparql_iri,
)
from ._results import materialize
from ._sparql_uri import endpoints, redact

__all__ = ["SparqlStore"]

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH %s { ?s ?p ?o } }"
_CANCELLED = b"operation has been cancelled"
_CONNECT_TIMEOUT = 5.0
# oxigraph serve answers 500 to a valid update that cannot apply to the store as it is.
_CONFLICT = re.compile(r"^The graph <[^>]*> (already exists|does not exist)")


def _with_base(sparql: str, base_iri: str | None) -> str:
    """The SPARQL text with its base IRI: the protocol has no parameter for it."""
    return sparql if base_iri is None else f"BASE {sparql_iri(base_iri)}\n{sparql}"


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(_CONNECT_TIMEOUT, seconds))


class SparqlStore(Store):
    """A SPARQL 1.1 Query/Update/Graph Store Protocol server.

    The server must evaluate queries over the union of its named graphs (``oxigraph serve
    --union-default-graph``). Pass ``client`` to use your own ``httpx.Client`` (tests pass one with
    a mock transport); it is not closed.
    """

    def __init__(
        self, uri: str, *, client: httpx.Client | None = None, token: str | None = None
    ) -> None:
        self.uri = redact(uri)
        self.endpoints, self.timeout, auth = endpoints(uri)
        self._owns_client = client is None
        self._token = {"Authorization": f"Bearer {token}"} if token else {}
        self._client: httpx.Client | None = client or httpx.Client(
            timeout=_timeout(self.timeout),
            auth=auth,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            headers={"User-Agent": "provml-store"},
        )

    def _http(self) -> httpx.Client:
        if self._client is None:
            raise StoreClosedError(f"the store {self.uri} is closed")
        return self._client

    def _fail(self, response: httpx.Response, bad_request: type[Exception]) -> None:
        """Raise for any answer outside 2xx (a redirect is not an answer either)."""
        if response.is_success:
            return
        message = response.text.strip()[:2000] or response.reason_phrase
        if response.status_code == 400:
            raise bad_request(message)
        if response.status_code == 409 or (
            response.status_code == 500 and _CONFLICT.match(message)
        ):
            raise UpdateConflictError(message)
        request = response.request
        raise StoreUnavailableError(
            f"{request.method} {request.url} answered {response.status_code}: {message}"
        )

    def query(
        self,
        sparql: str,
        *,
        timeout: float | None = None,
        base_iri: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        client = self._http()
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        form: dict[str, str | list[str]] = {"query": _with_base(sparql, base_iri)}
        if default_graphs is not None or named_graphs is not None:
            form["default-graph-uri"] = [named_graph(g).value for g in default_graphs or ()]
            form["named-graph-uri"] = [named_graph(g).value for g in named_graphs or ()]
        try:
            with client.stream(
                "POST",
                self.endpoints["query"],
                data=form,
                headers={"Accept": _ACCEPT, **self._token},
                timeout=_timeout(limit),
            ) as response:
                if not response.is_success:
                    response.read()
                    self._fail(response, QuerySyntaxError)
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise StoreTimeoutError(f"the query did not finish within {limit} s")
                media_type = response.headers.get("content-type", "").split(";")[0].strip()
        except httpx.TimeoutException as exc:
            raise StoreTimeoutError(f"the query did not finish within {limit} s") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.endpoints['query']}: {exc}") from exc
        return self._parse_answer(b"".join(chunks), media_type)

    def _parse_answer(self, body: bytes, media_type: str) -> QueryResult:
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        try:
            if results_format is not None:
                return materialize(ox.parse_query_results(body, results_format))
            rdf_format = ox.RdfFormat.from_media_type(media_type)
            if rdf_format is None:
                raise StoreUnavailableError(
                    f"the server answered an unknown media type {media_type!r}"
                )
            triples = [
                ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, rdf_format)
            ]
        except SyntaxError as exc:
            # A server that stops a query on its own time limit has already sent "200 OK": it
            # can only cut the body short (oxigraph serve --timeout-s appends its error message).
            if _CANCELLED in body[-200:]:
                raise StoreTimeoutError(
                    "the server cancelled the query at its own time limit"
                ) from exc
            raise StoreUnavailableError(
                f"the server sent an unreadable {media_type}: {exc}"
            ) from exc
        return GraphResult(triples)

    def _post_update(self, sparql: str, bad_request: type[Exception]) -> None:
        client = self._http()
        try:
            response = client.post(
                self.endpoints["update"],
                content=sparql.encode(),
                headers={"Content-Type": "application/sparql-update; charset=utf-8", **self._token},
            )
        except httpx.TimeoutException as exc:
            raise StoreTimeoutError(f"the update did not finish within {self.timeout} s") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.endpoints['update']}: {exc}") from exc
        self._fail(response, bad_request)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._post_update(_with_base(sparql, base_iri), QuerySyntaxError)

    def add(self, quads: Sequence[ox.Quad]) -> None:
        self._http()
        checked = list(checked_quads(quads))
        if checked:
            self._post_update(insert_data(checked), InvalidDataError)

    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        self._http()
        update, count = graph_load_update(data, format, graph)
        self._post_update(update, InvalidDataError)
        return count

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        client = self._http()
        if graph is None and not format.supports_datasets:
            raise InvalidDataError(f"dumping every graph needs a quad format, not {format.name}")
        params = {} if graph is None else {"graph": named_graph(graph).value}
        wire = ox.RdfFormat.N_QUADS if graph is None else ox.RdfFormat.N_TRIPLES
        try:
            response = client.get(
                self.endpoints["store"],
                params=params,
                headers={"Accept": wire.media_type, **self._token},
            )
        except httpx.TimeoutException as exc:
            raise StoreTimeoutError(f"the dump did not finish within {self.timeout} s") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.endpoints['store']}: {exc}") from exc
        if response.status_code == 404 and graph is not None and self._absent(graph, response):
            return ox.serialize([], format=format)
        self._fail(response, StoreUnavailableError)
        parsed = self._parse_graph(response)
        if graph is None:
            return ox.serialize(parsed, format=format)
        if format.supports_datasets:
            target = named_graph(graph)
            quads = (ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed)
            return ox.serialize(quads, format=format)
        return ox.serialize((q.triple for q in parsed), format=format)

    def _absent(self, graph: str, response: httpx.Response) -> bool:
        """True when a Graph Store 404 means the graph is empty (the query endpoint agrees); an
        error naming the endpoint when the graph holds triples (a wrong ``store=`` path)."""
        if self.query(f"ASK {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}").value is False:
            return True
        raise StoreUnavailableError(
            f"GET {response.request.url} answered 404 for the graph <{graph}>, which holds "
            f"triples: {self.endpoints['store']} is not a Graph Store Protocol endpoint of this "
            "server (set store= in the store URI)"
        )

    def _parse_graph(self, response: httpx.Response) -> list[ox.Quad]:
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
        if rdf_format is None:
            raise StoreUnavailableError(
                f"GET {response.request.url} answered {media_type or 'no media type'}, not RDF"
            )
        try:
            return list(ox.parse(response.content, format=rdf_format))
        except SyntaxError as exc:
            raise StoreUnavailableError(
                f"GET {response.request.url} sent unreadable {rdf_format.name}: {exc}"
            ) from exc

    def graphs(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row[0].value for row in result.rows)

    def remove_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH {sparql_iri(graph)}")

    def count(self, graph: str | None = None) -> int:
        target = "?g" if graph is None else sparql_iri(graph)
        return int(self.query(_COUNT % target).rows[0][0].value)

    def ready(self) -> bool:
        try:
            return isinstance(self.query("ASK {}", timeout=min(self.timeout, 5.0)), AskResult)
        except Exception:
            return False

    def close(self) -> None:
        if self._client is not None and self._owns_client:
            self._client.close()
        self._client = None

    def __repr__(self) -> str:
        return f"SparqlStore({self.uri!r})"
