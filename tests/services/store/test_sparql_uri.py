"""The sparql+http(s):// URI convention: endpoints, overrides, timeout, credentials, error mapping.

Requests go to an ``httpx.MockTransport`` recording them: these tests check what is sent, the
conformance suite checks the behaviour against a real ``oxigraph serve``.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest

from services.store import StoreError
from services.store._sparql import SparqlStore


def recording_store(uri: str, answer: httpx.Response) -> tuple[SparqlStore, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    client = httpx.Client(transport=httpx.MockTransport(handle))
    return SparqlStore(uri, client=client), seen


ASK_TRUE = httpx.Response(
    200,
    json={"head": {}, "boolean": True},
    headers={"content-type": "application/sparql-results+json"},
)


def test_default_endpoints_follow_oxigraph_serve() -> None:
    store = SparqlStore("sparql+http://db.example:7878/")
    assert store.endpoints == {
        "query": "http://db.example:7878/query",
        "update": "http://db.example:7878/update",
        "store": "http://db.example:7878/store",
    }
    assert store.timeout == 60.0
    store.close()


def test_endpoint_overrides_for_other_servers() -> None:
    fuseki = SparqlStore("sparql+https://kg.example/fuseki/ds?store=data&timeout=5")
    assert fuseki.endpoints == {
        "query": "https://kg.example/fuseki/ds/query",
        "update": "https://kg.example/fuseki/ds/update",
        "store": "https://kg.example/fuseki/ds/data",
    }
    assert fuseki.timeout == 5.0
    graphdb = SparqlStore(
        "sparql+http://h:7200/repositories/r?query=http://h:7200/repositories/r"
        "&update=statements&store=rdf-graphs/service"
    )
    assert graphdb.endpoints == {
        "query": "http://h:7200/repositories/r",
        "update": "http://h:7200/repositories/r/statements",
        "store": "http://h:7200/repositories/r/rdf-graphs/service",
    }
    fuseki.close()
    graphdb.close()


@pytest.mark.parametrize(
    "uri",
    [
        "sparql+http://h/?bogus=1",
        "sparql+http://h/?timeout=soon",
        "sparql+http:///nohost",
        "http://h/",
    ],
)
def test_bad_sparql_uri_is_refused(uri: str) -> None:
    with pytest.raises(ValueError) as caught:
        SparqlStore(uri)
    assert isinstance(caught.value, StoreError)


def test_credentials_are_sent_as_basic_auth_and_hidden_from_the_uri() -> None:
    store = SparqlStore("sparql+http://alice:s3cret@h:7878")
    assert store.uri == "sparql+http://alice:***@h:7878"
    assert "s3cret" not in repr(store)
    request = store._http().build_request("GET", "http://h:7878/query")
    assert store._http().auth is not None
    flow = store._http().auth.sync_auth_flow(request)
    assert next(flow).headers["authorization"] == httpx.BasicAuth("alice", "s3cret")._auth_header
    store.close()


def test_query_is_posted_as_a_form_to_the_query_endpoint() -> None:
    store, seen = recording_store("sparql+http://h/ds?query=sparql", ASK_TRUE)
    assert store.query("ASK { ?s ?p ?o }").value is True
    assert [str(r.url) for r in seen] == ["http://h/ds/sparql"]
    assert seen[0].method == "POST"
    assert httpx.QueryParams(seen[0].content.decode())["query"] == "ASK { ?s ?p ?o }"
    assert "application/sparql-results+json" in seen[0].headers["accept"]


def test_add_is_one_insert_data_request() -> None:
    store, seen = recording_store("sparql+http://h", httpx.Response(204))
    g1, g2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
    p = ox.NamedNode("http://example.org/p")
    store.add([ox.Quad(p, p, ox.Literal('a "quoted"\nline'), g1), ox.Quad(p, p, p, g2)])
    assert len(seen) == 1
    assert str(seen[0].url) == "http://h/update"
    assert seen[0].headers["content-type"].startswith("application/sparql-update")
    body = seen[0].content.decode()
    assert body.startswith("INSERT DATA {")
    assert body.count("GRAPH <") == 2
    # The update text parses and writes exactly these quads.
    scratch = ox.Store()
    scratch.update(body)
    assert set(scratch) == {ox.Quad(p, p, ox.Literal('a "quoted"\nline'), g1), ox.Quad(p, p, p, g2)}


@pytest.mark.parametrize(
    ("status", "expected"),
    [(400, SyntaxError), (500, OSError), (503, OSError)],
)
def test_server_errors_map_to_builtins(status: int, expected: type[Exception]) -> None:
    store, _ = recording_store("sparql+http://h", httpx.Response(status, text="server says no"))
    with pytest.raises(expected, match="server says no") as caught:
        store.query("ASK {}")
    assert isinstance(caught.value, StoreError)
    with pytest.raises(expected, match="server says no"):
        store.update("CLEAR ALL")


def test_unreachable_server_is_an_os_error_and_not_ready() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    store = SparqlStore(
        "sparql+http://h", client=httpx.Client(transport=httpx.MockTransport(refuse))
    )
    with pytest.raises(OSError, match="cannot reach http://h/query"):
        store.query("ASK {}")
    assert store.ready() is False


def test_http_timeout_is_a_timeout_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    store = SparqlStore("sparql+http://h", client=httpx.Client(transport=httpx.MockTransport(slow)))
    with pytest.raises(TimeoutError):
        store.query("ASK {}", timeout=1)
    with pytest.raises(TimeoutError):
        store.update("CLEAR ALL")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, text="internal error"),
        httpx.Response(503, text="overloaded"),
        httpx.Response(302, headers={"location": "http://h/login"}),
        httpx.Response(
            200, text="<html>a login page</html>", headers={"content-type": "text/html"}
        ),
        httpx.Response(200, text="<a> <b> ", headers={"content-type": "application/n-triples"}),
        httpx.Response(200, content=b""),
    ],
)
def test_a_failed_graph_read_is_an_error_never_an_empty_graph(answer: httpx.Response) -> None:
    store, seen = recording_store("sparql+http://h", answer)
    with pytest.raises(OSError) as caught:
        store.dump(ox.RdfFormat.N_TRIPLES, "http://example.org/g")
    assert isinstance(caught.value, StoreError)
    assert seen[0].url.path == "/store"
    with pytest.raises(OSError):
        store.dump(ox.RdfFormat.N_QUADS)


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirected_update_or_query_is_an_error(status: int) -> None:
    store, _ = recording_store(
        "sparql+http://h", httpx.Response(status, headers={"location": "http://h/login"})
    )
    with pytest.raises(OSError, match=str(status)):
        store.update("CLEAR ALL")
    with pytest.raises(OSError, match=str(status)):
        store.query("ASK {}")


def test_a_graph_store_404_is_checked_with_the_query_endpoint() -> None:
    seen: list[httpx.Request] = []
    holds_triples = {"value": True}

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/store":
            return httpx.Response(404, text="not found")
        return httpx.Response(
            200,
            json={"head": {}, "boolean": holds_triples["value"]},
            headers={"content-type": "application/sparql-results+json"},
        )

    store = SparqlStore(
        "sparql+http://h", client=httpx.Client(transport=httpx.MockTransport(handle))
    )
    with pytest.raises(OSError, match="holds triples"):
        store.dump(ox.RdfFormat.TURTLE, "http://example.org/g")
    (asked,) = parse_qs(seen[1].content.decode())["query"]
    assert asked == "ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }"
    holds_triples["value"] = False
    assert store.dump(ox.RdfFormat.TURTLE, "http://example.org/g") == b""


def test_a_bearer_token_is_sent_on_every_request() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/store":
            return httpx.Response(200, content=b"", headers={"content-type": "application/n-quads"})
        return ASK_TRUE if request.url.path == "/query" else httpx.Response(204)

    client = httpx.Client(transport=httpx.MockTransport(handle))
    store = SparqlStore("sparql+http://h", client=client, token="t0k3n")
    store.query("ASK {}")
    store.update("CLEAR ALL")
    store.dump(ox.RdfFormat.N_QUADS)
    assert [r.headers["authorization"] for r in seen] == ["Bearer t0k3n"] * 3
    assert "t0k3n" not in store.uri and "t0k3n" not in repr(store)
