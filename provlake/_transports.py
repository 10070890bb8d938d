"""Transports: where batches go. Chosen by config (``{"type": ...}``) or by URI, OpenLineage style.

A transport is a small class with a ``kind`` and a ``send(body, count)`` that returns once the batch
is acknowledged, or raises :class:`TransportError` (retry later) / :class:`BatchRejected` (never
accepted). ``send`` is only ever called from the flusher thread (or :func:`provlake.replay`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, ClassVar

from provlake._exceptions import ConfigurationError, TransportError

__all__ = [
    "FileTransport",
    "MemoryTransport",
    "NoopTransport",
    "Transport",
    "make_transport",
    "register_transport",
]


class Transport:
    """Base class of transports."""

    kind: ClassVar[str] = ""

    def send(self, body: bytes, count: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections or files; the transport may be used again afterwards."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class NoopTransport(Transport):
    """Discards everything (``PROVML_DISABLED=1``)."""

    kind = "noop"

    def send(self, body: bytes, count: int) -> None:
        return None


class MemoryTransport(Transport):
    """Keeps decoded batches in memory, for tests; ``available = False`` simulates an outage."""

    kind = "memory"

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []
        self.available = True
        self._lock = threading.Lock()

    def send(self, body: bytes, count: int) -> None:
        if not self.available:
            raise TransportError("memory transport marked unavailable")
        batch = json.loads(body)
        with self._lock:
            self.batches.append(batch)

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record received, in order."""
        with self._lock:
            return [r for b in self.batches for r in b["records"]]


class FileTransport(Transport):
    """Appends each batch as one JSON line to a file (offline capture; ``provml replay`` sends it
    later).
    """

    kind = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] | None = None

    def send(self, body: bytes, count: int) -> None:
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(self.path, "ab")  # noqa: SIM115 - kept open between batches
            self._file.write(body + b"\n")
            self._file.flush()
        except OSError as exc:
            self.close()
            raise TransportError(f"cannot append to {self.path}: {exc}") from exc

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def __repr__(self) -> str:
        return f"<FileTransport {self.path}>"


def _http(config: Mapping[str, Any], settings: Any) -> Transport:
    from provlake._http import HttpTransport

    return HttpTransport(
        config.get("url") or settings.manager,
        token=config.get("token", settings.token),
        timeout=float(config.get("timeout", settings.timeout)),
    )


def _file(config: Mapping[str, Any], settings: Any) -> Transport:
    if not config.get("path"):
        raise ConfigurationError('file transport needs a "path"')
    return FileTransport(config["path"])


_REGISTRY: dict[str, Callable[[Mapping[str, Any], Any], Transport]] = {
    "http": _http,
    "file": _file,
    "memory": lambda config, settings: MemoryTransport(),
    "noop": lambda config, settings: NoopTransport(),
}


def register_transport(kind: str, factory: Callable[[Mapping[str, Any], Any], Transport]) -> None:
    """Make ``{"type": kind, ...}`` build a transport with ``factory(config, settings)``."""
    _REGISTRY[kind] = factory


def _parse_uri(uri: str) -> dict[str, Any]:
    scheme, sep, rest = uri.partition(":")
    if not sep:
        raise ConfigurationError(f"transport {uri!r} is neither a URI nor a JSON object")
    scheme = scheme.lower()
    if scheme in {"http", "https"}:
        return {"type": "http", "url": uri}
    if scheme == "file":
        return {"type": "file", "path": rest[2:] if rest.startswith("//") else rest}
    return {"type": scheme}


def make_transport(spec: Transport | str | Mapping[str, Any] | None, settings: Any) -> Transport:
    """Build the transport for ``spec`` (an instance, a URI, a config mapping, or None for
    settings).
    """
    if isinstance(spec, Transport):
        return spec
    if settings.disabled:
        return NoopTransport()
    if spec is None:
        spec = settings.transport if settings.transport is not None else {"type": "http"}
    config = _parse_uri(spec) if isinstance(spec, str) else dict(spec)
    kind = config.get("type")
    factory = _REGISTRY.get(kind) if isinstance(kind, str) else None
    if factory is None and isinstance(kind, str):
        from importlib.metadata import entry_points

        for ep in entry_points(group="provml.transports", name=kind):
            factory = ep.load()
    if factory is None:
        known = ", ".join(sorted(_REGISTRY))
        raise ConfigurationError(f"unknown transport type {kind!r} (known: {known})")
    return factory(config, settings)
