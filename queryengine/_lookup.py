"""Nodes found by name: a run, a model or a dataset given to a question by the name people see.

A run is named by its ``rdfs:label``, its experiment's name, or the name the answers show for it
(its experiment and start time, ``digits-mlp 2026-12-02 12:03:53``); a model or a dataset (or a
reference to data) by its ``rdfs:label`` or another usual naming property (SKOS, schema.org, Dublin
Core, FOAF). One node with the name: that node. Several, or none: a ``ParameterError`` naming the
parameter, whose ``details["candidates"]`` list the nodes with that name (IRI, name and type) or,
for an unknown name, the closest names there are.

>>> from queryengine._testing import PyoxigraphStore
>>> store = PyoxigraphStore()
>>> store.add_turtle('''
...   <http://ex.org/m1> a <https://w3id.org/provml#Model> ;
...     <http://www.w3.org/2000/01/rdf-schema#label> "mlp" .''')
>>> find_by_name(store, "mlp", ("model",), parameter="start").value
'http://ex.org/m1'
>>> try:
...     find_by_name(store, "mpl", ("model",), parameter="start")
... except ParameterError as e:
...     print(e, e.details["candidates"])
parameter 'start': no model has the id or name 'mpl'; close names: mlp [{'name': 'mlp'}]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import pyoxigraph as ox

from queryengine._errors import ParameterError
from queryengine._names import PROVML, RUN_TYPES, describe_nodes, display_type
from queryengine._store import QueryableStore

__all__ = ["KINDS", "find_by_name"]

#: The kinds of node a name may stand for, and their types.
KINDS: dict[str, frozenset[str]] = {
    "run": RUN_TYPES,
    "model": frozenset({PROVML + "Model"}),
    "dataset": frozenset(
        PROVML + n
        for n in (
            *("Dataset", "LearningData", "FeatureSet"),
            *("DataReference", "KnowledgeGraphReference"),
        )
    ),
}
_NAMES = (
    "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>|"
    "<https://schema.org/name>|<http://schema.org/name>|<http://purl.org/dc/terms/title>|"
    "<http://xmlns.com/foaf/0.1/name>"
)
_EXPERIMENT = f"<{PROVML}executionOf>/<http://www.w3.org/2000/01/rdf-schema#label>"
_STARTED = "<http://www.w3.org/ns/prov#startedAtTime>"
# the name answers give a run: its experiment, a space and its start time to the second
_RUN_NAME = re.compile(r"(?P<experiment>.+) (?P<day>\d{4}-\d\d-\d\d) (?P<time>\d\d:\d\d:\d\d)")
_SHOWN = 20  # candidates listed at most
_CLOSE = 8


def _kinds_text(kinds: Sequence[str], plural: bool = False) -> str:
    """``run``, ``model or dataset``, ``runs, models or datasets``."""
    words = [f"{k}s" if plural else k for k in kinds]
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)


def find_by_name(
    store: QueryableStore,
    name: str,
    kinds: Sequence[str],
    *,
    parameter: str,
    timeout: float | None = None,
) -> ox.NamedNode:
    """The one node of one of ``kinds`` (``run``, ``model``, ``dataset``) called ``name``; raises
    ``ParameterError`` naming ``parameter`` and listing the candidates when there are several or
    none."""
    types = " ".join(f"<{t}>" for k in kinds for t in sorted(KINDS[k]))
    literal = ox.Literal(name)
    branches = [f"{{ ?node {_NAMES} {literal} }}"]
    if "run" in kinds:
        branches.append(f"{{ ?node {_EXPERIMENT} {literal} }}")
        m = _RUN_NAME.fullmatch(name)
        if m:
            second = ox.Literal(f"{m['day']}T{m['time']}")
            branches.append(
                f"{{ ?node {_EXPERIMENT} {ox.Literal(m['experiment'])} ; {_STARTED} ?started "
                f"FILTER(STRSTARTS(STR(?started), {second})) }}"
            )
    query = (
        f"SELECT DISTINCT ?node ?type WHERE {{ {' UNION '.join(branches)} "
        f"VALUES ?type {{ {types} }} ?node a ?type }}"
    )
    rows = [(row[0].value, row[1].value) for row in store.query(query, timeout=timeout).rows]
    found = sorted({node for node, _ in rows})
    if len(found) == 1:
        return ox.NamedNode(found[0])
    if found:
        described = describe_nodes(store, found[:_SHOWN], timeout=timeout)
        candidates = sorted(
            (
                {"iri": iri, "name": shown, "type": display_type(t)}
                for iri, (shown, t) in described.items()
            ),
            key=lambda c: (c["name"], c["iri"]),
        )
        listed = "".join(f"\n  {c['iri']}  {c['name']}" for c in candidates)
        more = f"\n  and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
        present = [k for k in kinds if any(t in KINDS[k] for _, t in rows)]
        raise ParameterError(
            f"parameter {parameter!r}: {len(found)} {_kinds_text(present, plural=True)} are called "
            f"{name!r}; give the IRI (or id) of one of them:{listed}{more}",
            parameter=parameter,
            code="ambiguous_name",
            value=name,
            candidates=candidates,
            count=len(found),
        )
    close = _close_names(store, name, types, timeout)
    hint = f"close names: {', '.join(close)}" if close else "give a full IRI"
    raise ParameterError(
        f"parameter {parameter!r}: no {_kinds_text(kinds)} has the id or name {name!r}; {hint}",
        parameter=parameter,
        code="unknown_name",
        value=name,
        candidates=[{"name": n} for n in close],
    )


def _close_names(store: QueryableStore, name: str, types: str, timeout: float | None) -> list[str]:
    """The names of the wanted kinds closest to ``name``: those containing it (any case), then
    the most alike."""
    query = (
        f"SELECT DISTINCT ?name WHERE {{ VALUES ?type {{ {types} }} ?node a ?type "
        f"{{ ?node {_NAMES} ?name }} UNION {{ ?node {_EXPERIMENT} ?name }} }} LIMIT 10000"
    )
    names = sorted({str(row[0].value) for row in store.query(query, timeout=timeout).rows})
    wanted = name.casefold()
    containing = [n for n in names if wanted in n.casefold()]
    alike = difflib.get_close_matches(name, names, n=_CLOSE, cutoff=0.6)
    return list(dict.fromkeys(alike + containing))[:_CLOSE]
