"""Typed question parameters: declaration, validation and conversion to RDF terms.

A parameter is declared in a question header as ``# param: NAME TYPE [default] — doc``. Types:

- ``string`` (optionally with choices, ``string{min,max}``), ``integer`` (optionally with a range,
  ``integer[1..10]``), ``double``, ``boolean``;
- ``iri`` — any node: a full IRI, or a client id looked up among the IRIs minted from it, or the
  name of a run, model or dataset (``_lookup``);
- ``iri:KIND`` — a node of one kind, given as a full IRI or as its client id / name, minted with
  the capture-format rules: ``run``, ``execution``, ``entity``, ``evaluation`` (ids) and
  ``experiment``, ``measure``, ``hyperparameter`` (names); a ``run`` or ``entity`` (model,
  dataset) may also be given by its name;
- ``endpoint`` — a SPARQL endpoint: an http(s) IRI, or the name of a registered domain endpoint.

The default ``UNDEF`` makes a parameter optional without a value (the VALUES block binds it to
``UNDEF``). Values are validated before any query runs and become ``pyoxigraph`` terms, so they are
always data, never text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from queryengine._errors import ParameterError, QuestionFileError

__all__ = ["CLIENT_ID", "ID_KINDS", "NAME_KINDS", "Parameter", "mint"]

# : IRI kinds minted from client ids, and the path segment under the base IRI
# (docs/capture-format.md).
ID_KINDS = {
    "run": "run/",
    "execution": "execution/",
    "entity": "entity/",
    "evaluation": "evaluation/",
    "braid": "braid/record/",
}
#: IRI kinds minted from names (percent-encoded as they are).
NAME_KINDS = {
    "experiment": "experiment/",
    "measure": "measure/",
    "hyperparameter": "hyperparameter/",
}
#: Segments a bare client id may have been minted under, for the generic ``iri`` type.
NODE_SEGMENTS = (
    "run/",
    "execution/",
    "entity/",
    "evaluation/",
    "hyperparameter-value/",
    "braid/record/",
)

CLIENT_ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_TYPE = re.compile(
    r"(?P<base>string|integer|double|boolean|iri|endpoint)"
    r"(?::(?P<kind>[a-z]+))?(?:\{(?P<choices>[^}]*)\})?(?:\[(?P<lo>-?\d+)\.\.(?P<hi>-?\d+)\])?"
)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_BOUND = 10**18


def mint(base_iri: str, kind: str, value: str) -> str:
    """Mint the IRI of a node of ``kind`` from its client id or name, as the manager does.

    >>> mint("http://provml.localhost/id/", "measure", "val loss")
    'http://provml.localhost/id/measure/val%20loss'
    >>> mint("http://provml.localhost/id/", "run", "r1")
    'http://provml.localhost/id/run/r1'
    """
    segment = ID_KINDS.get(kind) or NAME_KINDS[kind]
    return f"{base_iri}{segment}{quote(value, safe='')}"


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a question."""

    name: str
    type: str
    default: str | None
    doc: str
    kind: str | None = None
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None

    @property
    def base(self) -> str:
        """The base type (``string``, ``integer``, ``double``, ``boolean``, ``iri`` or
        ``endpoint``)."""
        return self.type.split(":")[0].split("{")[0].split("[")[0]

    @property
    def required(self) -> bool:
        return self.default is None

    @classmethod
    def declare(cls, name: str, type_: str, default: str | None, doc: str) -> Parameter:
        """Build a parameter from its header declaration, checking the type and the default."""
        m = _TYPE.fullmatch(type_)
        if not m or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise QuestionFileError(f"bad parameter declaration {name} {type_}", parameter=name)
        kind = m["kind"]
        if kind and (m["base"] != "iri" or (kind not in ID_KINDS and kind not in NAME_KINDS)):
            raise QuestionFileError(
                f"unknown IRI kind {type_!r} of parameter {name}", parameter=name
            )
        choices = tuple(c.strip() for c in m["choices"].split(",")) if m["choices"] else ()
        param = cls(
            name=name,
            type=type_,
            default=default,
            doc=doc,
            kind=kind,
            choices=choices,
            low=int(m["lo"]) if m["lo"] else None,
            high=int(m["hi"]) if m["hi"] else None,
        )
        if default not in (None, "UNDEF") and param.base not in ("iri", "endpoint"):
            param.check(default)  # a bad default is a bug of the question file
        return param

    def check(self, value: Any) -> Any:
        """Validate a scalar value of a non-IRI type; returns the Python value (raises
        ``ParameterError``)."""
        base = self.base
        if base == "integer":
            return self._integer(value)
        if base == "double":
            return self._double(value)
        if base == "boolean":
            return self._boolean(value)
        if not isinstance(value, str):
            raise self._error(f"must be a string, not {type(value).__name__}", value)
        if self.choices and value not in self.choices:
            raise self._error(f"must be one of {', '.join(self.choices)}", value)
        return value

    def term(self, value: Any, base_iri: str) -> ox.NamedNode | ox.Literal | str:
        """Convert a value to an RDF term; a bare client id of the generic ``iri`` type is returned
        as ``str`` for the engine to look up among the minted IRIs."""
        base = self.base
        if base == "integer":
            return ox.Literal(str(self._integer(value)), datatype=ox.NamedNode(_XSD + "integer"))
        if base == "double":
            return ox.Literal(repr(self._double(value)), datatype=ox.NamedNode(_XSD + "double"))
        if base == "boolean":
            return ox.Literal(
                "true" if self._boolean(value) else "false", datatype=ox.NamedNode(_XSD + "boolean")
            )
        if base == "string":
            return ox.Literal(self.check(value))
        if not isinstance(value, str) or not value:
            raise self._error("must be a non-empty IRI or identifier string", value)
        if base == "endpoint":
            return self._iri(value) if value.startswith(("http://", "https://")) else value
        if self.kind in NAME_KINDS:
            if value.startswith(("http://", "https://", "urn:")):
                return self._iri(value)
            return ox.NamedNode(mint(base_iri, self.kind, value))
        if CLIENT_ID.fullmatch(value):
            return ox.NamedNode(mint(base_iri, self.kind, value)) if self.kind else value
        if self.kind in (None, "run", "entity") and not _SCHEME.match(value):
            return value  # a name, for the engine to look up
        return self._iri(value)

    def _iri(self, value: str) -> ox.NamedNode:
        if not _SCHEME.match(value):
            raise self._error("must be an absolute IRI or a client id", value)
        try:
            return ox.NamedNode(value)
        except ValueError as e:
            raise self._error(f"is not a valid IRI ({e})", value) from e

    def _integer(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self._error("must be an integer", value)
        if isinstance(value, str):
            if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
                raise self._error("must be an integer", value)
            value = int(value)
        elif abs(value) >= _INTEGER_BOUND:  # the same bound as the text form: 18 digits
            raise self._error("must be an integer of at most 18 digits", value)
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise self._error(f"must be between {self.low} and {self.high}", value)
        return value

    def _double(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self._error("must be a number", value)
        try:
            number = float(value)
        except ValueError as e:
            raise self._error("must be a number", value) from e
        if not math.isfinite(number):
            raise self._error("must be a finite number", value)
        return number

    def _boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise self._error("must be a boolean (true or false)", value)

    def _error(self, problem: str, value: Any) -> ParameterError:
        if isinstance(value, float) and not math.isfinite(value):
            shown: Any = str(value)  # JSON cannot carry it as a number
        elif isinstance(value, int | float | bool) and abs(value) < _INTEGER_BOUND:
            shown = value
        else:
            shown = str(value)[:200]
        return ParameterError(
            f"parameter {self.name!r} ({self.type}) {problem}: {shown!r}",
            parameter=self.name,
            expected=self.type,
            value=shown,
        )
