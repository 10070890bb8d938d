"""Remote stores: ``sparql+http://`` and ``sparql+https://`` speak SPARQL 1.1 Protocol to a server.

URI convention (see docs/stores.md)::

    sparql+http://HOST:PORT/PATH[?engine=..&query=..&update=..&store=..&timeout=..&auth=..
                                 &maxrows=..&scope=..]

The base URL is ``http://HOST:PORT/PATH``. ``engine=`` names the server's profile (``oxigraph``,
the default, or ``virtuoso``; see ``_engines``): its endpoint layout and its quirks. For
``oxigraph`` the endpoints are ``BASE/query`` (SPARQL Query), ``BASE/update`` (SPARQL Update) and
``BASE/store`` (Graph Store Protocol), which a provml manager serves too; for ``virtuoso`` all are
``BASE`` (``.../sparql``). Each can be overridden with a path relative to the base or an absolute
URL. ``timeout`` is the default limit in seconds for one request (60); ``maxrows`` the server's row
limit; ``scope`` an IRI prefix: only graphs under it are provml's. User and password in the URI are
sent as HTTP basic auth (``auth=digest``: digest auth); ``token=`` (a constructor argument, never
part of the URI) as a bearer token.

Every write is one SPARQL Update request, which the server applies as one transaction (Virtuoso:
each operation of it, see docs/stores.md).

Errors are never emptiness: any answer outside 2xx is an error, and so is an answer the store cannot
read. The one 404 that may mean "nothing" is the Graph Store's for a graph, and only once the query
endpoint confirms the graph holds no triple.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
import pyoxigraph as ox

from ._answers import (
    XSD_DOUBLE,
    double_columns,
    double_lexical,
    exact_doubles_query,
    graph_doubles,
    graph_doubles_query,
    repair_json,
    repair_terms,
    with_exact_doubles,
    with_exact_graph_doubles,
)
from ._base import AskResult, GraphResult, QueryResult, SelectResult, Store
from ._errors import (
    InvalidDataError,
    QueryRefusedError,
    QuerySyntaxError,
    ResultTruncatedError,
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
from ._sparql_text import query_form, split_prologue, with_now
from ._sparql_uri import redact, settings

__all__ = ["SparqlStore"]

_SOLUTIONS = "application/sparql-results+json"
_GRAPH = "application/n-triples, text/turtle;q=0.9"
_ACCEPT = {"SELECT": _SOLUTIONS, "ASK": _SOLUTIONS, "CONSTRUCT": _GRAPH, "DESCRIBE": _GRAPH}
_ANY = f"{_SOLUTIONS}, application/n-triples;q=0.9, text/turtle;q=0.8"
_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_CANCELLED = b"operation has been cancelled"
_NO_GRAPH = "urn:provml:no-graph"
_CONNECT_TIMEOUT = 5.0
# A valid update that cannot apply to the store as it is: oxigraph serve and Virtuoso answer 500.
_CONFLICT = re.compile(
    r"^The graph <[^>]*> (already exists|does not exist)"
    r"|SPARUL_(CREATE|DROP|CLEAR)\(\) failed: graph <[^>]*> "
    r"(has (not )?been explicitly created|contains triples already)"
)
_ALL_GRAPHS = re.compile(r"(DROP|CLEAR)\s+(SILENT\s+)?(ALL|NAMED)\b", re.IGNORECASE)


def _with_base(sparql: str, base_iri: str | None) -> str:
    """The SPARQL text with its base IRI: the protocol has no parameter for it."""
    return sparql if base_iri is None else f"BASE {sparql_iri(base_iri)}\n{sparql}"


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(_CONNECT_TIMEOUT, seconds))


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


class SparqlStore(Store):
    """A SPARQL 1.1 Query/Update/Graph Store Protocol server.

    The server must evaluate queries over the union of its named graphs (``oxigraph serve
    --union-default-graph``; Virtuoso does by default). Pass ``client`` to use your own
    ``httpx.Client`` (tests pass one with a mock transport); it is not closed.
    """

    def __init__(
        self, uri: str, *, client: httpx.Client | None = None, token: str | None = None
    ) -> None:
        self.uri = redact(uri)
        found = settings(uri)
        self.endpoints, self.timeout = found.endpoints, found.timeout
        self.engine, self.max_rows, self.scope = found.engine, found.max_rows, found.scope
        #: The engine's name: questions known to be answered wrongly on it are refused.
        self.engine_name = self.engine.name
        #: Questions substitute their parameters' constants on engines that need it.
        self.substitute_parameters = self.engine.substitute_parameters
        #: Questions ask their sub-selects marked ``# @prefetch`` first on engines that need it.
        self.prefetch_subselects = self.engine.prefetch_subselects
        self._owns_client = client is None
        self._token = {"Authorization": f"Bearer {token}"} if token else {}
        self._client: httpx.Client | None = client or httpx.Client(
            timeout=_timeout(self.timeout),
            auth=found.auth,
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
        if any(re.search(r, message) for r in self.engine.refusals):
            raise QueryRefusedError(
                f"the {self.engine.name} server refused the query (see docs/stores.md for its "
                f"settings): {message}"
            )
        if response.status_code == 400:
            raise bad_request(message)
        if response.status_code == 409 or (
            response.status_code == 500 and _CONFLICT.search(message)
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
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        dataset: dict[str, str | list[str]] = {}
        if default_graphs is not None or named_graphs is not None:
            # An empty side is named by a graph that never holds a triple: a server may read a
            # missing parameter as "every graph" (Virtuoso does for named-graph-uri).
            dataset["default-graph-uri"] = [named_graph(g).value for g in default_graphs or ()] or [
                _NO_GRAPH
            ]
            dataset["named-graph-uri"] = [named_graph(g).value for g in named_graphs or ()] or [
                _NO_GRAPH
            ]
        text = _with_base(sparql, base_iri)
        if self.engine.pinned_now:
            text = with_now(text, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        form = query_form(text)
        result = self._request(text, form, dataset, limit, deadline)
        expr = self.engine.exact_double
        if expr is not None and isinstance(result, SelectResult):
            columns = double_columns(result)
            if columns:
                again = exact_doubles_query(text, result.variables, columns, expr)
                answer = self._request(again, form, dataset, limit, deadline)
                assert isinstance(answer, SelectResult)
                result = with_exact_doubles(result, answer, columns)
        if expr is not None and isinstance(result, GraphResult):
            subjects = graph_doubles(result)
            stored = SelectResult(["s", "o", "x"], [])
            for start in range(0, len(subjects), 500):
                chunk = graph_doubles_query(subjects[start : start + 500], expr)
                answer = self._request(chunk, "SELECT", {}, limit, deadline)
                assert isinstance(answer, SelectResult)
                stored.rows.extend(answer.rows)
            if subjects:
                result = with_exact_graph_doubles(result, stored)
        return result

    def _request(
        self,
        sparql: str,
        form: str | None,
        dataset: dict[str, str | list[str]],
        limit: float,
        deadline: float,
    ) -> QueryResult:
        client = self._http()
        data: dict[str, str | list[str]] = {"query": sparql, **dataset}
        try:
            with client.stream(
                "POST",
                self.endpoints["query"],
                data=data,
                headers={"Accept": _ACCEPT.get(form or "", _ANY), **self._token},
                timeout=_timeout(max(deadline - time.monotonic(), 0.001)),
            ) as response:
                if not response.is_success:
                    response.read()
                    self._fail(response, QuerySyntaxError)
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise StoreTimeoutError(f"the query did not finish within {limit} s")
                media_type = _media_type(response)
        except httpx.TimeoutException as exc:
            raise StoreTimeoutError(f"the query did not finish within {limit} s") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.endpoints['query']}: {exc}") from exc
        result = self._parse_answer(b"".join(chunks), media_type, form)
        if self.engine.canonical_terms:
            result = repair_terms(result)
        size = len(result.rows) if isinstance(result, SelectResult) else None
        if isinstance(result, GraphResult):
            size = len(result.triples)
        if self.max_rows is not None and size is not None and size >= self.max_rows:
            raise ResultTruncatedError(
                f"the answer has {size} rows, the row limit of the {self.engine.name} server "
                f"(maxrows={self.max_rows}): it may be cut short; narrow the query or raise "
                "the server's limit (ResultSetMaxRows) and the store URI's maxrows"
            )
        return result

    def _parse_answer(self, body: bytes, media_type: str, form: str | None) -> QueryResult:
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        rdf_format = None if results_format else ox.RdfFormat.from_media_type(media_type)
        if results_format is None and rdf_format is None:
            raise StoreUnavailableError(f"the server answered an unknown media type {media_type!r}")
        expected = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "solutions"
        if form is not None and (expected == "graph") != (rdf_format is not None):
            raise StoreUnavailableError(
                f"the server answered a {form} query with {media_type}, not {expected}"
            )
        try:
            if results_format is not None:
                if results_format == ox.QueryResultsFormat.JSON:
                    body = repair_json(body)
                return materialize(ox.parse_query_results(body, results_format))
            assert rdf_format is not None
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
        if not self.engine.drop_all:
            sparql = self._drop_each_graph(sparql)
        self._post_update(_with_base(sparql, base_iri), QuerySyntaxError)

    def _drop_each_graph(self, sparql: str) -> str:
        """``DROP ALL`` / ``CLEAR ALL`` (and ``NAMED``) as one ``DROP SILENT GRAPH`` per graph of
        provml's, for servers that answer them without removing anything."""
        prologue, operation = split_prologue(sparql)
        match = _ALL_GRAPHS.match(operation.strip())
        if match is None:
            return sparql
        if operation.strip()[match.end() :].strip(" \n\t;"):
            raise InvalidDataError(
                f"on {self.engine.name}, DROP ALL / CLEAR ALL must be an update of its own"
            )
        graphs = self.graphs()
        verb = match.group(1).upper()
        if not graphs:
            return f"{prologue}INSERT DATA {{}}"
        return prologue + " ;\n".join(f"{verb} SILENT GRAPH {sparql_iri(g)}" for g in graphs)

    def add(self, quads: Sequence[ox.Quad]) -> None:
        self._http()
        checked = list(checked_quads(quads))
        if checked:
            update = insert_data(checked, nan_apart=self.engine.nan_apart)
            self._post_update(update, InvalidDataError)

    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        self._http()
        update, count = graph_load_update(
            data,
            format,
            graph,
            nan_apart=self.engine.nan_apart,
            blank_template=self.engine.blank_template,
        )
        self._post_update(update, InvalidDataError)
        return count

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        self._http()
        if graph is None and not format.supports_datasets:
            raise InvalidDataError(f"dumping every graph needs a quad format, not {format.name}")
        if self.engine.graph_store:
            parsed = self._dump_graph_store(graph)
        else:
            parsed = self._dump_select(graph)
        if parsed is None:
            return ox.serialize([], format=format)
        if graph is None:
            return ox.serialize(parsed, format=format)
        if format.supports_datasets:
            target = named_graph(graph)
            quads = (ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed)
            return ox.serialize(quads, format=format)
        return ox.serialize((q.triple for q in parsed), format=format)

    def _dump_graph_store(self, graph: str | None) -> list[ox.Quad] | None:
        params = {} if graph is None else {"graph": named_graph(graph).value}
        wire = ox.RdfFormat.N_QUADS if graph is None else ox.RdfFormat.N_TRIPLES
        try:
            response = self._http().get(
                self.endpoints["store"],
                params=params,
                headers={"Accept": wire.media_type, **self._token},
            )
        except httpx.TimeoutException as exc:
            raise StoreTimeoutError(f"the dump did not finish within {self.timeout} s") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.endpoints['store']}: {exc}") from exc
        if response.status_code == 404 and graph is not None and self._absent(graph, response):
            return None
        self._fail(response, StoreUnavailableError)
        return self._parse_graph(response)

    def _dump_select(self, graph: str | None) -> list[ox.Quad]:
        """Every quad of provml's graphs (or of ``graph``) through SPARQL, page by page in a fixed
        order, each page below the server's row limit; doubles exact."""
        page = 5000 if self.max_rows is None else min(5000, self.max_rows - 1)
        where = "GRAPH ?g { ?s ?p ?o }"
        if graph is not None:
            where += f" FILTER(?g = {sparql_iri(graph)})"
        exact = self.engine.exact_double
        column = (
            f'(IF(isLiteral(?o) && DATATYPE(?o) = {XSD_DOUBLE}, {exact.format("?o")}, "") AS ?x)'
            if exact
            else ""
        )
        wanted = set(self.graphs()) if graph is None else {graph}
        quads: list[ox.Quad] = []
        offset = 0
        while True:
            result = self.query(
                f"SELECT ?g ?s ?p ?o {column} WHERE {{ {where} }} "
                f"ORDER BY ?g ?s ?p ?o LIMIT {page} OFFSET {offset}"
            )
            assert isinstance(result, SelectResult)
            for row in result.rows:
                g, s, p, o = row[:4]
                if g is None or g.value not in wanted:
                    continue
                if exact and isinstance(row[4], ox.Literal) and row[4].value:
                    o = ox.Literal(double_lexical(row[4].value), datatype=XSD_DOUBLE)
                quads.append(ox.Quad(s, p, o, g))  # type: ignore[arg-type]
            if len(result.rows) < page:
                return quads
            offset += page

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
        media_type = _media_type(response)
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

    def _graph_counts(self) -> dict[str, int]:
        """Triples per graph of provml's (in the URI's scope, never the server's own)."""
        result = self.query(_GRAPHS)
        assert isinstance(result, SelectResult)
        return {
            row[0].value: int(row[1].value)  # type: ignore[union-attr]
            for row in result.rows
            if row[0].value not in self.engine.system_graphs  # type: ignore[union-attr]
            and (self.scope is None or row[0].value.startswith(self.scope))  # type: ignore[union-attr]
        }

    def graphs(self) -> list[str]:
        return sorted(self._graph_counts())

    def remove_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH {sparql_iri(graph)}")

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return sum(self._graph_counts().values())
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}"
        return int(self.query(query).rows[0][0].value)  # type: ignore[union-attr]

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
