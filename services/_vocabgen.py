"""Generate the files derived from the ontology: ``provlake/vocab.py``, ``ontology/context.jsonld``,
``docs/ontology.md``, ``docs/ontology.dot`` (and ``docs/ontology.svg`` when Graphviz is installed).

They are generated, never hand-edited: ``provml vocab generate`` writes them, and
``provml vocab generate --check`` (run by the test suite) fails when one is stale. The SVG is not
checked: its bytes depend on the Graphviz version.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox

import ontology

__all__ = [
    "REPO_ROOT",
    "VOCAB_MODULE",
    "generated_files",
    "render_svg",
    "render_vocab",
    "stale_files",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
VOCAB_MODULE = REPO_ROOT / "provlake" / "vocab.py"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"
_MLS = "http://www.w3.org/ns/mls#"

# Terms of the W3C base vocabularies that provml writes or reads (fixed standard namespaces).
_RDF_TERMS = ["type", "Property", "langString"]
_RDFS_TERMS = [
    *("label", "comment", "subClassOf", "subPropertyOf"),
    *("domain", "range", "seeAlso", "isDefinedBy"),
]
_OWL_TERMS = ["Class", "ObjectProperty", "DatatypeProperty", "Ontology", "versionIRI", "inverseOf"]
_XSD_TERMS = [
    *("string", "boolean", "integer", "long", "int", "double"),
    *("float", "decimal", "dateTime", "anyURI"),
]


def _terms(graph: list[ox.Triple], namespace: str) -> list[str]:
    """Local names of every IRI in ``namespace`` that the graph declares as a class or property."""
    declared = {
        ox.NamedNode(_OWL + "Class"),
        ox.NamedNode(_OWL + "ObjectProperty"),
        ox.NamedNode(_OWL + "DatatypeProperty"),
    }
    rdf_type = ox.NamedNode(_RDF + "type")
    names = {
        t.subject.value[len(namespace) :]
        for t in graph
        if t.predicate == rdf_type
        and t.object in declared
        and isinstance(t.subject, ox.NamedNode)
        and t.subject.value.startswith(namespace)
    }
    return sorted(names, key=lambda n: (n[0].islower(), n))


def _prov_terms() -> list[str]:
    from rdflib.namespace import PROV

    return sorted(PROV.__annotations__, key=lambda n: (n[0].islower(), n))


def _block(cls: str, doc: str, namespace: str, names: list[str]) -> list[str]:
    out = [
        "",
        "",
        f"class {cls}:",
        f'    """{doc} (``{namespace}``)."""',
        "",
        f"    NS: Final = {json.dumps(namespace)}",
    ]
    out += [f"    {name}: Final = {json.dumps(namespace + name)}" for name in names]
    return out


def render_vocab() -> str:
    """Return the text of the vocabulary module, generated from the shipped ontology files."""
    provml = list(ox.parse(path=str(ontology.path(ontology.ONTOLOGY))))
    mls = list(ox.parse(path=str(ontology.path("imports/mls.ttl"))))
    lines = [
        '"""PROV-ML vocabulary as IRI strings: GENERATED from ontology/provml.ttl by '
        "`provml vocab generate`.",
        "",
        "Do not edit by hand; change the ontology and regenerate. "
        "A test fails when this file is stale.",
        "",
        ">>> PROVML.TrainingExecution",
        "'https://w3id.org/provml#TrainingExecution'",
        '"""',
        "",
        "from typing import Final",
        "",
        '__all__ = ["MLS", "OWL", "PROV", "PROVML", "RDF", "RDFS", "XSD"]',
    ]
    provml_terms = _terms(provml, ontology.NAMESPACE)
    lines += _block("PROVML", "PROV-ML terms", ontology.NAMESPACE, provml_terms)
    lines += _block("PROV", "W3C PROV-O terms", _PROV, _prov_terms())
    lines += _block("MLS", "W3C ML Schema terms", _MLS, _terms(mls, _MLS))
    lines += _block("RDF", "RDF terms used by provml", _RDF, _RDF_TERMS)
    lines += _block("RDFS", "RDF Schema terms used by provml", _RDFS, _RDFS_TERMS)
    lines += _block("OWL", "OWL terms used by provml", _OWL, _OWL_TERMS)
    lines += _block("XSD", "XML Schema datatypes used by provml", _XSD, _XSD_TERMS)
    return "\n".join(lines) + "\n"


def generated_files(root: Path = REPO_ROOT) -> dict[Path, str]:
    """Map each generated file under ``root`` (a source checkout) to the text it must hold."""
    from services._jsonldctx import render_context
    from services._ontodocs import render_dot, render_markdown
    from services._ontomodel import load_model

    model = load_model()
    return {
        root / "provlake" / "vocab.py": render_vocab(),
        root / "ontology" / ontology.CONTEXT: render_context(model),
        root / "docs" / "ontology.md": render_markdown(model),
        root / "docs" / "ontology.dot": render_dot(model),
        root / "services" / "ingest" / "shape-needs.json": render_shape_needs(),
    }


def render_shape_needs() -> str:
    """``services/ingest/shape-needs.json``: what each SPARQL constraint of the shapes needs of its
    focus node, analysed once here rather than at every start of the manager."""
    from services.ingest._fastshacl import needs_table

    return json.dumps(needs_table(), indent=2) + "\n"


def stale_files(files: dict[Path, str]) -> list[Path]:
    """The files that are missing or whose text differs from what they must hold."""
    return [
        p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text
    ]


def render_svg(dot_file: Path, svg_file: Path) -> str:
    """Render ``dot_file`` to ``svg_file`` with Graphviz ``dot``; return what it did."""
    dot = shutil.which("dot")
    if dot is None:
        return (
            f"note: Graphviz `dot` is not on PATH; {svg_file} was not rendered (install graphviz)"
        )
    try:
        subprocess.run([dot, "-Tsvg", str(dot_file), "-o", str(svg_file)], check=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"dot could not render {dot_file}: {exc}") from exc
    return f"wrote {svg_file}"
