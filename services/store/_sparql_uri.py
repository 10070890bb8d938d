"""The ``sparql+http(s)://`` URI convention: the engine, endpoints, request timeout, credentials and
graph scope a URI names (see ``SparqlStore`` and docs/stores.md).

>>> s = settings("sparql+http://h:7878?store=data&timeout=5")
>>> s.endpoints["query"], s.endpoints["store"], s.timeout, s.engine.name
('http://h:7878/query', 'http://h:7878/data', 5.0, 'oxigraph')
>>> settings("sparql+http://h:8890/sparql?engine=virtuoso").endpoints["update"]
'http://h:8890/sparql'
>>> redact("sparql+https://me:secret@h/ds")
'sparql+https://me:***@h/ds'
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from ._engines import EngineProfile, profile
from ._errors import InvalidDataError

__all__ = ["UriSettings", "redact", "settings"]

_DEFAULT_TIMEOUT = 60.0
_PARAMETERS = {"query", "update", "store", "timeout", "engine", "auth", "maxrows", "scope"}


@dataclass(frozen=True)
class UriSettings:
    """What a store URI says: endpoint URLs, timeout, credentials, engine, row limit, scope."""

    endpoints: dict[str, str]
    timeout: float
    auth: httpx.Auth | None
    engine: EngineProfile
    max_rows: int | None
    scope: str | None


def _number(params: dict[str, str], name: str, uri: str, kind: type) -> float | int | None:
    if name not in params:
        return None
    try:
        value = kind(params[name])
    except ValueError as exc:
        raise InvalidDataError(f"the {name} in the store URI {uri!r} is not a number") from exc
    if value <= 0:
        raise InvalidDataError(f"the {name} in the store URI {uri!r} must be positive")
    return value


def settings(uri: str) -> UriSettings:
    parts = urlsplit(uri)
    if parts.scheme not in ("sparql+http", "sparql+https") or not parts.hostname:
        raise InvalidDataError(f"not a SPARQL store URI: {uri!r} (e.g. 'sparql+http://host:7878')")
    params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(params) - _PARAMETERS
    if unknown:
        raise InvalidDataError(f"unknown parameter(s) {sorted(unknown)} in the store URI {uri!r}")
    engine = profile(params.get("engine", "oxigraph"))
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = f":{parts.port}" if parts.port else ""
    base = f"{parts.scheme.removeprefix('sparql+')}://{host}{port}{parts.path.rstrip('/')}"
    endpoints = {}
    for name in ("query", "update", "store"):
        value = params.get(name, engine.paths[name])
        if "://" in value:
            endpoints[name] = value
        else:
            endpoints[name] = f"{base}/{value.lstrip('/')}" if value else base
    timeout = _number(params, "timeout", uri, float)
    max_rows = _number(params, "maxrows", uri, int)
    auth: httpx.Auth | None = None
    if parts.username:
        credentials = (parts.username, parts.password or "")
        kind = params.get("auth", "basic")
        if kind not in ("basic", "digest"):
            raise InvalidDataError(f"auth= must be basic or digest in the store URI {uri!r}")
        auth = httpx.DigestAuth(*credentials) if kind == "digest" else httpx.BasicAuth(*credentials)
    elif "auth" in params:
        raise InvalidDataError(f"auth= needs a user in the store URI {uri!r}")
    return UriSettings(
        endpoints=endpoints,
        timeout=_DEFAULT_TIMEOUT if timeout is None else float(timeout),
        auth=auth,
        engine=engine,
        max_rows=engine.max_rows if max_rows is None else int(max_rows),
        scope=params.get("scope") or None,
    )


def redact(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()
