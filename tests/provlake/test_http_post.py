"""``HttpTransport.post``, the public seam the synchronous manager transport (provlake.braid) talks
through, against a real HTTP receiver: any status is answered (not raised), a kept-alive connection
the receiver dropped (a restart) is reopened once, a receiver that is down is a TransportError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provlake._exceptions import BatchRejected, TransportError
from provlake._http import HttpTransport
from provlake._manager import ManagerTransport

from .conftest import RecordingServer

pytestmark = pytest.mark.integration


def _batch(run: str) -> bytes:
    record = {"type": "run.start", "id": run, "run": run, "time": 1.0, "name": "exp"}
    client = {"name": "provlake", "version": "test"}
    return json.dumps(
        {"schema": "provml/capture/1", "client": client, "records": [record]}
    ).encode()


def test_post_answers_any_status_and_reconnects_once_after_a_restart(tmp_path: Path) -> None:
    server = RecordingServer(tmp_path / "received.jsonl").start()
    http = HttpTransport(server.url, timeout=5)
    try:
        status, text = http.post("/api/v1/capture", _batch("r1"))
        assert (status, json.loads(text)["accepted"]) == (200, 1)
        status, text = http.post("/api/v1/questions/runs", b"{}")
        assert (status, json.loads(text)["message"]) == (404, "/api/v1/questions/runs")
        server.stop()
        server.start()  # the kept-alive connection now leads nowhere
        http.send(_batch("r2"), 1)
        assert [r["run"] for r in server.records()] == ["r1", "r2"]
        server.stop()
        with pytest.raises(TransportError, match="/api/v1/capture failed"):
            http.post("/api/v1/capture", _batch("r3"))
    finally:
        http.close()
        server.stop()


def test_manager_transport_raises_refusals_with_their_body(tmp_path: Path) -> None:
    server = RecordingServer(tmp_path / "received.jsonl").start()
    manager = ManagerTransport(server.url + "/", timeout=5)
    try:
        manager.send(_batch("r1"), 1)
        with pytest.raises(BatchRejected) as refused:
            manager.ask("runs", {})
        assert refused.value.status == 404
        assert json.loads(refused.value.body)["message"] == "/api/v1/questions/runs"
    finally:
        manager.close()
        server.stop()
