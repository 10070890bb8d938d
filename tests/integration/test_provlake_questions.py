"""Every question of the catalogue answers a legacy ProvLake capture: the offline logs of a real
provlake==0.2.982 script (tests/integration/legacy_training.py, two runs: lr 0.1 and 0.05),
replayed into a real manager, and each answer checked value by value against what the script did.

The numeric outputs of its tasks and cycle iterations are model evaluations (epoch = the iteration),
the inputs of its iterations hyperparameter values set per epoch. A ProvLake workflow records no
training stage and no model, so the questions about trainings' data and about models answer no rows
(not an error); the lineage questions follow its tasks, data and knowledge-graph references.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from queryengine import catalogue

from .batches import BASE
from .conftest import Manager, OfflineLog, clean_env, run_manager
from .legacy_training import (
    ACCURACY,
    BATCHES,
    EPOCHS,
    LOSS,
    SOURCE,
    TRAIN,
    batch_loss,
    grad_norm,
    momentum,
)

pytestmark = pytest.mark.integration

ROUTE = "/provenance/api/retrospective-provenance"
PREFIXES = """
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX provml: <https://w3id.org/provml#>
"""


def _plain(value: Any) -> Any:
    """Rows compared with NaN equal to itself and times as instants."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, str) and len(value) > 19 and value[4] == "-" and value.endswith("Z"):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _instant(seconds: float) -> datetime:
    """A Unix time as the store keeps it (microseconds)."""
    return datetime.fromtimestamp(seconds, UTC)


class Capture:
    """What the script's log says: runs, tasks, iterations, and the IRIs the manager mints."""

    def __init__(self, log: OfflineLog, client: httpx.Client) -> None:
        self.log, self.run = log, log.run
        self.iri = f"{BASE}run/{self.run}"
        messages = log.messages
        self.workflow = [m["prov_obj"] for m in messages if m["act_type"] == "workflow"]
        ends = [m["prov_obj"] for m in messages if m["prov_obj"].get("type") == "Output"]
        self.tasks = [  # (name, id, start, end, inputs of its Generate message)
            (o["dt"], repr(o["task"]["id"]), o["task"]["startTime"], o["task"]["endTime"])
            for o in ends
            if "task" in o
        ]
        inputs = {
            repr(m["prov_obj"]["task"]["id"]): m["prov_obj"].get("values", {})
            for m in messages
            if m["prov_obj"].get("type") == "Generate"
        }
        self.batches = {  # (epoch, batch) -> task id
            (inputs[i]["epoch"], inputs[i]["batch"]): i
            for n, i, _, _ in self.tasks
            if n == "train_batch"
        }
        self.iterations = {  # index -> (start, end)
            o["cycle"]["iteration_id"]: (o["cycle"]["startTime"], o["cycle"]["endTime"])
            for o in ends
            if "cycle" in o
        }
        self.load = next(i for n, i, _, _ in self.tasks if n == "load_data")
        graph = f"<{BASE}graph/run/{self.run}>"
        self.train = self._one(
            client, f"GRAPH {graph} {{ ?e a provml:DataReference ; provml:location '{TRAIN}' }}"
        )
        self.source = self._one(client, f"GRAPH {graph} {{ ?e provml:refersTo <{SOURCE}> }}")

    @staticmethod
    def _one(client: httpx.Client, pattern: str) -> str:
        answer = client.get("/sparql", params={"query": f"{PREFIXES} SELECT ?e {{ {pattern} }}"})
        (row,) = answer.json()["results"]["bindings"]
        return row["e"]["value"]

    def section(self, epoch: int) -> str:
        return f"{BASE}execution/{self.run}.epochs.{epoch}"

    @staticmethod
    def execution(id_: str) -> str:
        return f"{BASE}execution/{id_}"

    @staticmethod
    def evaluation(owner: str, measure: str) -> str:
        return f"{BASE}evaluation/{owner}.metric.{measure}"

    def hyperparameters(self) -> str:
        return f"lr={self.log.lr}, momentum=0.9, momentum=0.95"

    def names(self) -> dict[str, str]:
        """The name every answer gives each node of the capture: a run by its workflow and start,
        a task by its name, an iteration by its cycle and index, a value as name = value (and the
        epoch it was set or measured in), a data reference by the argument that carried it; the
        domain entity, which the store does not describe, by the end of its IRI."""
        lr, start = self.log.lr, self.workflow[0]["startTime"]
        names = {
            self.iri: f"legacy-digits {_instant(start):%Y-%m-%d %H:%M:%S}",
            self.train: "train",
            self.source: "source",
            SOURCE: SOURCE.rsplit("/", 1)[-1],
            self.evaluation(self.load, "rows"): "rows = 1797",
            f"{BASE}attribute-value/{self.load}/out/rows": "rows = 1797",
        }
        names |= {self.execution(i): name for name, i, _, _ in self.tasks}
        for e in range(EPOCHS):
            section = f"{self.run}.epochs.{e}"
            names[self.section(e)] = f"epochs {e}"
            for measure, value in (("loss", LOSS[lr][e]), ("accuracy", ACCURACY[lr][e])):
                names[self.evaluation(section, measure)] = f"{measure} = {value:.4g} (epoch {e})"
            for setting, value in (("lr", lr), ("momentum", momentum(e))):
                hp = f"{BASE}hyperparameter-value/{section}.hp.{setting}"
                names[hp] = f"{setting} = {value:.4g} (epoch {e})"
        for (e, batch), i in self.batches.items():
            for measure, f in (("batch_loss", batch_loss), ("grad_norm", grad_norm)):
                names[self.evaluation(i, measure)] = (
                    f"{measure} = {f(lr, e, batch):.4g} (epoch {e})"
                )
            for attribute, value in (("batch", batch), ("epoch", e)):
                names[f"{BASE}attribute-value/{i}/in/{attribute}"] = f"{attribute} = {value}"
        return names


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory, oxigraph_server: str) -> Iterator[Manager]:
    """A manager that may reach the remote endpoint of ``models-by-domain-property-remote``."""
    folder = tmp_path_factory.mktemp("manager")
    allowed = oxigraph_server + "/query"
    with run_manager(
        f"oxigraph:{folder / 'store'}", folder, PROVML_ALLOWED_ENDPOINTS=allowed
    ) as running:
        yield running


