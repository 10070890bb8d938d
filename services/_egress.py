"""Egress policy: which URLs a request may make the manager (or its store) fetch.

A request reaches another server only through SPARQL: ``SERVICE <url>`` in a query (a named
question's ``endpoint`` parameter, or raw SPARQL at ``/sparql``) and ``LOAD <url>`` in an update.
Without a policy any reader could make the manager POST to any address it can reach (cloud metadata,
internal admin pages): server-side request forgery. So a URL is allowed only when it is

- a **registered** domain endpoint (``provml domain register NAME URL``: the exact URL recorded in
  the store), or
- **allowed by configuration**: ``PROVML_ALLOWED_ENDPOINTS``, comma-separated entries, each an exact
  URL, a prefix ending with ``/`` (every URL under that path of that scheme, host and port), or
  ``*`` (anything: for deployments whose network is trusted).

Everything else is refused before anything is fetched (``EndpointNotAllowed``, 403). Errors, one
root::

    EgressError                 names the ``field`` of the request that carried the URL
    ├── EndpointNotAllowed      the URL is neither registered nor allowed            → 403
    └── EndpointUnavailable     an allowed endpoint failed (refused, down, bad answer) → 502

>>> policy = EgressPolicy(("http://kg.example.org/sparql", "https://data.example.org/"))
>>> [policy.configured(u) for u in ("http://KG.example.org:80/sparql",
...  "https://data.example.org/any/query", "https://data.example.org.evil.net/",
...  "http://169.254.169.254/latest/meta-data/")]
[True, True, False, False]
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from queryengine import QueryableStore, registered_endpoints

__all__ = [
    "EgressError",
    "EgressPolicy",
    "EndpointNotAllowed",
    "EndpointUnavailable",
    "normalise_url",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class EgressError(Exception):
    """Root of the egress errors; ``url`` is the target, ``field`` the request field naming it."""

    def __init__(self, message: str, *, url: str | None, field: str = "query") -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.field = field


class EndpointNotAllowed(EgressError):
    """The URL is neither a registered endpoint nor allowed by ``PROVML_ALLOWED_ENDPOINTS``."""


class EndpointUnavailable(EgressError):
    """An allowed remote endpoint did not answer, or answered with an error."""


def normalise_url(url: str) -> tuple[str, str, int, str] | None:
    """``(scheme, host, port, rest)`` of an http(s) URL, lower-cased with the default port made
    explicit; ``None`` for anything else.

    >>> normalise_url("HTTP://Example.org/q?x=1")
    ('http', 'example.org', 80, '/q?x=1')
    >>> normalise_url("file:///etc/passwd") is None
    True
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    rest = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme], rest


@dataclass(frozen=True)
class EgressPolicy:
    """The allow-list from the configuration, checked with the registrations of a store."""

    allowed: tuple[str, ...] = ()
    base_iri: str | None = None

    def configured(self, url: str) -> bool:
        """True when the configuration alone allows ``url``."""
        target = normalise_url(url)
        if target is None:
            return False
        for entry in self.allowed:
            if entry == "*":
                return True
            rule = normalise_url(entry)
            if rule is None:
                continue
            if entry.endswith("/"):
                if rule[:3] == target[:3] and target[3].startswith(rule[3]):
                    return True
            elif rule == target:
                return True
        return False

    def allows(self, url: str, store: QueryableStore) -> bool:
        """True when ``url`` is allowed by configuration or registered in ``store``."""
        if normalise_url(url) is None:
            return False
        if self.configured(url):
            return True
        registered = registered_endpoints(store, base_iri=self.base_iri).values()
        return normalise_url(url) in {normalise_url(u) for u in registered}

    def check(self, url: str | None, store: QueryableStore, *, field: str = "query") -> None:
        """Raise ``EndpointNotAllowed`` unless ``url`` may be fetched (``None``: not known before
        evaluation, e.g. ``SERVICE ?var``, is refused)."""
        if url is None:
            raise EndpointNotAllowed(
                "a SERVICE or LOAD target must be a literal IRI (a variable or an undeclared "
                "prefix cannot be checked against the allowed endpoints)",
                url=None,
                field=field,
            )
        if not self.allows(url, store):
            raise EndpointNotAllowed(
                f"the endpoint {url} is not allowed: register it (provml domain register NAME URL) "
                "or list it in PROVML_ALLOWED_ENDPOINTS",
                url=url,
                field=field,
            )
