"""A small real SPARQL endpoint for tests of SERVICE: an HTTP server on a free loopback port that
records every request and answers the core samples below porosity 0.2 (the rows the
``models-by-domain-property-remote`` question joins with the test capture, with the parameters it
binds inside its SERVICE block: porosity, 0.2, test_accuracy).

``hold()`` keeps the answers back until ``release()``: a question reaching it stays in flight as
long as the test wants, which lets a test check what else the manager does meanwhile (ordering, not
timing).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.queryengine.capture import BASE, CORES

__all__ = ["ANSWER", "Endpoint", "sparql_endpoint"]

_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
ANSWER = {
    "head": {"vars": ["entity", "property_value", "property", "below", "measure"]},
    "results": {
        "bindings": [
            {
                "entity": {"type": "uri", "value": CORES + "S1"},
                "property_value": {"type": "literal", "value": "0.12", "datatype": _XSD_DOUBLE},
                "property": {"type": "uri", "value": CORES + "porosity"},
                "below": {"type": "literal", "value": "0.2", "datatype": _XSD_DOUBLE},
                "measure": {"type": "uri", "value": BASE + "measure/test_accuracy"},
            }
        ]
    },
}


@dataclass
class Endpoint:
    """The running endpoint: its URL, the requests it received, and the gate holding answers."""

    url: str
    requests: list[str] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()


@contextmanager
def sparql_endpoint() -> Iterator[Endpoint]:
    endpoint = Endpoint(url="")
    endpoint.release()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            endpoint.requests.append(self.path + " " + self.rfile.read(length).decode())
            endpoint.received.set()
            endpoint.gate.wait(60)
            body = json.dumps(ANSWER).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    thread = threading.Thread(target=server.serve_forever, name="test-endpoint", daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        endpoint.release()
        server.shutdown()
        server.server_close()
        thread.join(10)
