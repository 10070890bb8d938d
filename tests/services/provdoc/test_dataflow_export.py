"""``provml export --dataflow TAG``: every execution of a DLProv dataflow as one PROV document
(DLProv's ``generate_prov --df_tag``), and ``--run`` by execution tag (``--df_exec``)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from provlake.dataflow._ids import run_id
from services.ingest import Ingestor
from services.provdoc import import_document
from services.store import open_store
from tests.dlprov import EXEC, reference, replay
from tests.services.provdoc.test_cli import provml

pytestmark = pytest.mark.integration

BASE = "http://provml.localhost/id/"
SECOND = "mnist-second run"


def _second_execution() -> list[dict]:
    requests = copy.deepcopy(reference())
    for request in requests[1:]:
        request["body"]["exec"] = SECOND
    return requests


def test_dataflow_and_execution_exports(tmp_path: Path) -> None:
    uri = f"oxigraph:{tmp_path / 'db'}"
    with open_store(uri) as store:
        ingestor = Ingestor(store)
        replay(ingestor)
        replay(ingestor, _second_execution()[1:])
    runs = {f"{BASE}run/{run_id(EXEC)}", f"{BASE}run/{run_id(SECOND)}"}

    done = provml(
        "export", "--store", uri, "--dataflow", "mnist", "-o", "mnist.provn", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    first = (tmp_path / "mnist.provn").read_bytes()
    quads = import_document(first, "provn", base_iri=BASE)
    subjects = {q.subject.value for q in quads}
    assert runs <= subjects
    assert f"{BASE}experiment/mnist/set/otrain" in subjects  # the dataflow's definition too
    again = provml(
        "export", "--store", uri, "--dataflow", "mnist", "-o", "again.provn", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    # the same statements under the same ids (PROV-N lists a statement's attributes in any order)
    second = import_document((tmp_path / "again.provn").read_bytes(), "provn", base_iri=BASE)
    assert {q.triple for q in second} == {q.triple for q in quads}

    one = provml("export", "--store", uri, "--run", EXEC, "-o", "exec.provn", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    execution = {
        q.subject.value
        for q in import_document((tmp_path / "exec.provn").read_bytes(), "provn", base_iri=BASE)
    }
    assert (
        f"{BASE}run/{run_id(EXEC)}" in execution and f"{BASE}run/{run_id(SECOND)}" not in execution
    )

    missing = provml(
        "export", "--store", uri, "--dataflow", "cifar", "--format", "provn", cwd=tmp_path
    )
    assert missing.returncode == 2 and "no execution of dataflow 'cifar'" in missing.stderr
