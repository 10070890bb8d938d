"""The http transport: POST each batch to ``{manager}/api/v1/capture`` over a kept-alive connection.

Only a 2xx is an acknowledgement. 408, 429 and 5xx (and connection errors) are worth retrying; any
other 4xx means the manager will never accept the batch (:class:`BatchRejected`). Standard library
only (``http.client``), so importing the client stays light.
"""

from __future__ import annotations

import http.client
import socket
import urllib.parse

from provlake._exceptions import BatchRejected, ConfigurationError, TransportError
from provlake._transports import Transport

__all__ = ["CAPTURE_PATH", "HttpTransport"]

CAPTURE_PATH = "/api/v1/capture"
_RETRYABLE_4XX = {408, 429}


class HttpTransport(Transport):
    """Sends batches to a provml manager."""

    kind = "http"

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigurationError(
                f"manager URL must be http(s)://host[:port][/prefix], got {url!r}"
            )
        self.url = url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.timeout)
            conn.connect()
            # headers and body go in separate writes: without this, Nagle's algorithm and delayed
            # ACKs can hold the end of every batch for ~40 ms
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conn = conn
        return self._conn

    def post(self, path: str, body: bytes) -> tuple[int, str]:
        """POST a JSON ``body`` to ``path`` of the manager (under the URL's prefix) on the
        kept-alive connection: the status and the text of the answer, whatever the status. No
        answer (a refused connection, a timeout, a broken one) raises :class:`TransportError`.

        A kept-alive connection the manager closed while it was idle fails on its next use: that
        request is sent once more on a new connection (every request of provml's API is safe to
        repeat: a capture replayed adds nothing)."""
        while True:
            reused = self._conn is not None
            try:
                conn = self._connection()
                conn.request("POST", self._prefix + path, body=body, headers=self._headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, text
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self.close()
                if reused and not isinstance(exc, TimeoutError):
                    continue
                raise TransportError(f"POST {self.url}{path} failed: {exc!r}") from exc

    def send(self, body: bytes, count: int) -> None:
        status, text = self.post(CAPTURE_PATH, body)
        if 200 <= status < 300:
            return
        if 400 <= status < 500 and status not in _RETRYABLE_4XX:
            raise BatchRejected(
                f"manager refused a batch of {count} records: HTTP {status} {text[:500]}",
                status,
                text,
            )
        raise TransportError(f"manager answered HTTP {status}: {text[:200]}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __repr__(self) -> str:
        return f"<HttpTransport {self.url}>"
