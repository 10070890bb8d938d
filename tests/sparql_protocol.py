"""The W3C SPARQL 1.1 Protocol test suite as data, and a runner that sends its HTTP exchanges.

``load_manifest(path)`` reads ``manifest.ttl`` (the copy under ``shared/reference``) into
``ProtocolTest`` values, in the manifest's order. ``Endpoint.run(test)`` replays one test against a
server: the manifest's ``/sparql/`` path becomes the endpoint's query or update path (an update is
a request with an ``update`` parameter, an ``application/sparql-update`` body, ``using-*``
parameters or a body that is an update, as the manifest allows), bodies are encoded in their
``cnt:characterEncoding``, and the answer is checked for its status class, its format (boolean,
tabular, RDF) and its boolean. It returns the list of what went wrong, empty when the test passes.
The test's graph data is loaded first, each file into the named graph of its label, after
``DROP ALL``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph as ox

__all__ = ["Endpoint", "ProtocolTest", "Request", "load_manifest"]

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
STATUS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "text/html")


UPDATE_KEYWORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
}


def _first_keyword(text: str) -> str:
    """The first word of a SPARQL text after its prologue (BASE and PREFIX declarations)."""
    rest = re.sub(r"^\s*((BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)\s*)*", "", text, flags=re.I)
    match = re.match(r"[A-Za-z]+", rest)
    return match.group().upper() if match else ""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]  # "2xx", "3xx", "4xx", ...
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        params = parse_qs(urlsplit(self.path).query)
        content_type = self.headers.get("content-type", "")
        body = self.body.decode("utf-8", errors="replace") if self.body else ""
        form = (
            parse_qs(body) if content_type.startswith("application/x-www-form-urlencoded") else {}
        )
        return (
            "update" in params
            or "update" in form
            or content_type.startswith("application/sparql-update")
            or any(name.startswith("using-") for name in params)
            or (not content_type and body.startswith("update="))
            or (not form and _first_keyword(body) in UPDATE_KEYWORDS)
        )


@dataclass(frozen=True)
class ProtocolTest:
    name: str  # the manifest's local name, e.g. "query_post_form"
    label: str
    requests: tuple[Request, ...]
    graph_data: dict[str, Path] = field(default_factory=dict)  # graph IRI -> data file


def _objects(store: ox.Store, subject: object, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def _one(store: ox.Store, subject: object, predicate: str) -> object | None:
    found = _objects(store, subject, predicate)
    return found[0] if found else None


def _items(store: ox.Store, head: object) -> list:
    items = []
    while head != ox.NamedNode(RDF + "nil"):
        items.append(_one(store, head, RDF + "first"))
        head = _one(store, head, RDF + "rest")
    return items


def _request(store: ox.Store, node: object) -> Request:
    headers = {
        _one(store, h, HT + "fieldName").value.lower(): _one(store, h, HT + "fieldValue").value
        for h in _items(store, _one(store, node, HT + "headers") or ox.NamedNode(RDF + "nil"))
    }
    body = None
    content = _one(store, node, HT + "body")
    if content is not None:
        encoding = _one(store, content, CNT + "characterEncoding").value
        body = _one(store, content, CNT + "chars").value.encode(encoding.lower())
    response = _one(store, node, HT + "resp")
    statuses = frozenset(
        s.value.removeprefix(STATUS) for s in _objects(store, response, MF + "expectedStatus")
    )
    expected_format = _one(store, response, MF + "expectedFormat")
    expected_boolean = _one(store, response, MF + "expectedBoolean")
    return Request(
        method=_one(store, node, HT + "methodName").value,
        path=_one(store, node, HT + "absolutePath").value,
        headers=headers,
        body=body,
        statuses=statuses,
        expected_format=expected_format.value if expected_format else None,
        expected_boolean=expected_boolean.value == "true" if expected_boolean else None,
    )


def load_manifest(path: Path) -> list[ProtocolTest]:
    """The protocol tests of ``manifest.ttl``, in the order of its ``mf:entries``."""
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
    manifest = ox.NamedNode(path.as_uri())
    tests = []
    for entry in _items(store, _one(store, manifest, MF + "entries")):
        action = _one(store, entry, MF + "action")
        requests = _items(store, _one(store, action, HT + "requests"))
        data = {
            _one(store, d, RDFS + "label").value: Path(
                urlsplit(_one(store, d, UT + "graph").value).path
            )
            for d in _objects(store, entry, UT + "graphData")
        }
        tests.append(
            ProtocolTest(
                name=entry.value.rsplit("#", 1)[1],
                label=_one(store, entry, MF + "name").value,
                requests=tuple(_request(store, r) for r in requests),
                graph_data=data,
            )
        )
    return tests


@dataclass
class Endpoint:
    """A SPARQL server: its base URL, its query and update paths and the admin token for updates."""

    base_url: str
    query_path: str = "/sparql"
    update_path: str = "/sparql/update"
    admin_token: str | None = None
    remote: bool = False  # the manager fronts a SPARQL server (for the caller's bookkeeping)

    def _update(self, client: httpx.Client, text: str) -> None:
        answer = client.post(
            self.update_path,
            content=text.encode(),
            headers={"Content-Type": "application/sparql-update", **self._auth()},
        )
        assert answer.status_code == 204, answer.text

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}

    def reset(self, client: httpx.Client, test: ProtocolTest) -> None:
        """An empty store holding the test's graph data."""
        self._update(client, "DROP ALL")
        for graph, path in test.graph_data.items():
            self._update(client, f"INSERT DATA {{ GRAPH <{graph}> {{\n{path.read_text()}\n}} }}")

    def run(self, test: ProtocolTest) -> list[str]:
        """Send the test's requests in order; what went wrong (empty when the test passes)."""
        problems: list[str] = []
        with httpx.Client(base_url=self.base_url, timeout=60) as client:
            self.reset(client, test)
            for index, request in enumerate(test.requests):
                target = self.update_path if request.is_update else self.query_path
                path = target + request.path.removeprefix("/sparql/")
                headers = {**request.headers, **(self._auth() if request.is_update else {})}
                answer = client.request(request.method, path, headers=headers, content=request.body)
                problems += [f"request {index}: {p}" for p in _check(request, answer)]
        return problems


def _boolean(answer: httpx.Response, media_type: str) -> bool | None:
    if media_type == "application/sparql-results+json":
        return json.loads(answer.text).get("boolean")
    root = ET.fromstring(answer.text)
    found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    return None if found is None else found.text == "true"


def _check(request: Request, answer: httpx.Response) -> list[str]:
    status = f"{answer.status_code // 100}xx"
    if status not in request.statuses:
        return [f"status {answer.status_code} not in {sorted(request.statuses)}: {answer.text}"]
    media_type = answer.headers.get("content-type", "").split(";")[0].strip()
    expected = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}
    if request.expected_format and media_type not in expected[request.expected_format]:
        return [f"{media_type} is not a {request.expected_format} format"]
    if request.expected_boolean is not None:
        value = _boolean(answer, media_type)
        if value is not request.expected_boolean:
            return [f"boolean {value}, expected {request.expected_boolean}"]
    return []
