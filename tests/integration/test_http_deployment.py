"""Deployment settings on real servers: a non-loopback bind, the body limit, a store that is down,
and several managers in front of one SPARQL server (``oxigraph serve``)."""

from __future__ import annotations

import fcntl
import json
import socket
import struct
from pathlib import Path

import pytest

from tests.servers import free_port

from .batches import new_id, training_run
from .conftest import run_manager

pytestmark = pytest.mark.integration

_SIOCGIFADDR = 0x8915


def _ipv4_of(interface: str) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(
                sock.fileno(), _SIOCGIFADDR, struct.pack("256s", interface.encode()[:15])
            )
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


def local_non_loopback_addresses() -> list[str]:
    """IPv4 addresses of this machine's own interfaces, loopback excluded (traffic to them stays
    on the machine)."""
    found = (_ipv4_of(name) for _, name in socket.if_nameindex())
    return [a for a in found if a and not a.startswith("127.")]


def test_non_loopback_bind_refuses_token_less_writes(tmp_path: Path) -> None:
    addresses = local_non_loopback_addresses()
    host = addresses[0] if addresses else "0.0.0.0"
    store = f"oxigraph:{tmp_path / 'kg'}"
    with run_manager(store, tmp_path, host=host) as exposed:
        # "0.0.0.0" is reached through 127.0.0.1 when the machine has no other address
        exposed.url = exposed.url.replace("0.0.0.0", "127.0.0.1")
        with exposed.client() as client:
            r = client.post("/api/v1/capture", json=training_run(new_id()))
            assert (r.status_code, r.json()["error"]) == (403, "forbidden")
            assert host in r.json()["message"]
            assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True
        assert exposed.count() == 0
    with run_manager(store, tmp_path, host=host, PROVML_TOKEN="t0k3n") as guarded:
        guarded.url = guarded.url.replace("0.0.0.0", "127.0.0.1")
        with guarded.client("t0k3n") as client:
            assert client.post("/api/v1/capture", json=training_run(new_id())).status_code == 200
        assert guarded.count() > 0


def test_body_limit_over_http(tmp_path: Path) -> None:
    with (
        run_manager("memory:", tmp_path, PROVML_MAX_BODY_BYTES="2000") as small,
        small.client() as client,
    ):
        body = json.dumps(training_run(new_id())).encode()
        assert len(body) > 2000
        r = client.post(
            "/api/v1/capture", content=body, headers={"Content-Type": "application/json"}
        )
        assert (r.status_code, r.json()["error"]) == (413, "body_too_large")

        def chunks():
            for start in range(0, len(body), 500):
                yield body[start : start + 500]

        streamed = client.post(
            "/api/v1/capture", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert (streamed.status_code, streamed.json()["error"]) == (413, "body_too_large")
        assert small.count() == 0


def test_store_down_is_503(tmp_path: Path) -> None:
    nowhere = f"sparql+http://127.0.0.1:{free_port()}/"
    with run_manager(nowhere, tmp_path) as manager, manager.client() as client:
        assert client.get("/health/live").status_code == 200
        ready = client.get("/health/ready")
        assert (ready.status_code, ready.json()["error"]) == (503, "store_unavailable")
        query = client.get("/sparql", params={"query": "ASK {}"})
        assert (query.status_code, query.json()["error"]) == (503, "store_unavailable")
        assert query.json()["message"].startswith("the store is unavailable")
        capture = client.post("/api/v1/capture", json=training_run(new_id()))
        assert (capture.status_code, capture.json()["error"]) == (503, "store_unavailable")


def test_two_managers_in_front_of_one_sparql_server(oxigraph_server: str, tmp_path: Path) -> None:
    store = "sparql+" + oxigraph_server
    run = new_id()
    with run_manager(store, tmp_path) as one, run_manager(store, tmp_path) as two:
        with one.client() as client:
            r = client.post("/api/v1/capture", json=training_run(run))
            assert r.status_code == 200, r.text
        with two.client() as client:
            assert client.get(f"/id/run/{run}").status_code == 200
            again = client.post("/api/v1/capture", json=training_run(run))
            assert again.status_code == 200
        assert one.count() == two.count() > 0
