"""Where synchronous writes go (:mod:`provlake._sync`): a manager over HTTP, or an in-process one.

- ``http(s)://HOST:PORT[/prefix]``: :class:`ManagerTransport`: batches to ``/api/v1/capture`` (the
  http transport's ``send``), named questions to ``/api/v1/questions/{name}``, id blocks from
  ``/api/v1/braid/ids``, all through the http transport's ``post`` on its one kept-alive
  connection;
- anything else (a file path, a store URI): the ``embedded`` transport kind, an in-process manager
  that the ``services`` package provides through the ``provml.transports`` entry point group, so
  that :mod:`provlake` never imports it.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

from provlake._exceptions import BatchRejected, ConfigurationError, TransportError
from provlake._http import HttpTransport
from provlake._registry import make_transport
from provlake._sync import SyncTransport

__all__ = ["ManagerTransport", "open_sync_transport"]


class ManagerTransport(SyncTransport):
    """A manager that commits before it answers, asked questions over HTTP."""

    kind = "manager"

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.http = HttpTransport(url, token=token, timeout=timeout)
        self.url = self.http.url

    def send(self, body: bytes, count: int) -> None:
        self.http.send(body, count)

    def _call(self, path: str, payload: Mapping[str, Any]) -> Any:
        status, text = self.http.post(path, json.dumps(payload).encode())
        if 200 <= status < 300:
            return json.loads(text)
        if 400 <= status < 500:
            raise BatchRejected(
                f"manager refused POST {path}: HTTP {status} {text[:500]}", status, text
            )
        raise TransportError(f"manager answered HTTP {status} to {path}: {text[:200]}")

    def ask(self, question: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        answer = self._call(f"/api/v1/questions/{urllib.parse.quote(question)}", dict(params))
        return list(answer["rows"])

    def allocate(self, count: int) -> int:
        return int(self._call("/api/v1/braid/ids", {"count": count})["first"])

    def close(self) -> None:
        self.http.close()

    def __repr__(self) -> str:
        return f"<ManagerTransport {self.url}>"


def open_sync_transport(target: str | SyncTransport, **settings: Any) -> SyncTransport:
    """The synchronous transport for ``target``: a manager URL, or a path / store URI served by an
    in-process manager (the ``embedded`` transport kind)."""
    from provlake._config import Settings

    if isinstance(target, SyncTransport):
        return target
    resolved = Settings.resolve(settings)
    if not isinstance(target, str) or not target:
        raise ConfigurationError(f"expected a manager URL, a path or a store URI, got {target!r}")
    if target.startswith(("http://", "https://")):
        return ManagerTransport(target, token=resolved.token, timeout=resolved.timeout)
    transport = make_transport({"type": "embedded", "target": target}, resolved)
    if not isinstance(transport, SyncTransport):
        raise ConfigurationError(f"the embedded transport for {target!r} is not synchronous")
    return transport
