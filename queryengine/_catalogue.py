"""The catalogue of named questions: one SPARQL file per question, with a header comment.

Header format (the first comment lines of the file)::

    # name: training-curve
    # description: One line saying what the question answers.
    # param: run iri:run — the run (IRI or client run id)
    # param: measure iri:measure UNDEF — the measure (IRI or name); all measures when absent
    # returns: stage, epoch, measure, value

A question whose columns depend on the data (a DLProv set, one column per attribute) also declares
``# pivot: KEY NAME VALUE``: its query returns one row per (KEY, NAME) with the cell in VALUE, and
the answer has one row per KEY, the ``returns`` columns, then one column per NAME in the order they
first appear (see ``Rows.pivot``).

The query text marks with a line ``# @values`` where the parameters are bound: the engine replaces
every such line with one ``VALUES`` block holding the validated parameter terms (serialised by
pyoxigraph), so a value is always data. An ``endpoint`` parameter names a remote SPARQL endpoint:
SPARQL cannot take the IRI of a ``SERVICE`` from a variable in Oxigraph, so ``SERVICE ?NAME`` is
rewritten to ``SERVICE <iri>`` with the pyoxigraph-serialised (and therefore validated) IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from queryengine._errors import QuestionFileError, UnknownQuestionError
from queryengine._lexer import group_end
from queryengine._lexer import substitute as substitute_variables
from queryengine._params import Parameter
from queryengine._prefetch import MARKER as PREFETCH

__all__ = ["Question", "catalogue", "get_question", "parse_question"]

_HEADER = re.compile(r"#\s*(name|description|param|returns|pivot|unsupported):\s*(.*)")
_PARAM = re.compile(r"(\S+)\s+(\S+)(?:\s+(\S+))?\s+[—-]+\s+(.+)")
_LATERAL_GROUP = re.compile(r"^[ \t]*# @lateral[ \t]*\n([ \t]*)\{", re.MULTILINE)
_MARKER = re.compile(r"^[ \t]*# @values(?P<lateral>[ \t]+lateral)?[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Question:
    """A named, parameterised SPARQL question."""

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    returns: tuple[str, ...]
    sparql: str
    path: str = ""
    pivot: tuple[str, str, str] | None = None  # (key, name, value) columns, see ``Rows.pivot``
    #: Engines (a store's ``engine_name``) known to answer wrongly, with the reason.
    unsupported: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The public description (JSON-ready): name, description, parameters and returned
        columns."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "default": None if p.default in (None, "UNDEF") else p.default,
                    "description": p.doc,
                }
                for p in self.parameters
            ],
            "returns": list(self.returns),
        }

    def render(
        self,
        terms: dict[str, ox.NamedNode | ox.Literal | None],
        *,
        lateral: bool = False,
        substitute: bool = False,
    ) -> str:
        """The query text with the parameters bound (``None`` binds ``UNDEF``).

        A line ``# @values`` becomes the VALUES block. A line ``# @values lateral`` does too, and
        with ``lateral=True`` the rest of its group is also wrapped in ``LATERAL { ... }``
        (SEP-0006, supported by Oxigraph and Jena): the parameters are then substituted before
        that part is evaluated, where Oxigraph would otherwise plan the part without them (a
        property path such as ``isPartOf*`` after a VALUES block scans the whole graph). Markers
        inside a LATERAL part are dropped (their variables are already substituted; SEP-0006
        forbids binding them again), so a subquery there must project the parameters it uses.
        A line ``# @lateral`` before a group's ``{`` makes it ``LATERAL {`` with ``lateral=True``
        (the group is evaluated for each solution before it, with its bindings) and a plain
        group otherwise; the group must give the same solutions either way.

        ``substitute=True`` (for engines without LATERAL that ignore a VALUES-bound start of a
        property path, such as Virtuoso) does the substitution in the text: each ``# @values
        lateral`` line becomes the VALUES block and, in the rest of its group, every use of a
        bound parameter becomes its constant.

        >>> q = parse_question('''# name: demo
        ... # description: Things with a label.
        ... # param: label string — the label
        ... # returns: s
        ... SELECT ?s WHERE {
        ...   # @values
        ...   ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label
        ... }''')
        >>> print(q.render({"label": ox.Literal('x" } DROP ALL')}).splitlines()[-3])
          VALUES (?label) { ("x\\" } DROP ALL") }
        """
        text = _LATERAL_GROUP.sub(r"\1LATERAL {" if lateral else r"\1{", self.sparql)
        values = [p for p in self.parameters if p.base != "endpoint"]
        for p in self.parameters:
            if p.base == "endpoint":
                term = terms[p.name]
                if not isinstance(term, ox.NamedNode):
                    raise TypeError(f"endpoint parameter {p.name} needs a NamedNode")
                text = re.sub(rf"SERVICE\s+\?{p.name}\b", lambda _m, t=term: f"SERVICE {t}", text)
        if values:
            head = " ".join(f"?{p.name}" for p in values)
            row = " ".join(
                "UNDEF" if terms.get(p.name) is None else str(terms[p.name]) for p in values
            )
            block = f"VALUES ({head}) {{ ({row}) }}"
            markers = [(m, group_end(text, m.end())) for m in _MARKER.finditer(text)]
            if substitute:
                constants = {
                    p.name: str(terms[p.name]) for p in values if terms.get(p.name) is not None
                }
                for m, _ in reversed(markers):
                    indent = m.group(0)[: m.group(0).index("#")]
                    if m["lateral"]:
                        end = group_end(text, m.end())
                        text = substitute_variables(text, m.end(), end, constants)
                    text = f"{text[: m.start()]}{indent}{block}{text[m.end() :]}"
                return text
            wrapped = [(m, end) for m, end in markers if lateral and m["lateral"]]
            for m, _ in reversed(markers):
                indent = m.group(0)[: m.group(0).index("#")]
                if not (lateral and m["lateral"]) and not any(
                    o.end() <= m.start() < o_end for o, o_end in wrapped
                ):
                    text = f"{text[: m.start()]}{indent}{block}{text[m.end() :]}"
                    continue
                if any(o.end() <= m.start() < o_end for o, o_end in wrapped):
                    # inside another marker's LATERAL: already substituted, and SEP-0006 forbids
                    # binding the same variables again on the right-hand side
                    text = text[: m.start()] + text[m.end() :]
                    continue
                end = group_end(text, m.end())  # again: the text after the marker has changed
                text = (
                    f"{text[: m.start()]}{indent}{{ {block} }} LATERAL {{"
                    f"{text[m.end() : end]}}}{text[end:]}"
                )
        return text


def parse_question(text: str, path: str = "") -> Question:
    """Parse a question file (header comment + SPARQL).

    >>> q = parse_question("# name: n\\n# description: d\\n# returns: s\\nSELECT ?s {}")
    >>> (q.name, q.parameters, q.returns)
    ('n', (), ('s',))
    """
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    unsupported: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "unsupported":
            engine, dash, reason = value.partition(" — ")
            if not dash or not reason.strip():
                raise QuestionFileError(f"{path}: bad unsupported line {value!r}", file=path)
            unsupported[engine.strip()] = reason.strip()
        elif key == "param":
            pm = _PARAM.fullmatch(value)
            if not pm:
                raise QuestionFileError(f"{path}: bad parameter line {value!r}", file=path)
            params.append(Parameter.declare(pm[1], pm[2], pm[3], pm[4].strip()))
        else:
            fields[key] = value
    missing = [k for k in ("name", "description", "returns") if not fields.get(k)]
    if missing:
        raise QuestionFileError(f"{path}: header lacks {', '.join(missing)}", file=path)
    if any(p.base != "endpoint" for p in params) and not _MARKER.search(text):
        raise QuestionFileError(f"{path}: parameters declared but no '# @values' line", file=path)
    for m in _MARKER.finditer(text):
        try:
            group_end(text, m.end())
        except ValueError as e:
            problem = f"{path}: a '# @values' line is not inside a group"
            raise QuestionFileError(problem, file=path) from e
    for m in PREFETCH.finditer(text):
        if not re.match(r"\s*SELECT\b", text[m.end() :], re.IGNORECASE):
            problem = f"{path}: a '# @prefetch' line is not before a group holding a sub-select"
            raise QuestionFileError(problem, file=path)
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    pivot = tuple(fields["pivot"].split()) if fields.get("pivot") else None
    if pivot is not None and (
        len(pivot) != 3 or not all(re.search(rf"\?{c}\b", body) for c in pivot)
    ):
        raise QuestionFileError(
            f"{path}: pivot needs three projected columns: KEY NAME VALUE", file=path
        )
    for p in params:
        if not re.search(rf"\?{p.name}\b", body):
            raise QuestionFileError(
                f"{path}: parameter {p.name} is not used in the query", file=path
            )
    return Question(
        name=fields["name"],
        description=fields["description"],
        parameters=tuple(params),
        returns=tuple(c.strip() for c in fields["returns"].split(",")),
        sparql=text,
        path=path,
        pivot=pivot,
        unsupported=unsupported,
    )


@cache
def catalogue() -> dict[str, Question]:
    """All bundled questions by name, sorted by name.

    >>> catalogue()["training-curve"].returns
    ('stage', 'epoch', 'step', 'metric', 'value', 'evaluation')
    """
    folder = Path(str(files("queryengine").joinpath("questions")))
    found: dict[str, Question] = {}
    for f in sorted(folder.glob("*.rq")):
        q = parse_question(f.read_text(encoding="utf-8"), str(f))
        if q.name != f.stem:
            raise QuestionFileError(f"{f}: name {q.name!r} differs from the file name", file=str(f))
        found[q.name] = q
    return dict(sorted(found.items()))


def get_question(name: str) -> Question:
    """The question called ``name``; raises ``UnknownQuestionError`` naming the known ones.

    >>> [p.name for p in get_question("best-epoch").parameters]
    ['run', 'measure', 'goal']
    """
    try:
        return catalogue()[name]
    except KeyError as e:
        known = sorted(catalogue())
        raise UnknownQuestionError(
            f"unknown question {name!r}; known questions: {', '.join(known)}",
            question=name,
            known=known,
        ) from e
