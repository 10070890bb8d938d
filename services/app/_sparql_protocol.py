"""Reading a SPARQL 1.1 Protocol request: the one query or update it carries, and its dataset.

A request is a GET (parameters in the URL), a POST form (``application/x-www-form-urlencoded``: the
body's parameters and the URL's) or a direct POST (``application/sparql-query`` or
``application/sparql-update``: the text is the body, the dataset parameters are in the URL). Bodies
are UTF-8; another ``charset`` is refused (415). A request carries exactly one query or exactly one
update, never both. The dataset parameters are ``default-graph-uri`` / ``named-graph-uri`` for a
query and ``using-graph-uri`` / ``using-named-graph-uri`` for an update, each repeatable; the other
operation's parameters are refused. Other parameters (``format``, ``output`` that some clients add)
are ignored, like the SPARQL servers these clients were written for do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import Request

from ._errors import BadRequest, UnsupportedMediaType
from .deps import media_type

__all__ = ["Operation", "read_operation"]

Kind = Literal["query", "update"]

_FORM = "application/x-www-form-urlencoded"
_DIRECT = {"query": "application/sparql-query", "update": "application/sparql-update"}
_DATASET = {
    "query": ("default-graph-uri", "named-graph-uri"),
    "update": ("using-graph-uri", "using-named-graph-uri"),
}
_ELSEWHERE = {
    "query": "an update goes to POST /sparql/update (or /update), with the admin token",
    "update": "a query goes to /sparql (or /query)",
}


@dataclass(frozen=True)
class Operation:
    """A query or an update with its protocol dataset (None: not given, the union of all graphs;
    for an update, the store's default)."""

    kind: Kind
    text: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    @property
    def has_dataset(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None


def _utf8(body: bytes, field: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {field} is not valid UTF-8: {exc}", field=field) from exc


def _check_charset(request: Request) -> None:
    for param in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(
                f"the body must be UTF-8, not {value.strip()}", field="Content-Type"
            )


def _params(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def _form(body: bytes, params: dict[str, list[str]]) -> None:
    try:
        form = parse_qs(_utf8(body, "body"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the form is not valid UTF-8 once decoded: {exc}", field="body") from exc
    for key, values in form.items():
        params.setdefault(key, []).extend(values)


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    if name not in params:
        return None
    for value in params[name]:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise BadRequest(f"{name} {value!r} is not an IRI: {exc}", field=name) from exc
    return tuple(params[name])


def read_operation(request: Request, body: bytes | None, kind: Kind) -> Operation:
    """The operation of a protocol request to a ``kind`` endpoint; 400/415 naming the field when
    the request is malformed."""
    params = _params(request)
    if request.method == "POST":
        ctype = media_type(request)
        _check_charset(request)
        if ctype == _FORM:
            _form(body or b"", params)
        elif ctype == _DIRECT[kind]:
            if kind in params:
                raise BadRequest(
                    f"the {kind} is the body: the URL must not carry another", field=kind
                )
            params[kind] = [_utf8(body or b"", kind)]
        else:
            raise UnsupportedMediaType(
                f"expected Content-Type {_DIRECT[kind]} or {_FORM}, got {ctype or 'none'}",
                field="Content-Type",
            )
    other: Kind = "update" if kind == "query" else "query"
    if params.get(other):
        both = "a request carries one query or one update, not both" if kind in params else ""
        raise BadRequest(both or f"this endpoint answers a {kind}: {_ELSEWHERE[kind]}", field=other)
    for name in _DATASET[other]:
        if name in params:
            raise BadRequest(f"{name} belongs to a {other}, not a {kind}", field=name)
    values = params.get(kind, [])
    if len(values) != 1 or not values[0].strip():
        raise BadRequest(f"exactly one non-empty '{kind}' is required", field=kind)
    default_name, named_name = _DATASET[kind]
    return Operation(kind, values[0], _graphs(params, default_name), _graphs(params, named_name))
