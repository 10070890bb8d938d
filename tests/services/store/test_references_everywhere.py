"""The ingest's reference check asks the store which referred nodes it holds: on every backend a
batch referring to a version recorded by an earlier batch is accepted, and one referring to a
version recorded nowhere is refused (Virtuoso once answered the check as "nothing held")."""

from __future__ import annotations

import pytest

from services.ingest import Ingestor
from services.ingest._exceptions import UnknownReference
from services.store import Store
from tests.queryengine.versions_capture import TRAININGS, load_versions
from tests.services.ingest.versions_batches import T0, batch, training, vid


def test_a_training_of_registered_versions_is_accepted(store: Store) -> None:
    load_versions(store)
    graphs = set(store.graphs())
    runs = {f"http://provml.localhost/id/graph/run/{run}" for run, *_ in TRAININGS}
    assert runs <= graphs


def test_a_training_of_an_unrecorded_version_is_refused(store: Store) -> None:
    load_versions(store)
    before = store.count()
    records = training("t9", T0, [vid("dataset", "digits", "v9")], "mlp-9", accuracy=0.5)
    with pytest.raises(UnknownReference, match=r"dataset\.digits\.v9"):
        Ingestor(store, base_iri="http://provml.localhost/id/").ingest_batch(batch(*records))
    assert store.count() == before
