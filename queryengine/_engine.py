"""Run a named question (or raw SPARQL) against any store that follows the store contract."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from queryengine._base import DEFAULT_BASE_IRI, default_base_iri
from queryengine._catalogue import Question, get_question
from queryengine._errors import DomainGraphError, ParameterError, UnsupportedQuestionError
from queryengine._lookup import find_by_name
from queryengine._names import with_names
from queryengine._params import CLIENT_ID, NODE_SEGMENTS, Parameter
from queryengine._polystore import domain_iri
from queryengine._prefetch import prefetched
from queryengine._results import Rows
from queryengine._store import QueryableStore
from queryengine._views import get_view, run_node_view

__all__ = [
    "DEFAULT_BASE_IRI",
    "ask",
    "bind",
    "default_base_iri",
    "run_question",
    "run_view",
    "sparql",
]

_IDENTIFIER = "https://w3id.org/provml#identifier"
_SD_ENDPOINT = "http://www.w3.org/ns/sparql-service-description#endpoint"
# What a name given for an IRI parameter may stand for, by the parameter's kind (see ``_lookup``).
_NAMED_KINDS = {None: ("run", "model", "dataset"), "run": ("run",), "entity": ("model", "dataset")}
# Stores (by id) that answered a LATERAL query with a syntax error: plain VALUES for them.
_NO_LATERAL: set[int] = set()


def ask(
    name: str,
    /,
    *,
    store: QueryableStore,
    base_iri: str | None = None,
    timeout: float | None = None,
    lateral: bool | None = None,
    names: bool = True,
    **params: Any,
) -> Rows:
    """Answer the question called ``name`` with ``params``; returns the rows as a list of dicts.

    ``name`` is positional only, so a question may have a parameter called ``name``. IRI
    parameters take a full IRI or a client id / name (minted like the manager does); a run, model
    or dataset parameter also takes the node's name when one node has it (``_lookup``). With
    ``names`` (the default) each column of IRIs is followed by ``COLUMN_name``, their names. Raises
    ``UnknownQuestionError`` or ``ParameterError`` before anything runs. ``lateral`` chooses how
    parameters are bound: ``True`` VALUES + ``LATERAL`` (fast plans on Oxigraph and Jena),
    ``False`` a plain SPARQL 1.1 VALUES block, ``None`` (default) LATERAL unless the store refuses
    it, then plain VALUES for that store from then on. A store whose ``substitute_parameters``
    is true (the remote store on Virtuoso) gets the parameters' constants substituted instead,
    and one whose ``prefetch_subselects`` is true has the sub-selects marked ``# @prefetch`` asked
    first, their rows given back as ``VALUES`` (``_prefetch``).

    >>> from queryengine._testing import PyoxigraphStore
    >>> store = PyoxigraphStore()
    >>> store.add_turtle('''
    ...   <http://provml.localhost/id/evaluation/e1> a <https://w3id.org/provml#ModelEvaluation> ;
    ...     <http://www.w3.org/ns/mls#specifiedBy> <http://provml.localhost/id/measure/loss> ;
    ...     <http://www.w3.org/ns/mls#hasValue> 0.5 ; <https://w3id.org/provml#epoch> 0 ;
    ...     <http://www.w3.org/ns/prov#wasGeneratedBy> <http://provml.localhost/id/execution/t1> .
    ...   <http://provml.localhost/id/execution/t1> a <https://w3id.org/provml#TrainingExecution> ;
    ...     <https://w3id.org/provml#isPartOf> <http://provml.localhost/id/run/r1> .
    ...   <http://provml.localhost/id/measure/loss>
    ...     <http://www.w3.org/2000/01/rdf-schema#label> "loss" .''')
    >>> rows = ask("training-curve", store=store, run="r1", measure="loss")
    >>> [(r["epoch"], r["value"], r["evaluation_name"]) for r in rows]
    [(0, 0.5, 'loss = 0.5 (epoch 0)')]
    """
    question = get_question(name)
    return run_question(
        question,
        store=store,
        base_iri=base_iri,
        timeout=timeout,
        params=params,
        lateral=lateral,
        names=names,
    )


def run_question(
    question: Question,
    *,
    store: QueryableStore,
    params: dict[str, Any],
    base_iri: str | None = None,
    timeout: float | None = None,
    lateral: bool | None = None,
    names: bool = True,
) -> Rows:
    """Answer an already parsed question (see ``ask``)."""
    engine = getattr(store, "engine_name", None)
    if engine in question.unsupported:
        raise UnsupportedQuestionError(
            f"question {question.name!r} is not answered on {engine}: "
            f"{question.unsupported[engine]}",
            question=question.name,
            engine=engine,
        )
    terms = _terms(question, params, store, base_iri or default_base_iri(), timeout)

    deadline = None if timeout is None else time.monotonic() + timeout

    def left() -> float | None:  # a prefetched sub-select and the question share the timeout
        return None if deadline is None else max(deadline - time.monotonic(), 0.001)

    def answer(text: str) -> Rows:
        if getattr(store, "prefetch_subselects", False):
            text = prefetched(text, lambda query: store.query(query, timeout=left()))
        return Rows.from_result(store.query(text, timeout=left()))

    rows = None
    if getattr(store, "substitute_parameters", False):
        rows = answer(question.render(terms, substitute=True))
    elif lateral is None:
        lateral = id(store) not in _NO_LATERAL
        if lateral:
            try:
                rows = answer(question.render(terms, lateral=True))
            except SyntaxError:
                _NO_LATERAL.add(id(store))
                lateral = False
    if rows is None:
        rows = answer(question.render(terms, lateral=lateral))
    if question.pivot:
        rows = rows.pivot(*question.pivot)
    return with_names(rows, store, timeout=timeout) if names else rows


def run_view(
    name: str,
    *,
    store: QueryableStore,
    params: dict[str, Any] | None = None,
    nodes: Iterable[str] | None = None,
    base_iri: str | None = None,
    timeout: float | None = None,
) -> Rows:
    """Answer a view (``queryengine._views``): with ``params`` like a question (without name
    columns), or over ``nodes`` (IRIs) for a ``# @nodes`` view."""
    if nodes is not None:
        return run_node_view(name, store=store, nodes=nodes, timeout=timeout)
    view = get_view(name)
    return run_question(
        view, store=store, params=params or {}, base_iri=base_iri, timeout=timeout, names=False
    )