@pytest.fixture(scope="module")
def captures(manager: Manager, offline_logs: dict[float, OfflineLog]) -> dict[float, Capture]:
    with manager.client() as client:
        for log in offline_logs.values():
            for line in log.lines:
                answer = client.post(
                    ROUTE, content=line.encode(), headers={"Content-Type": "application/json"}
                )
                assert answer.status_code == 200, answer.text
        return {lr: Capture(log, client) for lr, log in offline_logs.items()}


def _xsd(value: float) -> str:
    """A number as the store writes it back with ``STR()`` (canonical: ``4``, ``NaN``)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return str(int(value)) if float(value).is_integer() else repr(value)


def _runs_row(c: Capture) -> dict:
    """The ``runs`` row of a legacy capture: the final value of each measure is that of its last
    epoch (the greatest text when several values share it, as the question documents)."""
    lr, last = c.log.lr, EPOCHS - 1
    start = c.workflow[0]["startTime"]
    end = next(w["endTime"] for w in c.workflow if "endTime" in w)
    finals = {
        "accuracy": [ACCURACY[lr][last]],
        "batch_loss": [batch_loss(lr, last, batch) for batch in range(BATCHES)],
        "grad_norm": [grad_norm(lr, last, batch) for batch in range(BATCHES)],
        "loss": [LOSS[lr][last]],
        "rows": [1797],
        "test_accuracy": [ACCURACY[lr][-1] - 0.01],
    }
    return {
        "run": c.iri,
        "name": "legacy-digits",
        "study": None,
        "status": "finished",
        "started": _instant(start),
        "duration_seconds": (_micros(end) - _micros(start)) / 1e6,
        "hyperparameters": c.hyperparameters(),
        "metrics": ", ".join(
            f"{name}={max(_xsd(v) for v in values)}" for name, values in sorted(finals.items())
        ),
    }


def expected_answers(
    captures: dict[float, Capture], endpoint: str
) -> dict[str, list[tuple[dict, list[dict]]]]:
    """For each question: (parameters, the rows it must answer), from what the script did."""
    a, b = captures[0.1], captures[0.05]
    first_task = a.batches[(0, 0)]
    evaluation = a.evaluation(first_task, "batch_loss")
    times = [
        {
            "stage": "epochs",
            "epoch": e,
            "started": _instant(start),
            "ended": _instant(end),
            "seconds": (_micros(end) - _micros(start)) / 1e6,
            "status": "finished",
        }
        for e, (start, end) in sorted(a.iterations.items())
    ]
    epoch_of = {i: e for (e, _), i in a.batches.items()}
    times += sorted(
        (
            {
                "stage": name,
                "epoch": epoch_of.get(id_),
                "started": _instant(start),
                "ended": _instant(end),
                "seconds": (_micros(end) - _micros(start)) / 1e6,
                "status": "finished",
            }
            for name, id_, start, end in a.tasks
        ),
        key=lambda row: (row["stage"], -1 if row["epoch"] is None else row["epoch"]),
    )
    start = a.workflow[0]["startTime"]
    end = next(w["endTime"] for w in a.workflow if "endTime" in w)
    status = {
        "status": "finished",
        "started": _instant(start),
        "ended": _instant(end),
        "elapsed_seconds": (_micros(end) - _micros(start)) / 1e6,
        "last_epoch": EPOCHS - 1,
        "planned_epochs": None,
    }
    last = EPOCHS - 1
    task_last = {
        m: sorted((f(0.1, last, batch) for batch in range(BATCHES)), key=str)[-1]
        for m, f in (("batch_loss", batch_loss), ("grad_norm", grad_norm))
    }  # several values share the last epoch: the question keeps the greatest value's text
    return {
        "training-curve": [
            (
                {"run": a.run, "measure": "loss"},
                [
                    {
                        "stage": "epochs",
                        "epoch": e,
                        "step": None,
                        "metric": "loss",
                        "value": LOSS[0.1][e],
                        "evaluation": a.evaluation(f"{a.run}.epochs.{e}", "loss"),
                    }
                    for e in range(EPOCHS)
                ],
            ),
            (
                {"run": a.run, "measure": "grad_norm"},
                [
                    {
                        "stage": "epochs",
                        "epoch": e,
                        "step": None,
                        "metric": "grad_norm",
                        "value": grad_norm(0.1, e, batch),
                        "evaluation": a.evaluation(a.batches[(e, batch)], "grad_norm"),
                    }
                    for e in range(EPOCHS)
                    for batch in range(BATCHES)
                ],
            ),
        ],
        "best-epoch": [
            (
                {"run": a.run, "measure": "loss"},
                [{"stage": "epochs", "epoch": 2, "metric": "loss", "value": 0.45}],
            ),
            (  # the NaN of the last epoch is not the best
                {"run": a.run, "measure": "grad_norm", "goal": "max"},
                [{"stage": "epochs", "epoch": 3, "metric": "grad_norm", "value": 4.0}],
            ),
            (
                {"run": b.run, "measure": "accuracy", "goal": "max"},
                [{"stage": "epochs", "epoch": 3, "metric": "accuracy", "value": 0.82}],
            ),
        ],
        "hyperparameters-by-epoch": [
            (
                {"run": a.run},
                [
                    {
                        "epoch": e,
                        "hyperparameter": name,
                        "value": value,
                        "adapted": False,
                        "since_epoch": None,
                    }
                    for e in range(EPOCHS)
                    for name, value in (("lr", 0.1), ("momentum", momentum(e)))
                ],
            )
        ],
        "execution-times": [({"run": a.run}, times)],
        "runs": [({}, sorted((_runs_row(c) for c in (a, b)), key=lambda r: r["started"])[::-1])],
        "training-status": [
            (
                {"run": a.run},
                [
                    {**status, "metric": "accuracy", "value": ACCURACY[0.1][last]},
                    {**status, "metric": "batch_loss", "value": task_last["batch_loss"]},
                    {**status, "metric": "grad_norm", "value": task_last["grad_norm"]},
                    {**status, "metric": "loss", "value": LOSS[0.1][last]},
                ],
            )
        ],
        "rank-trainings": [
            (
                {"measure": "accuracy"},
                [
                    {
                        "run": b.iri,
                        "experiment_name": "legacy-digits",
                        "value": 0.82,
                        "final": 0.82,
                        "best": 0.82,
                        "hyperparameters": b.hyperparameters(),
                        "invalidated": False,
                    },
                    {
                        "run": a.iri,
                        "experiment_name": "legacy-digits",
                        "value": 0.78,
                        "final": 0.78,
                        "best": 0.8,
                        "hyperparameters": a.hyperparameters(),
                        "invalidated": False,
                    },
                ],
            ),
            (  # a run whose final value is NaN comes last; its best leaves the NaN out
                {"measure": "grad_norm", "experiment": "legacy-digits"},
                [
                    {
                        "run": b.iri,
                        "experiment_name": "legacy-digits",
                        "value": 4.0,
                        "final": 4.0,
                        "best": 4.0,
                        "hyperparameters": b.hyperparameters(),
                        "invalidated": False,
                    },
                    {
                        "run": a.iri,
                        "experiment_name": "legacy-digits",
                        "value": math.nan,
                        "final": math.nan,
                        "best": 4.0,
                        "hyperparameters": a.hyperparameters(),
                        "invalidated": False,
                    },
                ],
            ),
            (  # the evaluate task's output: measured after every epoch
                {"measure": "test_accuracy", "goal": "max"},
                [
                    {
                        "run": c.iri,
                        "experiment_name": "legacy-digits",
                        "value": ACCURACY[c.log.lr][-1] - 0.01,
                        "final": ACCURACY[c.log.lr][-1] - 0.01,
                        "best": ACCURACY[c.log.lr][-1] - 0.01,
                        "hyperparameters": c.hyperparameters(),
                        "invalidated": False,
                    }
                    for c in (b, a)
                ],
            ),
        ],
        "compare-trainings": [
            (
                {"hyperparameter": "lr", "measure": "loss"},
                [
                    {
                        "run_a": first.iri,
                        "setting_a": first.log.lr,
                        "final_a": LOSS[first.log.lr][-1],
                        "run_b": second.iri,
                        "setting_b": second.log.lr,
                        "final_b": LOSS[second.log.lr][-1],
                    }
                    for first, second in [sorted((a, b), key=lambda c: c.iri)]
                ],
            )
        ],
        "metric-by-hyperparameter": [
            (
                {"hyperparameter": "lr", "measure": "loss"},
                [
                    {"setting": lr, "runs": 1, "mean": final, "minimum": final, "maximum": final}
                    for lr, final in sorted((lr, LOSS[lr][-1]) for lr in (0.05, 0.1))
                ],
            )
        ],
        # No training stage in a ProvLake workflow: nothing fed "the trainings" of the run.
        "training-data": [({"run": a.run}, [])],
        "trainings-using-data": [({"data": a.train}, [])],
        "domain-entities-of-run": [({"run": a.run}, [])],
        # No model either.
        "models-from-data": [({"data": a.source}, [])],
        # a ProvLake workflow registers no versions and generates no model: no version graph
        "version-graph": [({"kind": "model", "name": "legacy-digits"}, [])],
        "version-history": [({"kind": "model", "name": "legacy-digits"}, [])],
        "version-explain": [({"from": a.source, "to": b.source}, [])],
        # a ProvLake workflow writes no Braid-DB records: the Braid questions answer no rows
        "braid-records": [({}, [])],
        "braid-record": [({"record": "1"}, [])],
        "braid-records-by-tag": [({"key": "lr", "value": "0.1", "numeric": True}, [])],
        "braid-tags": [({"record": "1"}, [])],
        "braid-uris": [({"record": "1"}, [])],
        "braid-derivations": [({"record": "1"}, [])],
        "braid-predecessors": [({"record": "1"}, [])],
        "braid-cascade": [({"record": "1"}, [])],
        "braid-invalidation": [({"invalidation": "1"}, [])],
        "braid-actions": [({}, [])],
        "braid-action-runs": [({}, [])],
        "invalidated": [({}, [])],
        "model-history": [({"model": "1"}, [])],
        "models-by-domain-property": [
            ({"property": f"{SOURCE}#size", "below": 10.0, "measure": "loss"}, [])
        ],
        "models-by-domain-property-remote": [
            (
                {
                    "endpoint": endpoint,
                    "property": f"{SOURCE}#size",
                    "below": 10.0,
                    "measure": "loss",
                },
                [],
            )
        ],
        "lineage": [({"start": evaluation}, _lineage(a, first_task, evaluation))],
        # the average over the epochs (a sum of these four values is the same in any order)
        "metric-average": [
            (
                {"run": a.run, "measure": "accuracy"},
                [
                    {
                        "metric": "accuracy",
                        "average": sum(ACCURACY[0.1]) / EPOCHS,
                        "count": EPOCHS,
                        "minimum": min(ACCURACY[0.1]),
                        "maximum": max(ACCURACY[0.1]),
                    }
                ],
            )
        ],
        # a ProvLake workflow declares no dataflow sets: DLProv's set questions find none
        "dataflow-set": [({"dataflow": "legacy-digits", "set": "epochs"}, [])],
        "dataflow-shortest-path": [
            ({"dataflow": "legacy-digits", "source": "epochs", "target": "load_data"}, [])
        ],
        "dataflow-lineage": [
            ({"dataflow": "legacy-digits", "source": "epochs", "target": "load_data"}, [])
        ],
        # a ProvLake workflow runs no provlake.data pipeline: no operations, samples or schemas
        "pipeline-dag": [({"run": a.run}, [])],
        "pipeline-samples": [({"stream": a.source}, [])],
        "pipeline-schema-changes": [({}, []), ({"run": a.run}, [])],
        "shortest-path": [
            (
                {"source": evaluation, "target": a.source},
                [
                    {"hop": hop, "node": node, "length": 4}
                    for hop, node in enumerate(
                        [
                            evaluation,
                            a.execution(first_task),
                            a.train,
                            a.execution(a.load),
                            a.source,
                        ]
                    )
                ],
            )
        ],
        "upstream": [
            (
                {"start": evaluation, "hops": 2},
                [{"node": a.execution(first_task), "distance": 1}]
                + [
                    {"node": node, "distance": 2}
                    for node in sorted(
                        [
                            f"{BASE}attribute-value/{first_task}/in/batch",
                            f"{BASE}attribute-value/{first_task}/in/epoch",
                            a.section(0),
                            a.train,
                        ]
                    )
                ],
            )
        ],
        "downstream": [
            (
                {"start": a.source, "hops": 3},
                [{"node": a.execution(a.load), "distance": 1}]
                + [
                    {"node": node, "distance": 2}
                    for node in sorted(
                        [
                            f"{BASE}attribute-value/{a.load}/out/rows",
                            a.evaluation(a.load, "rows"),
                            a.train,
                        ]
                    )
                ]
                + [
                    {"node": node, "distance": 3}
                    for node in sorted(a.execution(i) for i in a.batches.values())
                ],
            )
        ],
    }


def _micros(seconds: float) -> int:
    return (_instant(seconds) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _named(rows: list[dict], names: dict[str, str]) -> list[dict]:
    """The rows with ``COLUMN_name`` after each column of IRIs, as every answer has them."""
    named = []
    for row in rows:
        out = {}
        for column, value in row.items():
            out[column] = value
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                out[f"{column}_name"] = names[value]
        named.append(out)
    return named


def _key(row: dict) -> str:
    return json.dumps(_plain(row), default=str, sort_keys=True)


def _lineage(a: Capture, task: str, evaluation: str) -> list[dict]:
    """Every lineage edge upstream of a train_batch task's loss: the task, its iteration and its
    settings, its inputs, the data the load task generated from the knowledge-graph reference."""
    types = {
        evaluation: "ModelEvaluation",
        a.execution(task): "DataTransformationExecution",
        a.execution(a.load): "DataTransformationExecution",
        a.section(0): "LearningStageSectionExecution",
        a.iri: "WorkflowExecution",
        a.train: "DataReference",
        a.source: "KnowledgeGraphReference",
        SOURCE: None,
    }
    value = f"{BASE}attribute-value/{task}/in/"
    hp = f"{BASE}hyperparameter-value/{a.run}.epochs.0.hp."
    types |= {value + "batch": "AttributeValue", value + "epoch": "AttributeValue"}
    types |= {
        hp + "lr": "LearningHyperparameterValue",
        hp + "momentum": "LearningHyperparameterValue",
    }
    edges = [
        (evaluation, "wasGeneratedBy", a.execution(task)),
        (a.execution(task), "isPartOf", a.section(0)),
        (a.execution(task), "used", value + "batch"),
        (a.execution(task), "used", value + "epoch"),
        (a.execution(task), "used", a.train),
        (a.section(0), "isPartOf", a.iri),
        (a.section(0), "used", hp + "lr"),
        (a.section(0), "used", hp + "momentum"),
        (a.train, "wasGeneratedBy", a.execution(a.load)),
        (a.execution(a.load), "isPartOf", a.iri),
        (a.execution(a.load), "used", a.source),
        (a.source, "refersTo", SOURCE),
    ]
    return [
        {
            "source": source,
            "relation": relation,
            "target": target,
            "source_type": types[source],
            "target_type": types[target],
        }
        for source, relation, target in sorted(edges)
    ]


@pytest.fixture(scope="module")
def expected(captures: dict[float, Capture], oxigraph_server: str) -> dict:
    return expected_answers(captures, oxigraph_server + "/query")


@pytest.mark.parametrize("question", sorted(catalogue()))
def test_every_question_answers_the_legacy_capture(
    question: str, expected: dict, manager: Manager, captures: dict[float, Capture]
) -> None:
    cases = expected[question]  # a KeyError: a question of the catalogue left untested
    names = {k: v for c in captures.values() for k, v in c.names().items()}
    with manager.client() as client:
        for params, rows in cases:
            rows = _named(rows, names)
            answer = client.get(f"/api/v1/questions/{question}", params=params)
            assert answer.status_code == 200, answer.text
            got = json.loads(answer.text)["rows"]
            if question in ("execution-times", "training-curve"):  # ties in ORDER BY
                got = sorted(got, key=lambda r: json.dumps(_plain(r), default=str, sort_keys=True))
                rows = sorted(
                    rows, key=lambda r: json.dumps(_plain(r), default=str, sort_keys=True)
                )
            assert _plain(got) == _plain(rows), params


def test_the_projects_legacy_api_gives_the_same_answers(
    manager: Manager, captures: dict[float, Capture], tmp_path: Path
) -> None:
    """The same unmodified script under this project's ``provlake`` (its legacy API sends native
    records, not the 0.2.982 wire): the questions answer it as they answer the real library's."""
    script = Path(__file__).with_name("legacy_training.py")
    with run_manager("memory:", tmp_path) as other:
        done = subprocess.run(
            [sys.executable, str(script), str(tmp_path / "unused.log"), "0.1"],
            cwd=tmp_path,
            env=clean_env(PROVML_MANAGER=other.url, PROVML_SPOOL_DIR=str(tmp_path / "spool")),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        with other.client() as client:
            (run,) = [
                row["run"]["value"]
                for row in client.get(
                    "/sparql",
                    params={
                        "query": f"{PREFIXES} SELECT ?run {{ ?run a provml:WorkflowExecution }}"
                    },
                ).json()["results"]["bindings"]
            ]
            ours = _answers(client, run)
    with manager.client() as client:
        theirs = _answers(client, captures[0.1].iri)
    assert ours == theirs
    assert len(theirs["training-curve"]) == EPOCHS * BATCHES and theirs["best-epoch"]


def _answers(client: httpx.Client, run: str) -> dict[str, list]:
    """Answers about one run, without what differs between two captures (ids, times)."""

    def ask(question: str, **params: Any) -> list[dict]:
        answer = client.get(f"/api/v1/questions/{question}", params={"run": run, **params})
        assert answer.status_code == 200, answer.text
        return json.loads(answer.text)["rows"]

    curve = ask("training-curve", measure="batch_loss")
    return {
        "training-curve": sorted((r["stage"], r["epoch"], r["metric"], r["value"]) for r in curve),
        "best-epoch": [
            (r["stage"], r["epoch"], r["value"]) for r in ask("best-epoch", measure="loss")
        ],
        "hyperparameters-by-epoch": ask("hyperparameters-by-epoch"),
        "execution-times": sorted(
            (r["stage"], -1 if r["epoch"] is None else r["epoch"], r["status"])
            for r in ask("execution-times")
        ),
    }
