"""The version-graph example of the question tests and docs/questions.md, written by the real
ingest: a dataset ``digits`` revised twice (cleaning 0.1, relabelling 0.2), an algorithm
``mlp-code`` revised once (0.05), and four trainings of the model ``mlp`` mixing them, each with a
final accuracy.

    training   digits   mlp-code   model   accuracy
    t1         v1       v1         mlp-1   0.90
    t2         v2       v1         mlp-2   0.92
    t3         v3       v1         mlp-3   0.93
    t4         v2       v2         mlp-4   0.95

Inferred: mlp-1 → mlp-2 (0.05, the mean of 0.1 and 0), mlp-2 → mlp-3 (0.1), mlp-2 → mlp-4
(0.025); neither of mlp-3 and mlp-4 inherits the other (digits v3 is newer, mlp-code v2 older).
"""

from __future__ import annotations

from services.ingest import Ingestor
from services.store import Store
from tests.services.ingest.versions_batches import T0, batch, registry, training, version, vid

DIGITS = [
    version("dataset", "digits", "v1"),
    version("dataset", "digits", "v2", [("v1", 0.1)]),
    version("dataset", "digits", "v3", [("v2", 0.2)]),
]
CODE = [
    version("algorithm", "mlp-code", "v1"),
    version("algorithm", "mlp-code", "v2", [("v1", 0.05)]),
]
TRAININGS = [
    ("t1", "v1", "v1", "mlp-1", 0.90),
    ("t2", "v2", "v1", "mlp-2", 0.92),
    ("t3", "v3", "v1", "mlp-3", 0.93),
    ("t4", "v2", "v2", "mlp-4", 0.95),
]


def load_versions(store: Store, base_iri: str = "http://provml.localhost/id/") -> Store:
    """Ingest the registered versions, then the four trainings."""
    ingestor = Ingestor(store, base_iri=base_iri)
    ingestor.ingest_batch(registry(*DIGITS, *CODE))
    for n, (run, data, code, model, accuracy) in enumerate(TRAININGS):
        inputs = [vid("dataset", "digits", data), vid("algorithm", "mlp-code", code)]
        records = training(run, T0 + 3600 * (n + 1), inputs, model, accuracy=accuracy)
        ingestor.ingest_batch(batch(*records))
    return store
