"""DLProv's reference traffic and the script that sends it, shared by the DLProv tests.

``REFERENCE`` holds the 23 requests ``dfa_lib_python`` 1.0.0 sent for an MNIST-shaped run (see
``shared/reference/README.md``). ``mnist_script(api)`` is that run written against DLProv's API:
``api`` gives the classes (``provlake.dataflow``, or the original library's), so one script drives
either and their captures can be compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "dlprov-dfa-wire.jsonl"
EXEC = "mnist-2026-12-02 05:09:49.361281"
EMAIL = "bob@fictional.com"
STAMP = "2026-12-02 05:09:49"
DATA = "mnist20261202_050949361281"
# (elapsed time, loss, accuracy, val loss, val accuracy) of epochs 1..5, as the reference sent them
EPOCHS = [
    ("0.020134687423706055", "0.4821", "0.8612", "0.3012", "0.9123"),
    ("0.02012324333190918", "0.2714", "0.9215", "0.2345", "0.9334"),
    ("0.020122528076171875", "0.2103", "0.9398", "0.2088", "0.9402"),
    ("0.020244836807250977", "0.1832", "0.9467", "0.1954", "0.9445"),
    ("0.020154237747192383", "0.1687", "0.9511", "0.1901", "0.9468"),
]
LOSSES = [0.4821, 0.2714, 0.2103, 0.1832, 0.1687]


def reference() -> list[dict[str, Any]]:
    """The reference requests: seq, method, path (``//pde/...``), body."""
    return [json.loads(line) for line in REFERENCE.read_text().splitlines() if line.strip()]


def kind_of(request: dict[str, Any]) -> str:
    return "dataflow" if request["norm_path"] == "/pde/dataflow/json" else "task"


def replay(ingestor: Any, requests: list[dict[str, Any]] | None = None) -> None:
    """Ingest the reference requests (or some of them) in order."""
    for request in reference() if requests is None else requests:
        ingestor.ingest_dfanalyzer(request["body"], kind=kind_of(request))


def mnist_script(api: SimpleNamespace, **extra: Any) -> None:
    """The reference run, written against DLProv's API; ``extra`` goes to every constructor that
    takes provml options (``client=``)."""
    a, t, n = api.AttributeType, api.AttributeType.TEXT, api.AttributeType.NUMERIC
    df = api.Dataflow("mnist", predefined=True, email=EMAIL, **extra)
    adaptation = api.Transformation("Adaptation")
    otrain = [("TIMESTAMP", t), ("ELAPSED_TIME", t), ("LOSS", n), ("ACCURACY", n)]
    otrain += [("VAL_LOSS", n), ("VAL_ACCURACY", n), ("EPOCH", n)]
    dependency = api.Set("oTrain", api.SetType.INPUT, [api.Attribute(x, y) for x, y in otrain])
    dependency.dependency = "train"
    inputs = [("EPOCHS_DROP", n), ("DROP_N", n), ("INITIAL_LRATE", n)]
    outputs = [("NEW_LRATE", n), ("TIMESTAMP", a.TEXT), ("EPOCH_ID", n), ("ADAPTATION_ID", n)]
    adaptation.set_sets(
        [
            dependency,
            api.Set("iAdaptation", api.SetType.INPUT, [api.Attribute(x, y) for x, y in inputs]),
            api.Set("oAdaptation", api.SetType.OUTPUT, [api.Attribute(x, y) for x, y in outputs]),
        ]
    )
    df.add_transformation(adaptation)
    df.save()

    def task(id_: int, name: str, dependency: Any = None) -> Any:
        return api.Task(id_, df, EXEC, name, dependency=dependency)

    def send(task_: Any, tag: str, *values: Any) -> None:
        task_.add_dataset(api.DataSet(tag, [api.Element(list(values))]))

    load = task(1, "LoadData")
    send(
        load,
        "iInputDataset",
        "MNIST",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    )
    load.begin()
    send(load, "oLoadData", f"{DATA}/data/raw_images.npy")
    load.end()
    clean = task(2, "ApplyFilter", load)
    send(clean, "iFilter", "Normalize")
    clean.begin()
    send(clean, "oFilter", f"{DATA}/data/x_norm.npy")
    clean.end()
    split = task(3, "SplitData", clean)
    send(split, "iSplitConfig", 48000, 12000, 10000)
    split.begin()
    for tag, part in (("oTrainSet", "train"), ("oValSet", "val")):
        send(split, tag, f"{DATA}/data/x_{part}.npy", f"{DATA}/data/y_{part}.npy")
        split.save()
    send(split, "oTestSet", f"{DATA}/data/x_test.npy", f"{DATA}/data/y_test.npy")
    split.end()
    train = task(4, "Train", split)
    send(train, "iTrain", "adam", 0.002, 5, 32, 4)
    train.begin()
    adapt = task(5, "Adaptation", train)
    send(adapt, "iAdaptation", 2.0, 0.5, 0.002)
    adapt.begin()
    changes = {1: ("0.001", 1), 3: ("0.0005", 2)}
    for epoch, (elapsed, loss, accuracy, val_loss, val_accuracy) in enumerate(EPOCHS, 1):
        send(train, "oTrain", STAMP, elapsed, loss, accuracy, val_loss, val_accuracy, epoch)
        train.save()
        if epoch in changes:
            rate, number = changes[epoch]
            send(adapt, "oAdaptation", rate, STAMP, epoch, number)
            adapt.save()
        if epoch == 4:
            adapt.end()
    send(train, "oTrainedModel", "trained_model", f"/data/{DATA}/models/trained.keras")
    train.save()
    send(train, "oWeights", f"/data/{DATA}/weights/model.weights.h5")
    train.end()
    test = task(6, "Test", [split, train])
    test.begin()
    send(test, "oTest", 0.1873, 0.9479)
    test.end()
