"""Native capture batches (docs/capture-format.md) for the HTTP tests, and bad inputs."""

from __future__ import annotations

import uuid
from typing import Any

T0 = 1795341827.25
BASE = "http://provml.localhost/id/"


def new_id() -> str:
    return uuid.uuid4().hex


def record(type_: str, id_: str, run: str, time: float = T0, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "run": run, "time": time, **fields}


def batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": "provml/capture/1",
        "client": {"name": "provlake", "version": "0.1.0"},
        "records": list(records),
    }


def training_run(run: str, *, epochs: int = 2, name: str = "digits-mlp") -> dict[str, Any]:
    """A run: a training stage of ``epochs`` epochs, a val loss per epoch, a learning rate."""
    stage = f"{run}-train"
    records = [
        record("run.start", run, run, name=name, study="digits", user="alice"),
        record("entity", f"{run}-data", run, kind="dataset", name="train split"),
        record(
            "stage.start",
            stage,
            run,
            T0 + 1,
            name="training",
            kind="training",
            used=[f"{run}-data"],
            planned_epochs=epochs,
        ),
        record("hyperparameter", f"{run}-lr", run, T0 + 1, execution=stage, name="lr", value=0.1),
    ]
    for epoch in range(epochs):
        section = f"{run}-ep{epoch}"
        t = T0 + 2 + epoch
        records += [
            record("section.start", section, run, t, stage=stage, name="epoch", index=epoch),
            record(
                "metric",
                f"{section}-loss",
                run,
                t + 0.5,
                execution=section,
                name="val loss",
                value=1.0 / (epoch + 2),
                epoch=epoch,
            ),
            record("section.end", section, run, t + 0.9, status="finished"),
        ]
    records += [
        record("stage.end", stage, run, T0 + 2 + epochs, status="finished"),
        record("run.end", run, run, T0 + 3 + epochs, status="finished"),
    ]
    return batch(*records)


def losses_query(run: str) -> str:
    """SELECT the val loss values of a run's epochs, by epoch."""
    return f"""
        PREFIX mls: <http://www.w3.org/ns/mls#>
        PREFIX provml: <https://w3id.org/provml#>
        SELECT ?epoch ?value WHERE {{
          GRAPH <{BASE}graph/run/{run}> {{ ?m mls:hasValue ?value ; provml:epoch ?epoch }}
        }} ORDER BY ?epoch"""


def _json(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()


def _one(**fields: Any) -> bytes:
    return _json(batch(record(**fields)))


# (label, body, Content-Type, status, error code, field named in the answer): every class of bad
# input the manager must refuse with a 4xx naming the field, writing nothing.
BAD_INPUTS: list[tuple[str, bytes, str, int, str, str]] = [
    (
        "malformed JSON",
        b'{"schema": "provml/capture/1", "records": [',
        "application/json",
        400,
        "invalid_batch",
        "body",
    ),
    (
        "not JSON at all",
        b"schema=provml",
        "text/plain",
        415,
        "unsupported_media_type",
        "Content-Type",
    ),
    (
        "wrong field type",
        _one(type_="run.start", id_="r", run="r", time="yesterday", name="x"),
        "application/json",
        400,
        "invalid_batch",
        "records[0].time",
    ),
    (
        "unknown record type",
        _one(type_="run.begin", id_="r", run="r", name="x"),
        "application/json",
        400,
        "invalid_batch",
        "records[0].type",
    ),
    (
        "unknown vocabulary term",
        _one(type_="stage.start", id_="s", run="r", name="x", kind="cook"),
        "application/json",
        400,
        "invalid_batch",
        "records[0].kind",
    ),
    (
        "unknown field",
        _one(type_="run.start", id_="r", run="r", name="x", colour="red"),
        "application/json",
        400,
        "invalid_batch",
        "records[0].colour",
    ),
    (
        "invalid id for an IRI",
        _one(type_="run.start", id_="a b>", run="a b>", name="x"),
        "application/json",
        400,
        "invalid_batch",
        "records[0].id",
    ),
    (
        "invalid IRI",
        _one(type_="entity", id_="k", run="r", kind="kg_reference", refers_to="not an iri"),
        "application/json",
        400,
        "invalid_batch",
        "records[0].refers_to",
    ),
    ("no records", _json(batch()), "application/json", 400, "invalid_batch", "records"),
    (
        "wrong schema",
        _json({"schema": "provml/capture/9", "records": []}),
        "application/json",
        400,
        "invalid_batch",
        "schema",
    ),
]
