"""Sample inputs of the ingest tests: native batches with every record type, the ProvLake wire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WIRE = Path(__file__).parent / "data" / "provlake-0.2.982-wire.jsonl"
# A Unix time whose dateTime is exact to the microsecond: 2026-11-22T10:03:47.250000Z
T0 = 1795341827.25
RUN = "6f1c0a"


def record(type_: str, id_: str, time: float = T0, run: str = RUN, **fields: Any) -> dict:
    return {"type": type_, "id": id_, "run": run, "time": time, **fields}


def batch(*records: dict) -> dict:
    return {
        "schema": "provml/capture/1",
        "client": {"name": "provlake", "version": "0.1.0"},
        "records": list(records),
    }


def full_batch() -> dict:
    """One run with every record type: a training, an epoch, metrics, hyperparameters, entities."""
    return batch(
        record(
            "run.start",
            RUN,
            name="digits-mlp",
            study="digits",
            user="alice",
            software={"name": "train.py", "version": "1.2"},
            environment={
                "hostname": "node1",
                "os": "Linux 6.1",
                "python": "3.11.9",
                "processor": "x86_64",
                "accelerators": ["gpu0"],
                "packages": {"numpy": "2.0.1"},
                "git_commit": "abc123",
            },
            attributes={"seed": 42},
        ),
        record(
            "entity",
            "ds-train",
            kind="dataset",
            name="train split",
            location="/data/train.csv",
            digest="sha256:00ff",
            record_count=1000,
        ),
        record("entity", "kg-1", kind="kg_reference", refers_to="http://example.org/sample/1"),
        record(
            "stage.start",
            "tr1",
            time=T0 + 1,
            name="training",
            kind="training",
            used=["ds-train"],
            planned_epochs=2,
            attributes={"optimizer": "sgd"},
        ),
        record("hyperparameter", "hp-lr", execution="tr1", name="learning rate", value=0.1),
        record("section.start", "ep0", time=T0 + 2, stage="tr1", name="epoch", index=0),
        record(
            "metric",
            "m1",
            time=T0 + 3,
            execution="ep0",
            name="val loss",
            value=0.25,
            epoch=0,
            step=10,
            model="model-1",
            data="ds-train",
        ),
        record("section.end", "ep0", time=T0 + 4, status="finished", attributes={"batches": 8}),
        record(
            "hyperparameter",
            "hp-lr2",
            time=T0 + 4,
            execution="tr1",
            name="learning rate",
            value=0.05,
            epoch=1,
            previous="hp-lr",
        ),
        record(
            "entity",
            "model-1",
            time=T0 + 5,
            kind="model",
            name="mlp",
            generated_by="tr1",
            version="1",
            derived_from=["ds-train"],
            attributes={"layers": 3},
        ),
        record("used", "model-1", time=T0 + 6, execution=RUN, entity="model-1"),
        record("stage.end", "tr1", time=T0 + 7, status="finished", attributes={"final loss": 0.2}),
        record("run.end", RUN, time=T0 + 8, status="finished", attributes={"ok": True}),
    )


def wire_requests() -> list[dict]:
    """The five real ProvLake 0.2.982 requests (method, path, body) a local server received."""
    return [json.loads(line) for line in WIRE.read_text().splitlines() if line.strip()]
