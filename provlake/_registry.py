"""Transports by config, OpenLineage style: ``{"type": "http", ...}``, a URI, or an instance.

Kinds: ``http`` (:class:`HttpTransport`), ``file``, ``memory`` and ``noop`` built in; others by
:func:`register_transport` or an entry point in the group ``provml.transports``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from provlake._exceptions import ConfigurationError
from provlake._http import HttpTransport
from provlake._transports import FileTransport, MemoryTransport, NoopTransport, Transport

__all__ = ["make_transport", "register_transport"]


def _http(config: Mapping[str, Any], settings: Any) -> Transport:
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
        from importlib.metadata import entry_points  # only for kinds not registered

        for ep in entry_points(group="provml.transports", name=kind):
            factory = ep.load()
    if factory is None:
        known = ", ".join(sorted(_REGISTRY))
        raise ConfigurationError(f"unknown transport type {kind!r} (known: {known})")
    return factory(config, settings)
