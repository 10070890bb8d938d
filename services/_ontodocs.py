"""Generate ``docs/ontology.md`` (vocabulary reference) and ``docs/ontology.dot`` (class diagram).

>>> from services._ontomodel import load_model
>>> model = load_model()
>>> "| provml:TrainingExecution | prov:Activity |" in render_markdown(model)
True
>>> render_dot(model).startswith("digraph provml {")
True
"""

from __future__ import annotations

import pyoxigraph as ox

import ontology
from services._ontomodel import OntologyModel, Term, compact

__all__ = ["render_dot", "render_markdown"]

# Class groups, by the PROV-O class their members reach: (title, DOT fill colour).
_GROUPS = {
    "prov:Plan": ("Prospective: plans", "#dbe9f6"),
    "prov:Activity": ("Retrospective: executions", "#fde2c8"),
    "prov:Entity": ("Retrospective: entities", "#d9f0d3"),
    "prov:Person": ("Agents", "#eadcf0"),
    "prov:SoftwareAgent": ("Agents", "#eadcf0"),
    "prov:Revision": ("Qualified influences", "#fff2cc"),
    "prov:Influence": ("Qualified influences", "#fff2cc"),
}

# How PROV-ML data uses the PROV-O and ML Schema properties it reuses instead of defining twins.
_REUSED = [
    ("prov:startedAtTime", "start time of every execution (`xsd:dateTime`)"),
    ("prov:endedAtTime", "end time of an ended execution (`xsd:dateTime`)"),
    ("prov:generatedAtTime", "when a model evaluation or adaptation was recorded (`xsd:dateTime`)"),
    ("prov:used", "data, hyperparameter values and attribute values an execution used"),
    (
        "prov:wasGeneratedBy",
        "the execution that generated a model, dataset, model evaluation or adaptation",
    ),
    (
        "prov:wasDerivedFrom",
        "data lineage: a split derived from a dataset, a dataset from a KG reference",
    ),
    (
        "prov:wasRevisionOf",
        "a model version revising a model; an adaptation revising a hyperparameter value; a "
        "version revising an earlier version of its object (declared or inferred)",
    ),
    ("prov:specializationOf", "a version of a versioned object (dataset, algorithm, model name)"),
    (
        "prov:qualifiedRevision / prov:entity",
        "a declared or inferred revision between two versions, with its weight",
    ),
    ("prov:wasAssociatedWith", "the persona and the software agent responsible for a run"),
    ("prov:hadPlan", "the plan of a qualified association; `provml:executionOf` is its shortcut"),
    ("mls:specifiedBy", "a value's attribute, hyperparameter or evaluation measure"),
    (
        "mls:hasValue",
        "the literal value of an attribute value, hyperparameter value or model evaluation",
    ),
    ("mls:hasPart", "inverse of `provml:isPartOf`"),
    (
        "mls:hasInput / mls:hasOutput",
        "ML Schema view of `prov:used` / `prov:wasGeneratedBy` for runs",
    ),
    ("mls:executes / mls:realizes / mls:achieves", "a run's implementation, algorithm and task"),
    ("mls:implements", "an implementation's algorithm"),
]

_NAMESPACE_NOTE = """\
Terms live in the hash namespace `{ns}` (preferred prefix `provml:`), the ontology is
`{iri}` and each release has a version IRI (`{version_iri}`).

Why `w3id.org`: it is a permanent-identifier service for vocabularies, run by the W3C Permanent
Identifier Community Group. A `w3id.org` IRI is a redirect kept in a public repository, so the
identifiers stay the same when the documentation moves (another host, a new domain, a renamed
repository): data written today keeps resolving. A project domain or a GitHub URL would tie every
stored triple to one hosting choice. The hash form (`#Term`) lets one document describe every term.
Registering the redirect is a pull request to `perma-id/w3id.org`; until it is merged the IRIs are
stable names that do not yet dereference. The PROV-O (`http://www.w3.org/ns/prov#`) and ML Schema
(`http://www.w3.org/ns/mls#`) namespaces are used as published; a copy of ML Schema is kept in
`ontology/imports/mls.ttl` for offline checks.
"""


_SH = "http://www.w3.org/ns/shacl#"
_SHAPES_NS = "https://w3id.org/provml/shapes#"


