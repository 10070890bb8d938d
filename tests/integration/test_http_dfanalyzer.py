"""DLProv's recorded traffic replayed byte for byte, twice, to a real manager over HTTP (the paths
as the client sends them, ``//pde/...``), then DLProv's questions asked of it over HTTP."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from provlake.dataflow._ids import run_id
from tests.dlprov import EXEC, LOSSES, reference
from tests.integration.conftest import Manager

pytestmark = pytest.mark.integration


def _post_as_recorded(manager: Manager, request: dict) -> tuple[int, dict]:
    address = urlsplit(manager.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        body = json.dumps(request["body"]).encode()
        headers = {"Content-Type": request["ctype"], "Content-Length": str(len(body))}
        connection.request(request["method"], request["path"], body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_reference_replayed_twice_adds_nothing_the_second_time(manager: Manager) -> None:
    requests = reference()
    assert len(requests) == 23 and all(r["path"].startswith("//pde/") for r in requests)
    for request in requests:
        status, answer = _post_as_recorded(manager, request)
        assert status == 200, (request["seq"], answer)
    after_first = manager.count()
    assert after_first > 1000
    for request in requests:
        assert _post_as_recorded(manager, request)[0] == 200
    assert manager.count() == after_first

    with manager.client() as client:
        rows = client.get(
            "/api/v1/questions/dataflow-set", params={"dataflow": "mnist", "set": "oTrain"}
        ).json()
        assert rows["columns"][:3] == ["execution", "task", "TIMESTAMP"]
        assert [row["LOSS"] for row in rows["rows"]] == LOSSES
        assert {row["execution"] for row in rows["rows"]} == {EXEC}
        average = client.get(
            "/api/v1/questions/metric-average", params={"run": run_id(EXEC), "measure": "loss"}
        ).json()["rows"]
        assert [(r["count"], round(r["average"], 10)) for r in average] == [(5, 0.26314)]
        lineage = client.post(
            "/api/v1/questions/dataflow-lineage",
            json={"dataflow": "mnist", "source": "otest", "target": "iinputdataset"},
        ).json()["rows"]
        assert [r["length"] for r in lineage] == [6, 8, 8]