def bind(
    question: Question,
    params: dict[str, Any],
    *,
    store: QueryableStore | None = None,
    base_iri: str | None = None,
    lateral: bool = True,
    timeout: float | None = None,
    substitute: bool = False,
) -> str:
    """Validate ``params`` against the question's declarations and return the query text with them
    bound.

    ``store`` is needed only to look up bare client ids of generic ``iri`` parameters, names and
    endpoint names; with it, a client id given for a run or entity parameter must be one the store
    knows, else it is looked up as a name.

    >>> text = bind(get_question("best-epoch"), {"run": "r1", "measure": "loss"},
    ...             base_iri="http://ex.org/", lateral=False)
    >>> print(next(line.strip() for line in text.splitlines() if "VALUES" in line))
    VALUES (?run ?measure ?goal) { (<http://ex.org/run/r1> <http://ex.org/measure/loss> "min") }
    """
    terms = _terms(question, params, store, base_iri or default_base_iri(), timeout)
    return question.render(terms, lateral=lateral, substitute=substitute)


def _terms(
    question: Question,
    params: dict[str, Any],
    store: QueryableStore | None,
    base: str,
    timeout: float | None,
) -> dict[str, ox.NamedNode | ox.Literal | None]:
    """The validated parameters as RDF terms (``None`` for UNDEF)."""
    unknown = sorted(set(params) - {p.name for p in question.parameters})
    if unknown:
        raise ParameterError(
            f"question {question.name!r} has no parameter {unknown[0]!r}; "
            f"its parameters: {', '.join(p.name for p in question.parameters) or 'none'}",
            parameter=unknown[0],
            code="unknown_parameter",
        )
    terms: dict[str, ox.NamedNode | ox.Literal | None] = {}
    for p in question.parameters:
        value = params.get(p.name)
        if value is None:
            if p.default is None:
                raise ParameterError(
                    f"question {question.name!r} needs parameter {p.name!r} ({p.type}): {p.doc}",
                    parameter=p.name,
                    code="missing_parameter",
                    expected=p.type,
                )
            if p.default == "UNDEF":
                if p.base == "endpoint":
                    raise ParameterError(
                        f"endpoint parameter {p.name!r} cannot be UNDEF", parameter=p.name
                    )
                terms[p.name] = None
                continue
            value = p.default
        term = p.term(value, base)
        if isinstance(term, str):
            term = _resolve(p, term, store, base, timeout)
        elif (
            store is not None
            and p.base == "iri"
            and p.kind in _NAMED_KINDS
            and isinstance(value, str)
            and term.value != value
            and not _known(store, term, timeout)
        ):
            term = find_by_name(
                store, value, _NAMED_KINDS[p.kind], parameter=p.name, timeout=timeout
            )
        terms[p.name] = term
    return terms


