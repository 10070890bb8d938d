"""Client → the manager's real ingest pipeline (mapping, SHACL, commit) → an Oxigraph store.

What the client sends is valid by construction: every batch of the modern and the legacy API is
accepted by ``services.ingest`` (SHACL-checked), even one record per batch (context from the store).
"""

from __future__ import annotations

import runpy
from collections.abc import Iterator

import pytest

import provlake as pl
from provlake.vocab import MLS, PROV, PROVML
from services.ingest import IngestError, Ingestor
from services.store import open_store

from .conftest import HERE

pytestmark = pytest.mark.integration


class IngestTransport(pl.Transport):
    """Hands each batch to ``Ingestor.ingest_batch`` (what the manager's capture route does)."""

    kind = "ingest"

    def __init__(self, ingestor: Ingestor) -> None:
        self.ingestor = ingestor
        self.refused: list[str] = []

    def send(self, body: bytes, count: int) -> None:
        try:
            self.ingestor.ingest_batch(body)
        except IngestError as exc:
            self.refused.append(f"{type(exc).__name__}: {exc} {getattr(exc, 'details', '')}")
            raise pl.BatchRejected(str(exc), 400) from exc


@pytest.fixture
def store() -> Iterator[object]:
    s = open_store("memory:")
    yield s
    s.close()


def rows(store: object, sparql: str) -> list[tuple]:
    return [tuple(t.value if t is not None else None for t in r) for r in store.query(sparql).rows]


@pytest.mark.parametrize("batch_size", [1, 500])
def test_the_training_sketch_is_accepted_and_queryable(store: object, batch_size: int) -> None:
    transport = IngestTransport(Ingestor(store))
    with pl.Client(transport, batch_size=batch_size, capture_environment=True) as client:
        with client.start_run("digits-mlp", study="digits") as run:
            data = run.dataset("digits", source="sklearn.datasets.load_digits")
            hp = {"lr": 0.01, "hidden": 64}
            with run.stage("training", kind="training", hyperparameters=hp, used=[data]) as train:
                for epoch in range(3):
                    with train.section("epoch", epoch) as ep:
                        ep.log_metrics(loss=1.0 / (epoch + 1), accuracy=0.5 + epoch / 10)
                    train.adapt_hyperparameter("lr", 0.01 / (epoch + 2), epoch=epoch + 1)
                model = train.model("mlp", uri="file:model.pkl")
            with run.stage("evaluation", kind="evaluation", used=[model]) as ev:
                ev.log_metric("accuracy", 0.97, model=model, data=data)
            run.reference("https://w3id.org/petro#Well_7", name="well")
        stats = client.stats()
    assert transport.refused == [] and stats["rejected_batches"] == 0
    sections = rows(
        store,
        f"SELECT ?i WHERE {{ ?t a <{PROVML.TrainingExecution}> . ?s <{PROVML.isPartOf}> ?t ; "
        f"<{PROVML.index}> ?i }} ORDER BY ?i",
    )
    assert [int(i) for (i,) in sections] == [0, 1, 2]
    losses = rows(
        store,
        f"SELECT ?v WHERE {{ ?e a <{PROVML.ModelEvaluation}> ; <{MLS.specifiedBy}> ?m ; "
        f"<{MLS.hasValue}> ?v . FILTER(STRENDS(STR(?m), '/loss')) }} ORDER BY DESC(?v)",
    )
    assert [float(v) for (v,) in losses] == [1.0, 0.5, 1.0 / 3]
    revisions = rows(
        store,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{PROVML.HyperparameterAdaptation}> ; "
        f"<{PROV.wasRevisionOf}> ?p }}",
    )
    assert int(revisions[0][0]) == 3
    generated = rows(
        store,
        f"SELECT ?m WHERE {{ ?m a <{PROVML.Model}> ; <{PROV.wasGeneratedBy}> ?t . "
        f"?t a <{PROVML.TrainingExecution}> }}",
    )
    assert generated == [(f"http://provml.localhost/id/entity/{model.id}",)]


def test_an_unmodified_legacy_script_is_accepted(
    store: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = IngestTransport(Ingestor(store))
    pl.register_transport("ingest-e2e", lambda config, settings: transport)
    monkeypatch.setenv("PROVML_TRANSPORT", '{"type": "ingest-e2e"}')
    monkeypatch.setenv("PROVML_BATCH_SIZE", "1")
    monkeypatch.delenv("SERVICE_URL", raising=False)
    runpy.run_path(str(HERE / "legacy_scripts" / "train_wf.py"), run_name="__main__")
    assert transport.refused == []
    transformations = rows(
        store,
        f"SELECT ?label WHERE {{ ?x a <{PROVML.DataTransformationExecution}> ; "
        f"<{PROVML.status}> ?label }} ORDER BY ?label",
    )
    assert sorted(s for (s,) in transformations) == sorted(
        ["finished", "finished", "finished", "failed"]
    )
    cycles = rows(
        store,
        f"SELECT ?i WHERE {{ ?s a <{PROVML.LearningStageSectionExecution}> ; <{PROVML.index}> ?i ; "
        f"<{PROVML.isPartOf}> ?run . ?run a <{PROVML.WorkflowExecution}> }} ORDER BY ?i",
    )
    assert [int(i) for (i,) in cycles] == [0, 1]
