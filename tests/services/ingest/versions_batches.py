"""Capture records of version graphs for the tests: registered versions and trainings (jobs)."""

from __future__ import annotations

from collections.abc import Iterable

T0 = 1_767_258_000.0  # 2026-01-01T09:00:00Z


def batch(*records: dict) -> dict:
    return {"schema": "provml/capture/1", "records": list(records)}


def vid(kind: str, name: str, version: str) -> str:
    """The id the client gives a registered version (``provlake.versions.version_id``)."""
    return f"{kind}.{name}.{version}"


def version(
    kind: str, name: str, v: str, revises: Iterable[tuple[str, float]] = (), *, run: str = "reg"
) -> dict:
    return {
        "type": "version",
        "id": vid(kind, name, v),
        "run": run,
        "time": T0,
        "kind": kind,
        "name": name,
        "version": v,
        "revises": [{"id": vid(kind, name, p), "weight": w} for p, w in revises],
        "measure": "declared",
    }


# Three versions of a dataset and two of an algorithm, each revising the one before
# with a declared weight.
DATA = [
    version("dataset", "digits", "v1"),
    version("dataset", "digits", "v2", [("v1", 0.1)]),
    version("dataset", "digits", "v3", [("v2", 0.2)]),
]
CODE = [version("algorithm", "code", "v1"), version("algorithm", "code", "v2", [("v1", 0.05)])]
D = {v: vid("dataset", "digits", v) for v in ("v1", "v2", "v3")}
A = {v: vid("algorithm", "code", v) for v in ("v1", "v2")}


def registry(*versions: dict) -> dict:
    """A batch registering versions (in a run of their own)."""
    start = {"type": "run.start", "id": "reg", "run": "reg", "time": T0, "name": "registry"}
    return batch(start, *versions)


def training(
    run: str, start: float, inputs: Iterable[str], model: str, *, name: str = "mlp", accuracy=None
) -> list[dict]:
    """One job: a run whose training used ``inputs`` (version ids) and generated model ``model``."""
    stage = f"{run}-train"
    records = [
        {"type": "run.start", "id": run, "run": run, "time": start, "name": "omprov"},
        {
            "type": "stage.start",
            "id": stage,
            "run": run,
            "time": start,
            "name": "train",
            "kind": "training",
            "used": list(inputs),
        },
        {
            "type": "entity",
            "id": model,
            "run": run,
            "time": start + 1,
            "kind": "model",
            "name": name,
            "generated_by": stage,
        },
    ]
    if accuracy is not None:
        records.append(
            {
                "type": "metric",
                "id": f"{run}-accuracy",
                "run": run,
                "time": start + 1,
                "execution": stage,
                "name": "accuracy",
                "value": accuracy,
            }
        )
    records += [
        {"type": "stage.end", "id": stage, "run": run, "time": start + 2, "status": "finished"},
        {"type": "run.end", "id": run, "run": run, "time": start + 3, "status": "finished"},
    ]
    return records
