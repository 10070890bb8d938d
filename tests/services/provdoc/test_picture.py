"""Pictures of real exports: a training of 40 epochs captured by the client through the manager's
ingest pipeline, exported as SVG and PNG by graphviz (installed by the README's test command); the
SVG's text read back for the names it shows."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

import provlake as pl
from services.ingest import Ingestor
from services.provdoc import RunNotFoundError, export_run, select_quads
from services.provdoc._picture import MAX_NODES, to_dot
from services.store import Store, open_store

BASE = "http://provml.localhost/id/"
EPOCHS = 40
SVG = "{http://www.w3.org/2000/svg}"


class _Ingest(pl.Transport):
    """Each batch through ``Ingestor.ingest_batch``, as the manager's capture route does."""

    kind = "ingest"

    def __init__(self, ingestor: Ingestor) -> None:
        self.ingestor = ingestor

    def send(self, body: bytes, count: int) -> None:
        self.ingestor.ingest_batch(body)


def loss(epoch: int) -> float:
    return round(2.0 / (epoch + 1), 4)


@pytest.fixture(scope="module")
def long_run() -> Iterator[tuple[Store, str]]:
    with (
        open_store("memory:") as store,
        pl.Client(_Ingest(Ingestor(store)), capture_environment=False) as client,
    ):
        with client.start_run("digits-mlp", run_id="long") as run:
            data = run.dataset("digits-train")
            hp = {"lr": 0.1, "hidden": 64}
            with run.stage("training", kind="training", hyperparameters=hp, used=[data]) as t:
                for epoch in range(EPOCHS):
                    with t.section("epoch", epoch) as section:
                        section.log_metrics(loss=loss(epoch), accuracy=0.5 + epoch / 100)
                t.model("mlp-h64")
        for other in ("short-1", "short-2"):  # two runs of another experiment
            with (
                client.start_run("other", run_id=other) as run,
                run.stage("training", kind="training") as t,
            ):
                t.log_metric("loss", 0.5, epoch=0)
        client.flush()
        yield store, "long"


def _texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_a_long_training_is_drawn_named_and_folded(long_run: tuple[Store, str]) -> None:
    store, run = long_run
    svg = export_run(store, run, "svg", base_iri=BASE)
    texts = _texts(svg)
    # stage and section names, metric names with their values, the run, the model and the data
    for shown in (
        "training",
        "epoch 0",
        "epoch 1",
        f"epoch {EPOCHS - 1}",
        "loss = 2 (epoch 0)",
        "loss = 1 (epoch 1)",
        f"loss = {loss(EPOCHS - 1):.4g} (epoch {EPOCHS - 1})",
        "accuracy = 0.5 (epoch 0)",
        "mlp-h64",
        "digits-train",
        "lr = 0.1",
        "hidden = 64",
    ):
        assert shown in texts, shown
    assert any(re.fullmatch(r"digits-mlp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in texts)
    # the 37 middle epochs fold: one node for the sections, one per measure
    hidden = EPOCHS - 3
    assert texts.count(f"+{hidden} more") == 3
    assert f"epochs 2–{EPOCHS - 2}" in texts
    assert {f"loss = … (epochs 2–{EPOCHS - 2})", f"accuracy = … (epochs 2–{EPOCHS - 2})"} <= set(
        texts
    )
    assert "loss = 1 (epoch 2)" not in texts
    # no bare ids: no node is named by its type and the end of its IRI, nor shown as its IRI
    assert not [t for t in texts if re.fullmatch(r"[A-Z]\w+ \S+…", t) or BASE in t]
    nodes = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "node"]
    # 3 epochs kept (a section, 2 metrics each), 3 folds, and the run, its training, the data,
    # the model, 2 settings, the user and the script
    assert len(nodes) == 3 * 3 + 3 + 8
    # a picture that fits a screen or two, where 40 epochs unfolded would not
    png = export_run(store, run, "png", base_iri=BASE)
    width, height = struct.unpack(">II", png[16:24])
    assert width <= 2400 and height <= 1600, (width, height)


def test_a_run_is_exported_by_a_name_only_it_has(long_run: tuple[Store, str]) -> None:
    store, run = long_run
    with pytest.raises(RunNotFoundError, match="2 runs are called 'other'") as info:
        export_run(store, "other", "dot", base_iri=BASE)
    assert f"{BASE}run/short-1" in str(info.value) and f"{BASE}run/short-2" in str(info.value)
    by_id = export_run(store, run, "dot", base_iri=BASE)
    assert export_run(store, "digits-mlp", "dot", base_iri=BASE) == by_id
    (started,) = [
        t
        for t in _texts(export_run(store, run, "svg", base_iri=BASE))
        if re.fullmatch(r"digits-mlp \S+ \S+", t)
    ]  # the name the picture gives the run stands for it
    assert export_run(store, started, "dot", base_iri=BASE) == by_id


def test_past_the_cap_the_least_connected_nodes_fold(long_run: tuple[Store, str]) -> None:
    store, run = long_run
    quads = select_quads(store, "dot", run=run, base_iri=BASE)
    triples = list(dict.fromkeys(q.triple for q in quads))
    assert to_dot(triples) == export_run(store, run, "dot", base_iri=BASE).decode()
    assert MAX_NODES == 60
    dot = to_dot(triples, max_nodes=8)
    nodes = re.findall(r"^  n\d+ \[label=\"([^\"]*)\"", dot, re.MULTILINE)
    assert len(nodes) == 8
    # 7 kept, the most connected; the 3 x 37 folded epochs and 10 other nodes in one
    assert nodes[-1] == "+121 more nodes\\n(all in the PROV-N export)"
    assert {"training", "epoch 0", "mlp-h64", "digits-train"} <= set(nodes)