def _shape_rules() -> list[tuple[str, str, str]]:
    """(rule, what it applies to, message) for every property shape and SPARQL constraint."""
    by_subject: dict[str, dict[str, list]] = {}
    for t in ox.parse(path=str(ontology.path(ontology.SHAPES))):
        by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(
            t.object
        )
    rows = []
    for _node, props in sorted(by_subject.items()):
        classes = [compact(o.value) for o in props.get(_SH + "targetClass", [])]
        subjects_of = [compact(o.value) for o in props.get(_SH + "targetSubjectsOf", [])]
        if not classes and not subjects_of:
            continue
        for rule in props.get(_SH + "property", []) + props.get(_SH + "sparql", []):
            about = by_subject.get(rule.value, {})
            path = [compact(o.value) for o in about.get(_SH + "path", [])]
            if classes:
                applies = "instances of " + ", ".join(classes)
            else:  # a per-property shape: a rule is about subjects of the property it checks
                own = [p for p in subjects_of if p in path]
                applies = "subjects of " + ", ".join(own or subjects_of)
            message = about.get(_SH + "message", [])
            text = message[0].value if message else ""
            rows.append((rule.value.removeprefix(_SHAPES_NS), applies, text))
    return rows


def _cell(items: list[str]) -> str:
    return ", ".join(items) if items else "—"


def _group_of(term: Term) -> str:
    return _GROUPS.get(term.prov_parent, ("Other", ""))[0]


def _mls_cell(term: Term) -> str:
    inherited = [f"_{m}_ (inherited)" for m in term.mls_inherited]
    return _cell(term.mls_parents + inherited)


def _class_section(term: Term, model: OntologyModel) -> list[str]:
    children = sorted(t.curie for t in model.classes if term.curie in t.parents)
    provml_parents = [p for p in term.parents if p.startswith("provml:")]
    return [
        f"### {term.curie}",
        "",
        f"**{term.label}** — {term.comment}",
        "",
        f"- PROV-O: {term.prov_parent}",
        f"- ML Schema: {_mls_cell(term)}",
        f"- subclass of: {_cell(provml_parents)}",
        f"- subclasses: {_cell(children)}",
        "",
    ]


def _property_section(term: Term) -> list[str]:
    kind = "object property" if term.kind == "object" else "datatype property"
    lines = [
        f"### {term.curie}",
        "",
        f"**{term.label}** ({kind}) — {term.comment}",
        "",
        f"- domain: {_cell(term.domain)}",
        f"- range: {_cell(term.range)}",
    ]
    if term.parents:
        lines.append(f"- subproperty of: {_cell(term.parents)}")
    if term.inverse_of:
        lines.append(f"- inverse of: {_cell(term.inverse_of)}")
    if term.see_also:
        lines.append(f"- see also: {_cell(term.see_also)}")
    return [*lines, ""]


