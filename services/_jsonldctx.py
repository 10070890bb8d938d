"""Generate ``ontology/context.jsonld``: a JSON-LD 1.1 context that reads PROV-ML JSON as RDF.

Every PROV-ML class and property gets a bare term; object properties coerce strings to
IRIs (``@type: @id``), integer and date-time properties type their literals. The PROV-O and
ML Schema terms that PROV-ML data reuses are listed below. ``mls:hasValue`` needs no coercion:
JSON-LD maps numbers to ``xsd:integer`` / ``xsd:double`` and booleans to ``xsd:boolean``, as the
capture format does.

>>> from services._ontomodel import load_model
>>> context = render_context(load_model())
>>> '"epoch": {"@id": "provml:epoch", "@type": "xsd:integer"}' in context
True
"""

from __future__ import annotations

import json

from services._ontomodel import PREFIXES, OntologyModel

__all__ = ["render_context"]

# Reused terms: (JSON name, compact IRI, coercion or None). PROV-O base classes come first.
_REUSED = [
    ("Activity", "prov:Activity", None),
    ("Entity", "prov:Entity", None),
    ("Agent", "prov:Agent", None),
    ("Person", "prov:Person", None),
    ("SoftwareAgent", "prov:SoftwareAgent", None),
    ("Plan", "prov:Plan", None),
    ("label", "rdfs:label", None),
    ("startedAtTime", "prov:startedAtTime", "xsd:dateTime"),
    ("endedAtTime", "prov:endedAtTime", "xsd:dateTime"),
    ("generatedAtTime", "prov:generatedAtTime", "xsd:dateTime"),
    ("used", "prov:used", "@id"),
    ("wasGeneratedBy", "prov:wasGeneratedBy", "@id"),
    ("wasDerivedFrom", "prov:wasDerivedFrom", "@id"),
    ("wasRevisionOf", "prov:wasRevisionOf", "@id"),
    ("wasAssociatedWith", "prov:wasAssociatedWith", "@id"),
    ("hadPlan", "prov:hadPlan", "@id"),
    ("specifiedBy", "mls:specifiedBy", "@id"),
    ("hasValue", "mls:hasValue", None),
    ("hasPart", "mls:hasPart", "@id"),
    ("hasInput", "mls:hasInput", "@id"),
    ("hasOutput", "mls:hasOutput", "@id"),
    ("executes", "mls:executes", "@id"),
    ("implements", "mls:implements", "@id"),
    ("realizes", "mls:realizes", "@id"),
    ("achieves", "mls:achieves", "@id"),
]

# Datatype ranges whose JSON values need an explicit @type (strings and numbers map natively).
_TYPED_RANGES = {"xsd:integer", "xsd:dateTime", "xsd:anyURI"}


def _definition(curie: str, coercion: str | None) -> str | dict[str, str]:
    return {"@id": curie, "@type": coercion} if coercion else curie


def render_context(model: OntologyModel) -> str:
    """Return the text of ``context.jsonld`` for the ontology ``model``."""
    context: dict[str, object] = {"@version": 1.1, "id": "@id", "type": "@type"}
    context.update(
        {prefix: PREFIXES[prefix] for prefix in ("provml", "prov", "mls", "xsd", "rdfs")}
    )
    for name, curie, coercion in _REUSED:
        context[name] = _definition(curie, coercion)
    for term in sorted(model.terms.values(), key=lambda t: (t.is_property, t.name)):
        if term.name in context:
            raise ValueError(f"PROV-ML term {term.name!r} clashes with a reused JSON-LD term")
        coercion = None
        if term.kind == "object":
            coercion = "@id"
        elif term.kind == "datatype":
            coercion = next((r for r in term.range if r in _TYPED_RANGES), None)
        context[term.name] = _definition(term.curie, coercion)
    lines = ["{", '  "@context": {']
    items = [f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in context.items()]
    lines.append(",\n".join(items))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"
