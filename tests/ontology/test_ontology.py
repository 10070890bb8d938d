"""The PROV-ML ontology: parses, aligns every class with PROV-O and ML Schema, documents terms."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS

import ontology

PROVML = rdflib.Namespace(ontology.NAMESPACE)
MLS = rdflib.Namespace("http://www.w3.org/ns/mls#")
ONTOLOGY_IRI = rdflib.URIRef(ontology.ONTOLOGY_IRI)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)

# The PROV-ML classes the vocabulary must provide (prospective, retrospective, ProvLake base model).
REQUIRED_CLASSES = [
    *("Study", "LearningExperiment", "BaseLearningStage", "LearningStage", "LearningStageSection"),
    *("TrainingStage", "ValidationStage", "EvaluationStage", "TestingStage", "LearningTask"),
    *("Algorithm", "Implementation", "Software", "Persona", "LearningHyperparameter"),
    *("LearningHyperparameterValue", "HyperparameterAdaptation", "EvaluationMeasure"),
    *("ModelEvaluation", "Model", "LearningData", "Dataset", "FeatureSet", "Feature"),
    *("LearningExperimentExecution", "BaseLearningStageExecution", "LearningStageExecution"),
    *("LearningStageSectionExecution", "TrainingExecution", "ValidationExecution"),
    *("EvaluationExecution", "TestingExecution", "Workflow", "DataTransformation", "Attribute"),
    *("WorkflowExecution", "DataTransformationExecution", "AttributeValue", "DataStore"),
    *("DataReference", "KnowledgeGraphReference", "ExecutionEnvironment"),
]


def _provml_terms(graph: rdflib.Graph, kinds) -> set[rdflib.URIRef]:
    return {
        s
        for kind in kinds
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, rdflib.URIRef) and str(s).startswith(ontology.NAMESPACE)
    }


@pytest.fixture(scope="module")
def classes(ontology_graph):
    return _provml_terms(ontology_graph, [OWL.Class])


@pytest.fixture(scope="module")
def properties(ontology_graph):
    return _provml_terms(ontology_graph, PROPERTY_TYPES)


def test_rdflib_and_pyoxigraph_read_the_same_triples(ontology_graph):
    oxi = ox.Store()
    oxi.load(path=str(ontology.path(ontology.ONTOLOGY)), format=ox.RdfFormat.TURTLE)
    # Round-trip rdflib's reading through N-Triples so both sides are compared as pyoxigraph terms.
    from_rdflib = ox.Store()
    from_rdflib.load(ontology_graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    oxi_triples = {q.triple for q in oxi}
    assert len(oxi_triples) > 300
    assert oxi_triples == {q.triple for q in from_rdflib}


def test_header_names_version_title_description_and_licence(ontology_graph):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology_graph
    version_iri = ontology_graph.value(ONTOLOGY_IRI, OWL.versionIRI)
    version = ontology_graph.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert str(version_iri) == f"{ontology.ONTOLOGY_IRI}/{version}"
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert ontology_graph.value(ONTOLOGY_IRI, prop), prop


def test_required_classes_are_declared(classes):
    assert {PROVML[name] for name in REQUIRED_CLASSES} - classes == set()


def test_every_class_reaches_a_prov_o_class(ontology_graph, classes):
    prov_classes = {PROV[name] for name in PROV.__annotations__ if name[0].isupper()}
    for cls in classes:
        ancestors = set(ontology_graph.transitive_objects(cls, RDFS.subClassOf))
        assert ancestors & prov_classes, f"{cls} is not a subclass of any PROV-O class"


def test_every_superclass_is_declared(ontology_graph, classes, mls_graph):
    mls_classes = set(mls_graph.subjects(RDF.type, OWL.Class))
    prov_classes = {PROV[name] for name in PROV.__annotations__ if name[0].isupper()}
    for cls in classes:
        for parent in ontology_graph.objects(cls, RDFS.subClassOf):
            assert parent in classes | mls_classes | prov_classes, f"{cls} ⊑ unknown {parent}"


def test_ml_schema_alignment_uses_existing_mls_terms(ontology_graph, mls_graph):
    mls_terms = set(mls_graph.subjects(RDF.type, None))
    named = {o for o in ontology_graph.objects() if isinstance(o, rdflib.URIRef) and o in MLS}
    assert MLS.Model in named and MLS.Run in named
    assert named - mls_terms == set()


def test_classes_with_an_ml_schema_counterpart_are_aligned(ontology_graph):
    pairs = {
        "Study": "Study",
        "LearningExperiment": "Experiment",
        "LearningTask": "Task",
        "Algorithm": "Algorithm",
        "Implementation": "Implementation",
        "Software": "Software",
        "LearningHyperparameter": "HyperParameter",
        "LearningHyperparameterValue": "HyperParameterSetting",
        "EvaluationMeasure": "EvaluationMeasure",
        "ModelEvaluation": "ModelEvaluation",
        "Model": "Model",
        "LearningData": "Data",
        "Dataset": "Dataset",
        "Feature": "Feature",
        "LearningStageExecution": "Run",
    }
    for name, mls_name in pairs.items():
        assert (PROVML[name], RDFS.subClassOf, MLS[mls_name]) in ontology_graph, name


def test_every_term_has_english_label_comment_and_definer(ontology_graph, classes, properties):
    for term in classes | properties:
        for prop in (RDFS.label, RDFS.comment):
            values = list(ontology_graph.objects(term, prop))
            assert [v.language for v in values] == ["en"], f"{term} {prop}"
        assert ontology_graph.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, term


def test_no_term_is_both_class_and_property(ontology_graph, classes, properties):
    assert classes & properties == set()
    for prop in properties:
        kinds = {k for k in ontology_graph.objects(prop, RDF.type) if k in PROPERTY_TYPES}
        assert len(kinds) == 1, prop


def test_every_provml_iri_used_is_declared(ontology_graph, classes, properties):
    used = {
        term
        for triple in ontology_graph
        for term in triple
        if isinstance(term, rdflib.URIRef) and str(term).startswith(ontology.NAMESPACE)
    }
    assert used - classes - properties == set()


def test_domains_and_ranges_are_classes_or_datatypes(ontology_graph, classes, properties):
    prov_classes = {PROV[name] for name in PROV.__annotations__ if name[0].isupper()}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for prop in properties:
        for target in [*ontology_graph.objects(prop, RDFS.domain)]:
            assert target in classes | prov_classes, (prop, target)
        for target in ontology_graph.objects(prop, RDFS.range):
            if (prop, RDF.type, OWL.DatatypeProperty) in ontology_graph:
                assert str(target).startswith(xsd), (prop, target)
            else:
                assert target in classes | prov_classes, (prop, target)


def test_vocab_module_names_every_term(classes, properties):
    from provlake.vocab import PROVML as GENERATED

    names = {str(term)[len(ontology.NAMESPACE) :] for term in classes | properties}
    assert {name for name in vars(GENERATED) if not name.startswith("_") and name != "NS"} == names


def test_no_class_falls_under_two_disjoint_ml_schema_classes(ontology_graph, mls_graph, classes):
    """ML Schema declares disjoint classes (information entities vs processes, Experiment/Run/Study,
    ...): a PROV-ML class under two of them would be unsatisfiable once ML Schema is imported."""
    from rdflib.collection import Collection

    both = ontology_graph + mls_graph
    disjoint = {frozenset(pair) for pair in mls_graph.subject_objects(OWL.disjointWith)}
    for group in mls_graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(mls_graph, mls_graph.value(group, OWL.members)))
        disjoint |= {frozenset((a, b)) for a in members for b in members if a != b}
    assert frozenset((MLS.InformationEntity, MLS.Process)) in disjoint
    assert frozenset((MLS.Run, MLS.Study)) in disjoint
    for cls in classes:
        ancestors = set(both.transitive_objects(cls, RDFS.subClassOf))
        clashes = [sorted(pair) for pair in disjoint if pair <= ancestors]
        assert clashes == [], f"{cls} is under disjoint classes {clashes}"