def render_markdown(model: OntologyModel) -> str:
    """Return the text of ``docs/ontology.md`` for the ontology ``model``."""
    h = model.header
    classes = sorted(model.classes, key=lambda t: t.name)
    objects = [t for t in model.properties if t.kind == "object"]
    datatypes = [t for t in model.properties if t.kind == "datatype"]
    total = len(classes) + len(objects) + len(datatypes)
    out = [
        "# The PROV-ML ontology",
        "",
        "<!-- GENERATED from ontology/provml.ttl by `provml vocab generate`; do not edit. -->",
        "",
        f"{h.get('dcterms:title', '')}, version {h.get('owl:versionInfo', '')}.",
        "",
        h.get("dcterms:description", "").replace("\n", " "),
        "",
        f"- ontology IRI: `{ontology.ONTOLOGY_IRI}`; version IRI: `{h.get('owl:versionIRI', '')}`",
        f"- licence: {h.get('dcterms:license', '')}",
        f"- terms: {len(classes)} classes, {len(objects)} object properties,"
        f" {len(datatypes)} datatype properties ({total} in all)",
        "- files: `ontology/provml.ttl` (OWL), `ontology/shapes.ttl` (SHACL),"
        " `ontology/context.jsonld` (JSON-LD context),"
        " `ontology/examples/` (valid and invalid data)",
        "",
        "![PROV-ML class diagram](ontology.svg)",
        "",
        "## Namespace",
        "",
        _NAMESPACE_NOTE.format(
            ns=ontology.NAMESPACE,
            iri=ontology.ONTOLOGY_IRI,
            version_iri=h.get("owl:versionIRI", ""),
        ).strip(),
        "",
        "## Mapping: PROV-ML → PROV-O and ML Schema",
        "",
        "Every class reaches a PROV-O class through `rdfs:subClassOf`, and is aligned with the",
        "ML Schema class of the same meaning where one exists (inherited alignments in italics).",
        "",
        "| PROV-ML class | PROV-O | ML Schema | group |",
        "| --- | --- | --- | --- |",
    ]
    out += [f"| {t.curie} | {t.prov_parent} | {_mls_cell(t)} | {_group_of(t)} |" for t in classes]
    out += ["", "| PROV-ML property | PROV-O / ML Schema counterpart |", "| --- | --- |"]
    for t in sorted(model.properties, key=lambda t: t.name):
        links = [f"subproperty of {p}" for p in t.parents]
        links += [f"inverse of {p}" for p in t.inverse_of]
        links += [f"see also {p}" for p in t.see_also]
        out.append(f"| {t.curie} | {_cell(links)} |")
    out += [
        "",
        "### Reused PROV-O and ML Schema properties",
        "",
        "| property | used for |",
        "| --- | --- |",
    ]
    out += [f"| {name} | {use} |" for name, use in _REUSED]
    rules = _shape_rules()
    out += [
        "",
        "## Validation rules",
        "",
        f"`ontology/shapes.ttl` holds {len(rules)} rules (SHACL property shapes and SPARQL",
        f"constraints, named in `{_SHAPES_NS}`); a validation report names the rule broken.",
        "",
        "| rule | applies to | message |",
        "| --- | --- | --- |",
    ]
    out += [f"| {name} | {targets} | {message} |" for name, targets, message in rules]
    out += [""]
    for title in dict.fromkeys(title for title, _ in _GROUPS.values()):
        out += [f"## {title}", ""]
        for term in classes:
            if _group_of(term) == title:
                out += _class_section(term, model)
    out += ["## Object properties", ""]
    for term in sorted(objects, key=lambda t: t.name):
        out += _property_section(term)
    out += ["## Datatype properties", ""]
    for term in sorted(datatypes, key=lambda t: t.name):
        out += _property_section(term)
    return "\n".join(out).rstrip("\n") + "\n"


def _node_id(curie: str) -> str:
    return '"' + curie + '"'


def render_dot(model: OntologyModel) -> str:
    """Return the Graphviz text of the class diagram: subclass edges and object properties."""
    out = [
        "digraph provml {",
        '  graph [rankdir=BT, fontname="Helvetica", nodesep=0.25, ranksep=0.6,'
        ' label="PROV-ML classes (boxes), PROV-O (ellipses), ML Schema (notes)", labelloc=t];',
        '  node [fontname="Helvetica", fontsize=10, style=filled];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]
    external: set[str] = set()
    for term in sorted(model.classes, key=lambda t: t.name):
        colour = _GROUPS.get(term.prov_parent, ("", "#eeeeee"))[1]
        out.append(f'  {_node_id(term.curie)} [shape=box, fillcolor="{colour}"];')
        external.update(p for p in term.parents if not p.startswith("provml:"))
    for curie in sorted(external):
        shape, colour = ("ellipse", "#fff2a8") if curie.startswith("prov:") else ("note", "#f2f2f2")
        out.append(f'  {_node_id(curie)} [shape={shape}, fillcolor="{colour}"];')
    for term in sorted(model.classes, key=lambda t: t.name):
        for parent in term.parents:
            out.append(f"  {_node_id(term.curie)} -> {_node_id(parent)} [arrowhead=empty];")
    known = {t.curie for t in model.classes} | external
    for term in sorted(model.properties, key=lambda t: t.name):
        if term.kind != "object":
            continue
        for domain in term.domain:
            for target in term.range:
                if domain in known and target in known:
                    out.append(
                        f"  {_node_id(domain)} -> {_node_id(target)}"
                        f' [style=dashed, color="#777777", label="{term.name}"];'
                    )
    out.append("}")
    return "\n".join(out) + "\n"
