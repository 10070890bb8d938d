"""The ``sparql+http(s)://`` URI convention: the endpoints, the request timeout and the credentials
a URI names (see ``SparqlStore`` and docs/stores.md).

>>> urls, timeout, auth = endpoints("sparql+http://h:7878?store=data&timeout=5")
>>> urls["query"], urls["store"], timeout
('http://h:7878/query', 'http://h:7878/data', 5.0)
>>> redact("sparql+https://me:secret@h/ds")
'sparql+https://me:***@h/ds'
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from ._errors import InvalidDataError

__all__ = ["endpoints", "redact"]

_DEFAULT_TIMEOUT = 60.0


def endpoints(uri: str) -> tuple[dict[str, str], float, tuple[str, str] | None]:
    parts = urlsplit(uri)
    if parts.scheme not in ("sparql+http", "sparql+https") or not parts.hostname:
        raise InvalidDataError(f"not a SPARQL store URI: {uri!r} (e.g. 'sparql+http://host:7878')")
    params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(params) - {"query", "update", "store", "timeout"}
    if unknown:
        raise InvalidDataError(f"unknown parameter(s) {sorted(unknown)} in the store URI {uri!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = f":{parts.port}" if parts.port else ""
    base = f"{parts.scheme.removeprefix('sparql+')}://{host}{port}{parts.path.rstrip('/')}"
    endpoints = {}
    for name in ("query", "update", "store"):
        value = params.get(name, name)
        endpoints[name] = value if "://" in value else f"{base}/{value.lstrip('/')}"
    try:
        timeout = float(params.get("timeout", _DEFAULT_TIMEOUT))
    except ValueError as exc:
        raise InvalidDataError(f"the timeout in the store URI {uri!r} is not a number") from exc
    auth = (parts.username, parts.password or "") if parts.username else None
    return endpoints, timeout, auth


def redact(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()
