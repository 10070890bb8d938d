"""Settings of the manager service, typed and read lazily: argument > environment (``PROVML_*``) >
default.

Nothing is read at import time: ``Settings()`` reads the environment when it is built, so tests and
the ``provml serve`` command build their own instance (``Settings(store=..., port=...)``).

>>> s = Settings(store="oxigraph:/data/provml", token="a, b", _env_file=None)
>>> s.write_tokens, s.quarantine_path()
(('a', 'b'), '/data/provml-quarantine')
>>> Settings(allowed_endpoints="http://kg:7878/query, https://data.example.org/").endpoint_allow_list
('http://kg:7878/query', 'https://data.example.org/')
>>> Settings(store="memory:").quarantine_path() is None
True
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "is_loopback"]

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True when ``host`` names only this machine (``127.0.0.0/8``, ``::1``, ``localhost``).

    >>> [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "192.0.2.7")]
    [True, True, True, False, False]
    """
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _split_tokens(value: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (value or "").split(",") if t.strip())


class Settings(BaseSettings):
    """Configuration of ``provml serve`` and of ``create_app``; every field is ``PROVML_<FIELD>`` in
    the environment."""

    store: str = Field(
        "oxigraph:./provml-data", description="store URI: oxigraph:PATH, memory:, sparql+http://..."
    )
    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(7080, ge=0, le=65535, description="port to bind (0: any free port)")
    base_iri: str = Field("http://provml.localhost/id/", description="base of every minted IRI")
    token: str | None = Field(
        None, description="write token(s), comma-separated; required on writes when set"
    )
    admin_token: str | None = Field(
        None, description="token for SPARQL Update and quarantine deletion"
    )
    read_token: str | None = Field(
        None, description="when set, reads (queries, linked data) need it too"
    )
    allow_anonymous_writes: bool = Field(
        False, description="accept token-less writes on a non-loopback bind (refused by default)"
    )
    max_body_bytes: int = Field(16 * 1024 * 1024, gt=0, description="largest accepted request body")
    query_timeout: float = Field(
        30.0, gt=0, description="seconds before a SPARQL query is cancelled"
    )
    quarantine_dir: str | None = Field(
        None,
        description="folder of rejected batches (default: <store path>-quarantine)",
    )
    max_records: int = Field(100_000, gt=0, description="most records accepted in one batch")
    validator: Literal["fast", "pyshacl"] = Field(
        "fast", description="SHACL engine: fast (compiled shapes) or pyshacl (the reference)"
    )
    validate_shapes: bool = Field(
        True, alias="PROVML_VALIDATE", description="SHACL-validate every batch"
    )
    allowed_endpoints: str | None = Field(
        None,
        description="SPARQL endpoints a request may make the manager reach (SERVICE, LOAD) besides "
        "the registered ones: comma-separated URLs, prefixes ending with '/', or '*'",
    )
    flush_every_quads: int = Field(
        250_000,
        ge=0,
        description="flush the embedded store's write buffers after this many written quads "
        "(0: leave it to RocksDB); bounds the memory the buffers hold",
    )

    model_config = SettingsConfigDict(env_prefix="PROVML_", extra="ignore", populate_by_name=True)

    @field_validator("base_iri")
    @classmethod
    def _check_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith(("/", "#")):
            raise ValueError("base_iri must be an http(s) IRI ending with '/' or '#'")
        return value

    @property
    def write_tokens(self) -> tuple[str, ...]:
        """The accepted write tokens (the admin token is accepted too, see ``services.app``)."""
        return _split_tokens(self.token)

    @property
    def endpoint_allow_list(self) -> tuple[str, ...]:
        """The entries of ``allowed_endpoints`` (see ``services._egress``)."""
        return _split_tokens(self.allowed_endpoints)

    @property
    def loopback(self) -> bool:
        """True when the service is bound to a loopback address only."""
        return is_loopback(self.host)

    @property
    def anonymous_writes(self) -> bool:
        """True when a write without any token is accepted: no write token configured, and either a
        loopback bind or ``allow_anonymous_writes``."""
        return (
            not self.write_tokens
            and not self.admin_token
            and (self.loopback or self.allow_anonymous_writes)
        )

    def quarantine_path(self) -> str | None:
        """The quarantine folder, or None for an in-memory quarantine (a ``memory:`` store).

        An on-disk store ``oxigraph:PATH`` keeps its quarantine in the sibling folder
        ``PATH-quarantine``; a remote
        store keeps it in ``./provml-quarantine``.
        """
        if self.quarantine_dir:
            return self.quarantine_dir
        scheme, _, rest = self.store.partition(":")
        if scheme == "memory":
            return None
        if scheme == "oxigraph" and rest:
            path = Path(rest)
            return str(path.parent / f"{path.name}-quarantine")
        return "./provml-quarantine"