def _known(store: QueryableStore, node: ox.NamedNode, timeout: float | None) -> bool:
    """Whether the store has a statement about or pointing to ``node``."""
    query = f"SELECT ?p WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} LIMIT 1"
    return bool(list(store.query(query, timeout=timeout).rows))


def _resolve(
    p: Parameter, value: str, store: QueryableStore | None, base: str, timeout: float | None
) -> ox.NamedNode:
    """Look up a bare client id or name (IRI parameters) or a registered endpoint name in the
    store."""
    if store is None:
        raise ParameterError(
            f"parameter {p.name!r}: cannot resolve {value!r} without a store", parameter=p.name
        )
    literal = ox.Literal(value)
    if p.base == "endpoint":
        try:
            node = ox.NamedNode(domain_iri(base, value))
        except DomainGraphError as e:
            raise ParameterError(
                f"parameter {p.name!r} must be an http(s) endpoint URL or a registered name: "
                f"{value[:200]!r}",
                parameter=p.name,
                value=value[:200],
            ) from e
        query = f"SELECT DISTINCT ?s WHERE {{ {node} <{_SD_ENDPOINT}> ?s }}"
        what = "registered endpoint"
    elif p.kind is not None or not CLIENT_ID.fullmatch(value):  # not a client id: a name
        return find_by_name(store, value, _NAMED_KINDS[p.kind], parameter=p.name, timeout=timeout)
    else:
        candidates = " ".join(str(ox.NamedNode(base + seg + value)) for seg in NODE_SEGMENTS)
        query = (
            f"SELECT DISTINCT ?s WHERE {{ {{ VALUES ?s {{ {candidates} }} ?s ?p ?o }} "
            f"UNION {{ ?s <{_IDENTIFIER}> {literal} }} }}"
        )
        what = "node with identifier"
    try:
        found = [row[0] for row in store.query(query, timeout=timeout).rows]
    except ValueError as e:  # the name is not a valid IRI segment
        raise ParameterError(f"parameter {p.name!r}: bad name {value!r}", parameter=p.name) from e
    if not found and p.base == "iri":
        return find_by_name(store, value, _NAMED_KINDS[None], parameter=p.name, timeout=timeout)
    if len(found) != 1:
        problem = "no" if not found else "more than one"
        raise ParameterError(
            f"parameter {p.name!r}: {problem} {what} {value!r}; give a full IRI",
            parameter=p.name,
            value=value,
        )
    return found[0]


def sparql(
    query: str, *, store: QueryableStore, timeout: float | None = None
) -> Rows | bool | list[ox.Triple]:
    """Evaluate raw SPARQL: rows for SELECT, a bool for ASK, triples for CONSTRUCT / DESCRIBE.

    >>> from queryengine._testing import PyoxigraphStore
    >>> sparql("ASK { ?s ?p ?o }", store=PyoxigraphStore())
    False
    """
    result = store.query(query, timeout=timeout)
    if hasattr(result, "rows"):
        return Rows.from_result(result)
    if hasattr(result, "value"):
        return bool(result.value)
    return list(result.triples)
