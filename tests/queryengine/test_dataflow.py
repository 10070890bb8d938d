"""DLProv's queries as named questions, on DLProv's reference run written by the real ingest
pipeline into the embedded store and into a real ``oxigraph serve``; exact answers, in both
binding forms. The reference values: 5 epochs of oTrain with losses 0.4821 … 0.1687 (average
0.26314), LR 0.002 adapted to 0.001 at epoch 1 and 0.0005 at epoch 3, test loss 0.1873."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from provlake.dataflow._ids import digest, run_id
from queryengine import ask
from services.ingest import Ingestor
from services.store import Store, open_store
from tests.dlprov import EXEC, LOSSES, STAMP, reference, replay

RUN = run_id(EXEC)
BASE = "http://provml.localhost/id/"
RUN_TYPE = "LearningExperimentExecution"
RUN_NAME = EXEC  # the execution tag: the run's label
TRANSFORMATIONS = ("loaddata", "applyfilter", "splitdata", "train")  # tasks 1 to 4
OTRAIN = [
    "TIMESTAMP", "ELAPSED_TIME", "LOSS", "ACCURACY", "VAL_LOSS", "VAL_ACCURACY", "EPOCH",
]  # fmt: skip


@pytest.fixture(scope="module", params=["embedded", "server"])
def dlprov_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    if request.param == "embedded":
        store = open_store(f"oxigraph:{tmp_path_factory.mktemp('dlprov')}")
    else:
        store = open_store("sparql+" + request.getfixturevalue("oxigraph_server"))
        store.update("DROP ALL")
    with store:
        replay(Ingestor(store))
        yield store


@pytest.fixture(params=[True, False], ids=["lateral", "values"])
def answer(request: pytest.FixtureRequest, dlprov_store: Store) -> Callable[..., Any]:
    return partial(ask, store=dlprov_store, lateral=request.param)


def test_dataflow_set(answer) -> None:
    rows = answer("dataflow-set", dataflow="mnist", set="oTrain")
    assert rows.columns == ["execution", "task", *OTRAIN]
    assert [r["LOSS"] for r in rows] == LOSSES
    assert rows[0] == {
        "execution": EXEC,
        "task": "4",
        "TIMESTAMP": STAMP,
        "ELAPSED_TIME": "0.020134687423706055",
        "LOSS": 0.4821,
        "ACCURACY": 0.8612,
        "VAL_LOSS": 0.3012,
        "VAL_ACCURACY": 0.9123,
        "EPOCH": 1,
    }
    hyperparameters = answer("dataflow-set", dataflow="mnist", set="itrain", execution=EXEC)
    assert [list(r.values()) for r in hyperparameters] == [[EXEC, "4", "adam", 0.002, 5, 32, 4]]
    adaptations = answer("dataflow-set", dataflow="mnist", set="oadaptation")
    assert [(r["NEW_LRATE"], r["EPOCH_ID"], r["ADAPTATION_ID"]) for r in adaptations] == [
        (0.001, 1, 1),
        (0.0005, 3, 2),
    ]
    files = answer("dataflow-set", dataflow="mnist", set="otestset")
    assert files.columns == ["execution", "task", "TestSetX", "TestSetY"]
    assert files[0]["TestSetY"].endswith("/data/y_test.npy") and files[0]["task"] == "3"
    assert answer("dataflow-set", dataflow="mnist", set="oTrain", execution="other") == []


def test_metric_average(answer) -> None:
    rows = answer("metric-average", run=RUN, measure="loss")
    assert rows.columns == ["metric", "average", "count", "minimum", "maximum"]
    ((row,),) = [rows]
    assert (row["metric"], row["count"], row["minimum"], row["maximum"]) == (
        "loss",
        5,
        0.1687,
        0.4821,
    )
    assert row["average"] == pytest.approx(0.26314, abs=1e-12)
    (test,) = answer("metric-average", run=RUN, measure="val_accuracy")
    assert test["count"] == 5 and test["maximum"] == 0.9468
    assert answer("metric-average", run=RUN, measure="test_loss") == []  # no epoch: not training


def test_dataflow_shortest_path(answer) -> None:
    (row,) = answer("dataflow-shortest-path", dataflow="mnist", source="otest", target="oLoadData")
    assert (row["execution"], row["length"]) == (EXEC, 4)
    assert row["path"] == "otest ← test ← otestset ← ofilter ← oloaddata"
    (back,) = answer("dataflow-shortest-path", dataflow="mnist", source="oloaddata", target="otest")
    assert back["path"] == "oloaddata → ofilter → otestset → test → otest"
    assert (
        answer(
            "dataflow-shortest-path",
            dataflow="mnist",
            source="otest",
            target="oloaddata",
            max_hops=3,
        )
        == []
    )


def test_dataflow_lineage(answer) -> None:
    rows = answer("dataflow-lineage", dataflow="mnist", source="otest", target="iinputdataset")
    assert [(r["length"], r["path"]) for r in rows] == [
        (6, "otest ← test ← otestset ← ofilter ← oloaddata ← loaddata ← iinputdataset"),
        (8, "otest ← test ← otrainedmodel ← train ← otrainset ← ofilter ← oloaddata ← loaddata"
            " ← iinputdataset"),
        (8, "otest ← test ← otrainedmodel ← train ← ovalset ← ofilter ← oloaddata ← loaddata"
            " ← iinputdataset"),
    ]  # fmt: skip
    assert rows.columns == ["execution", "length", "path"]
    assert all(r["execution"] == EXEC for r in rows)


def test_existing_questions_answer_the_dlprov_run(answer) -> None:
    curve = answer("training-curve", run=RUN, measure="loss")
    assert [(r["stage"], r["epoch"], r["value"]) for r in curve] == [
        ("train", epoch, loss) for epoch, loss in enumerate(LOSSES, 1)
    ]
    (best,) = answer("best-epoch", run=RUN, measure="val_loss")
    assert (best["epoch"], best["value"]) == (5, 0.1901)
    (ranked,) = answer("rank-trainings", measure="loss", goal="min", experiment="mnist")
    assert ranked["final"] == 0.1687
    assert ranked["hyperparameters"] == (
        "batch_size=32, learning_rate=0.002, num_epochs=5, num_layers=4, optimizer_name=adam"
    )
    rates = answer("hyperparameters-by-epoch", run=RUN)
    learning_rate = [r for r in rates if r["hyperparameter"] == "learning_rate"]
    assert [(r["epoch"], r["value"], r["since_epoch"]) for r in learning_rate] == [
        (1, 0.001, 1), (2, 0.001, 1), (3, 0.0005, 3), (4, 0.0005, 3), (5, 0.0005, 3),
    ]  # fmt: skip
    (test,) = answer("training-curve", run=RUN, measure="test_loss")
    lineage = answer("lineage", start=test["evaluation"])
    assert {
        r["target"].rsplit("/", 1)[-1] for r in lineage if r["relation"] == "wasGeneratedBy"
    } >= {f"{RUN}~1", f"{RUN}~6"}


def test_models_from_data_find_the_trained_model(answer) -> None:
    """The element of Train's oTrainedModel is the trained model: found from the raw input
    dataset and from the training set, named by its MODEL_NAME."""
    expected = [
        {
            "model": _element(4, "otrainedmodel"),
            "model_name": "trained_model",
            "name": "trained_model",
            "run": f"{BASE}run/{RUN}",
            "run_name": RUN_NAME,
            "training": _execution(4),
            "training_name": "train 4",
        }
    ]
    assert answer("models-from-data", data=f"{RUN}~1.iinputdataset") == expected
    assert answer("models-from-data", data=_dataset(3, "otrainset")) == expected
    assert answer("models-from-data", data=_dataset(3, "otestset")) == []  # held out for the test


def test_lineage_of_the_trained_model(answer) -> None:
    """Every edge upstream of the model: its training, the sets and settings the training used,
    the steps that prepared them back to the raw input, and the run's hardware."""
    model = _element(4, "otrainedmodel")
    prepared = "DataTransformationExecution"
    edges = [
        (model, "wasGeneratedBy", _execution(4), "Model", "TrainingExecution"),
        (_execution(4), "isPartOf", f"{BASE}run/{RUN}", "TrainingExecution", RUN_TYPE),
        *[
            (_execution(4), "used", _dataset(task, tag), "TrainingExecution", "Dataset")
            for task, tag in ((3, "otrainset"), (3, "ovalset"), (4, "itrain"))
        ],
        (_execution(4), "used", _element(4, "itrain"), "TrainingExecution", "DataElement"),
        *[
            (_execution(4), "used", f"{BASE}hyperparameter-value/{RUN}~4.{name}",
             "TrainingExecution", "LearningHyperparameterValue")
            for name in ("batch_size", "learning_rate", "num_epochs", "num_layers",
                         "optimizer_name")
        ],
        *[
            (_dataset(3, tag), relation, target, "Dataset", kind)
            for tag in ("otrainset", "ovalset")
            for relation, target, kind in (
                ("wasDerivedFrom", _dataset(2, "ofilter"), "Dataset"),
                ("wasGeneratedBy", _execution(3), prepared),
            )
        ],
        (_dataset(2, "ofilter"), "wasDerivedFrom", _dataset(1, "oloaddata"), "Dataset", "Dataset"),
        (_dataset(2, "ofilter"), "wasGeneratedBy", _execution(2), "Dataset", prepared),
        (_dataset(1, "oloaddata"), "wasGeneratedBy", _execution(1), "Dataset", prepared),
        *[
            (_execution(task), relation, target, prepared, kind)
            for task, read, entered in (
                (1, None, "iinputdataset"),
                (2, _dataset(1, "oloaddata"), "ifilter"),
                (3, _dataset(2, "ofilter"), "isplitconfig"),
            )
            for relation, target, kind in (
                ("isPartOf", f"{BASE}run/{RUN}", RUN_TYPE),
                ("used", _dataset(task, entered), "Dataset"),
                ("used", _element(task, entered), "DataElement"),
                *([("used", read, "Dataset")] if read else []),
            )
        ],
        *[
            (f"{BASE}run/{RUN}", "used", f"{BASE}attribute-value/{RUN}/in/hardware.{name}",
             RUN_TYPE, "AttributeValue")
            for name in ("architecture", "in_container", "os", "os_version")
        ],
    ]  # fmt: skip
    # every node named: a task by its transformation and id, a set by its tag, an element by its
    # set and first value (the model by its MODEL_NAME), a setting as name = value
    names = {
        f"{BASE}run/{RUN}": RUN_NAME,
        **{_execution(k): f"{t} {k}" for k, t in enumerate(TRANSFORMATIONS, start=1)},
        **{
            _dataset(k, tag): tag
            for k, tag in (
                *((1, "iinputdataset"), (1, "oloaddata"), (2, "ifilter"), (2, "ofilter")),
                *((3, "isplitconfig"), (3, "otrainset"), (3, "ovalset"), (4, "itrain")),
            )
        },
        _element(1, "iinputdataset"): "iinputdataset: MNIST",
        _element(2, "ifilter"): "ifilter: Normalize",
        _element(3, "isplitconfig"): "isplitconfig: 48000",
        _element(4, "itrain"): "itrain: adam",
        model: "trained_model",
        **{
            f"{BASE}hyperparameter-value/{RUN}~4.{name}": f"{name} = {value}"
            for name, value in (
                *(("batch_size", 32), ("learning_rate", 0.002), ("num_epochs", 5)),
                *(("num_layers", 4), ("optimizer_name", "adam")),
            )
        },
        **{
            f"{BASE}attribute-value/{RUN}/in/hardware.{name}": f"hardware.{name} = {value}"
            for name, value in (
                *(("architecture", "x86_64"), ("in_container", True), ("os", "Linux")),
                ("os_version", "#1 SMP PREEMPT_DYNAMIC @0"),
            )
        },
    }
    assert answer("lineage", start=model) == [
        {
            "source": s,
            "source_name": names[s],
            "relation": r,
            "target": t,
            "target_name": names[t],
            "source_type": st,
            "target_type": tt,
        }
        for s, r, t, st, tt in sorted(edges)
    ]


