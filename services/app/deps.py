"""Dependencies shared by the routers: the app's collaborators, access control and bounded request
bodies.

Routers take what they need with ``Depends``: ``store``, ``ingestor``, ``settings`` read
``request.app.state`` (the store wrapped in the request checks of ``_guard``); ``read_access`` /
``write_access`` / ``admin_access`` check the bearer token;
``body`` reads the request body up to ``max_body_bytes``.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from services._egress import EgressPolicy
from services._settings import Settings

from ._errors import (
    Forbidden,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
)
from ._guard import GuardedStore

if TYPE_CHECKING:
    from services.store import Store

__all__ = [
    "Body",
    "IngestorDep",
    "JsonBody",
    "SettingsDep",
    "StoreDep",
    "admin_access",
    "body",
    "get_ingestor",
    "get_settings",
    "get_store",
    "json_body",
    "media_type",
    "read_access",
    "write_access",
]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    """The app's store behind the request checks of ``services.app._guard`` (nesting, egress)."""
    state = request.app.state
    store = getattr(state, "store", None)
    if store is None:
        raise ServiceUnavailable("the store is not open")
    guarded = getattr(state, "guarded_store", None)
    if guarded is None or guarded.inner is not store:
        settings = get_settings(request)
        policy = EgressPolicy(settings.endpoint_allow_list, settings.base_iri)
        guarded = state.guarded_store = GuardedStore(store, policy)
    return guarded


def get_ingestor(request: Request) -> Any:
    ingestor = getattr(request.app.state, "ingestor", None)
    if ingestor is None:
        raise ServiceUnavailable("the ingest pipeline is not ready")
    return ingestor


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated["Store", Depends(get_store)]
IngestorDep = Annotated[Any, Depends(get_ingestor)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "the Authorization header must be 'Bearer <token>'", field="Authorization"
        )
    return token.strip()


def _token_in(token: str, accepted: tuple[str, ...]) -> bool:
    # compare against every token (no early exit) so timing tells nothing
    found = False
    for candidate in accepted:
        found |= secrets.compare_digest(token.encode(), candidate.encode())
    return found


def _require(request: Request, accepted: tuple[str, ...], what: str) -> None:
    token = _bearer(request)
    if token is None:
        raise Unauthorized(f"{what} needs a bearer token", field="Authorization")
    if not _token_in(token, accepted):
        raise Unauthorized(f"the bearer token is not valid for {what}", field="Authorization")


def read_access(request: Request) -> None:
    """Reads are open unless ``read_token`` is set; then any configured token (read, write, admin)
    reads."""
    settings = get_settings(request)
    if settings.read_token:
        accepted = (
            settings.read_token,
            *settings.write_tokens,
            *filter(None, [settings.admin_token]),
        )
        _require(request, accepted, "reading")


def write_access(request: Request) -> None:
    """Writes need a write (or the admin) token when one is configured; without any, a loopback bind
    writes freely and a non-loopback bind refuses unless ``allow_anonymous_writes``."""
    settings = get_settings(request)
    accepted = (*settings.write_tokens, *filter(None, [settings.admin_token]))
    if accepted:
        _require(request, accepted, "writing")
    elif not settings.anonymous_writes:
        raise Forbidden(
            f"writes are refused: the service is bound to the non-loopback address {settings.host} "
            "and no write token is configured (set PROVML_TOKEN)",
            field="Authorization",
        )


def admin_access(request: Request) -> None:
    """SPARQL Update and quarantine deletion: only with the admin token; disabled when none is
    configured."""
    settings = get_settings(request)
    if not settings.admin_token:
        raise Forbidden(
            "this operation is disabled: no admin token is configured (set PROVML_ADMIN_TOKEN)"
        )
    _require(request, (settings.admin_token,), "this operation")


async def body(request: Request) -> bytes:
    """The request body, refused with 413 past ``max_body_bytes`` (declared or streamed)."""
    limit = get_settings(request).max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body has {declared} bytes, the limit is {limit}", field="body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body exceeds the limit of {limit} bytes", field="body")
        chunks.append(chunk)
    return b"".join(chunks)


Body = Annotated[bytes, Depends(body)]


def media_type(request: Request) -> str:
    """The request's Content-Type without parameters, lower case ('' when absent)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def json_body(request: Request) -> bytes:
    """A bounded body that must be declared as JSON (``application/json`` or ``+json``)."""
    ctype = media_type(request)
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise UnsupportedMediaType(
            f"expected Content-Type application/json, got {ctype or 'none'}", field="Content-Type"
        )
    return await body(request)


JsonBody = Annotated[bytes, Depends(json_body)]
