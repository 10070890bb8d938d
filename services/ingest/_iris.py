"""IRI minting (docs/capture-format.md, "IRIs and graphs") and cached pyoxigraph terms of the
vocabulary.

Every IRI is minted under a base IRI from client ids and names, percent-encoded, so the same record
always gives the same IRIs.

>>> iris = Iris("http://example.org/id/")
>>> iris.measure("val loss").value
'http://example.org/id/measure/val%20loss'
>>> iris.run_graph("r1").value
'http://example.org/id/graph/run/r1'
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox

from provlake.vocab import MLS, PROV, PROVML, RDF, RDFS, XSD

__all__ = ["DEFAULT_BASE_IRI", "Iris", "term"]

DEFAULT_BASE_IRI = "http://provml.localhost/id/"


@lru_cache(maxsize=4096)
def term(iri: str) -> ox.NamedNode:
    """The (cached) NamedNode of a vocabulary IRI, e.g. ``term(PROVML.TrainingExecution)``."""
    return ox.NamedNode(iri)


def _enc(text: str) -> str:
    return quote(text, safe="")


class Iris:
    """Mints the IRIs of one manager (one base IRI)."""

    def __init__(self, base: str = DEFAULT_BASE_IRI) -> None:
        if not base.endswith(("/", "#")):
            base += "/"
        ox.NamedNode(base)  # raises ValueError for an invalid base
        self.base = base
        self.catalog_graph = ox.NamedNode(f"{base}graph/catalog")
        # descriptions of data identified by content, shared by the runs that use it
        self.data_graph = ox.NamedNode(f"{base}graph/data")
        # IRIs minted again and again (a run per record, a measure per metric, an execution per
        # value it generates): cached per ingestor.
        for name in ("run_graph", "run", "execution", "measure", "hyperparameter", "attribute"):
            setattr(self, name, lru_cache(maxsize=4096)(getattr(self, name)))

    def run_graph(self, run: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}graph/run/{_enc(run)}")

    def run(self, run: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}run/{_enc(run)}")

    def domain_graph(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}graph/domain/{_enc(name)}")

    def execution(self, id_: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}execution/{_enc(id_)}")

    def activity(self, id_: str, run: str) -> ox.NamedNode:
        """A stage or section execution, or the run itself when ``id_`` is the run id."""
        return self.run(run) if id_ == run else self.execution(id_)

    def evaluation(self, id_: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}evaluation/{_enc(id_)}")

    def hyperparameter_value(self, id_: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}hyperparameter-value/{_enc(id_)}")

    def entity(self, id_: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}entity/{_enc(id_)}")

    def attribute_value(self, execution: str, direction: str, name: str) -> ox.NamedNode:
        return ox.NamedNode(
            f"{self.base}attribute-value/{_enc(execution)}/{direction}/{_enc(name)}"
        )

    def environment(self, run: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}environment/{_enc(run)}")

    def experiment(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}experiment/{_enc(name)}")

    @staticmethod
    def stage_plan(experiment: ox.NamedNode, name: str) -> ox.NamedNode:
        """``{base}experiment/{experiment}/stage/{name}`` from the experiment's IRI."""
        return ox.NamedNode(f"{experiment.value}/stage/{_enc(name)}")

    @staticmethod
    def section_plan(parent: ox.NamedNode, name: str) -> ox.NamedNode:
        """``{stage plan}/section/{name}``.

        A section directly in a run (a legacy ProvLake cycle) is its own stage:
        ``{experiment}/stage/{name}/section/{name}``.
        """
        return ox.NamedNode(f"{parent.value}/section/{_enc(name)}")

    def study(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}study/{_enc(name)}")

    def persona(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}persona/{_enc(name)}")

    def software(self, name: str, version: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}software/{_enc(name)}/{_enc(version)}")

    def hyperparameter(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}hyperparameter/{_enc(name)}")

    def measure(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}measure/{_enc(name)}")

    def attribute(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}attribute/{_enc(name)}")

    def datastore(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}datastore/{_enc(name)}")

    # -- data pipelines (provlake.data) ---------------------------------------------------------

    def operation_plan(self, kind: str) -> ox.NamedNode:
        """The data transformation that pipeline operations of ``kind`` (map, ...) carry out."""
        return ox.NamedNode(f"{self.base}operation/{_enc(kind)}")

    def stream_schema(self, id_: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}schema/{_enc(id_)}")

    def stream_sample(self, id_: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}sample/{_enc(id_)}")

    def statistics(self, id_: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}statistics/{_enc(id_)}")

    # -- version graphs (OMProv) -----------------------------------------------------------------

    def versioned_object(self, kind: str, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}object/{_enc(kind)}/{_enc(name)}")

    def object_graph(self, kind: str, name: str) -> ox.NamedNode:
        """The versioned object and its registered versions."""
        return ox.NamedNode(f"{self.base}graph/object/{_enc(kind)}/{_enc(name)}")

    def inferred_graph(self, kind: str, name: str) -> ox.NamedNode:
        """The revisions inferred between the versions of an output object."""
        return ox.NamedNode(f"{self.base}graph/inferred/{_enc(kind)}/{_enc(name)}")

    def revision(self, newer: str, older: str) -> ox.NamedNode:
        """The qualified revision between two versions (entity ids), declared or inferred."""
        return ox.NamedNode(f"{self.base}revision/{_enc(newer)}/{_enc(older)}")

    @staticmethod
    def route(revision: ox.NamedNode, kind: str, name: str) -> ox.NamedNode:
        """``{revision}/route/{kind}/{name}``: one input object's route along a revision."""
        return ox.NamedNode(f"{revision.value}/route/{_enc(kind)}/{_enc(name)}")


class V:
    """Vocabulary terms used by the mapper, as NamedNodes built once."""

    type = term(RDF.type)
    label = term(RDFS.label)
    # PROV-O
    Activity = term(PROV.Activity)
    Entity = term(PROV.Entity)
    Agent = term(PROV.Agent)
    Person = term(PROV.Person)
    SoftwareAgent = term(PROV.SoftwareAgent)
    Plan = term(PROV.Plan)
    startedAtTime = term(PROV.startedAtTime)
    endedAtTime = term(PROV.endedAtTime)
    generatedAtTime = term(PROV.generatedAtTime)
    used = term(PROV.used)
    wasGeneratedBy = term(PROV.wasGeneratedBy)
    wasDerivedFrom = term(PROV.wasDerivedFrom)
    wasRevisionOf = term(PROV.wasRevisionOf)
    wasAssociatedWith = term(PROV.wasAssociatedWith)
    # ML Schema
    specifiedBy = term(MLS.specifiedBy)
    hasValue = term(MLS.hasValue)
    # XSD
    xsd_dateTime = term(XSD.dateTime)
    xsd_integer = term(XSD.integer)
    xsd_string = term(XSD.string)


class P:
    """PROV-ML terms as NamedNodes (attribute access builds and caches the node)."""

    def __getattr__(self, name: str) -> ox.NamedNode:
        node = term(getattr(PROVML, name))
        setattr(self, name, node)
        return node


ML = P()