def _execution(task: int) -> str:
    return f"{BASE}execution/{RUN}~{task}"


def _dataset(task: int, tag: str) -> str:
    return f"{BASE}entity/{RUN}~{task}.{tag}"


def _element(task: int, tag: str) -> str:
    """The element task ``task`` sent for set ``tag`` in the reference (the one there is): its id
    is a digest of its values, within the task and the set."""
    (values,) = [
        element
        for request in reference()
        if str(request["body"].get("id")) == str(task)
        for s in request["body"].get("sets", [])
        if s["tag"] == tag
        for element in s["elements"]
    ][:1]
    return f"{_dataset(task, tag)}.{digest(chr(0).join(values), 16)}"


def test_questions_answer_while_the_training_runs() -> None:
    """Online: the run as it stands after epoch 2, the training not ended (its task untyped)."""
    with open_store("memory:") as store:
        replay(Ingestor(store), reference()[:14])
        rows = ask("dataflow-set", store=store, dataflow="mnist", set="otrain")
        assert [r["LOSS"] for r in rows] == LOSSES[:2]
        (average,) = ask("metric-average", store=store, run=RUN, measure="loss")
        assert (average["count"], average["maximum"]) == (2, 0.4821)
        status = {r["metric"]: r for r in ask("training-status", store=store, run=RUN)}
        assert (status["loss"]["status"], status["loss"]["last_epoch"]) == ("running", 2)
        assert status["loss"]["value"] == 0.2714
        (path,) = ask(
            "dataflow-shortest-path",
            store=store,
            dataflow="mnist",
            source="otrain",
            target="oloaddata",
        )
        assert path["path"] == "otrain ← train ← otrainset ← ofilter ← oloaddata"
