"""Public surface, light import, configuration precedence, transport selection, argument errors."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

import provlake as pl
from provlake import CaptureUsageError, ConfigurationError, Settings
from provlake._registry import make_transport

from .conftest import subprocess_env

HEAVY = ["pyoxigraph", "rdflib", "pyshacl", "fastapi", "httpx", "pydantic", "requests"]


def test_all_is_exact() -> None:
    assert sorted(pl.__all__) == sorted(
        [
            "ENTITY_KINDS",
            "STAGE_KINDS",
            "BatchRejected",
            "CaptureUsageError",
            "Client",
            "ConfigurationError",
            "Entity",
            "FileTransport",
            "HttpTransport",
            "MemoryTransport",
            "NoopTransport",
            "ProvLake",
            "ProvlakeError",
            "ReplayResult",
            "Run",
            "Section",
            "Settings",
            "Stage",
            "Transport",
            "TransportError",
            "__version__",
            "active_run",
            "current_execution",
            "flush",
            "get_client",
            "register_transport",
            "replay",
            "start_run",
            "transformation",
        ]
    )
    for name in pl.__all__:
        assert hasattr(pl, name), name


def test_import_is_light_and_reads_no_config() -> None:
    code = (
        "import sys, json, provlake, provlake.capture, provlake.utils.args_handler;"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(PROVML_BATCH_SIZE="not a number"),  # read lazily: import must not fail
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == []


def test_settings_precedence_argument_over_environment_over_default() -> None:
    env = {"PROVML_BATCH_SIZE": "7", "PROVML_FLUSH_INTERVAL": "0.5", "PROVML_DISABLED": "yes"}
    s = Settings.resolve({"batch_size": 3}, env)
    assert (s.batch_size, s.flush_interval, s.disabled) == (3, 0.5, True)
    assert s.max_retries == Settings().max_retries == 3
    assert Settings.resolve({}, {}).spool_dir == "provml-spool"
    assert Settings.resolve(
        {}, {"PROVML_TRANSPORT": '{"type": "file", "path": "x"}'}
    ).transport == {
        "type": "file",
        "path": "x",
    }


def test_settings_errors_name_the_source() -> None:
    with pytest.raises(ConfigurationError, match="PROVML_BATCH_SIZE"):
        Settings.resolve({}, {"PROVML_BATCH_SIZE": "many"})
    with pytest.raises(ConfigurationError, match="argument 'flush_interval'"):
        Settings.resolve({"flush_interval": -1}, {})
    with pytest.raises(ConfigurationError, match="unknown setting"):
        Settings.resolve({"batchsize": 1}, {})


@pytest.mark.parametrize(
    ("spec", "kind", "detail"),
    [
        ("memory:", "memory", None),
        ("noop:", "noop", None),
        ("file:/tmp/x.jsonl", "file", "/tmp/x.jsonl"),
        ("file:///tmp/y.jsonl", "file", "/tmp/y.jsonl"),
        ({"type": "file", "path": "rel.jsonl"}, "file", "rel.jsonl"),
        ("http://127.0.0.1:9/prefix", "http", "http://127.0.0.1:9/prefix"),
        ({"type": "http", "url": "https://m.example"}, "http", "https://m.example"),
        (None, "http", "http://127.0.0.1:7080"),
    ],
)
def test_transport_by_uri_or_config(spec: object, kind: str, detail: str | None) -> None:
    transport = make_transport(spec, Settings())
    assert transport.kind == kind
    if kind == "file":
        assert str(transport.path) == detail
    if kind == "http":
        assert transport.url == detail


def test_disabled_gives_noop_and_unknown_type_is_an_error() -> None:
    assert make_transport("http://x:1", Settings(disabled=True)).kind == "noop"
    with pytest.raises(ConfigurationError, match="unknown transport type 'kafka'"):
        make_transport({"type": "kafka"}, Settings())
    with pytest.raises(ConfigurationError, match="manager URL"):
        make_transport({"type": "http", "url": "ftp://x"}, Settings())


def test_register_transport_plugs_a_new_kind() -> None:
    received: list[int] = []

    class Counting(pl.Transport):
        kind = "counting"

        def send(self, body: bytes, count: int) -> None:
            received.append(count)

    pl.register_transport("counting", lambda config, settings: Counting())
    with pl.Client({"type": "counting"}) as client:
        client.start_run("x")
        assert client.flush(10)
    assert received == [1]


def test_programming_errors_raise_at_once_with_the_field_named() -> None:
    with pl.Client("memory:") as client:
        run = client.start_run("exp")
        with pytest.raises(CaptureUsageError, match="stage kind must be one of training"):
            run.stage("s", kind="train")
        stage = run.stage("s", kind="training")
        with pytest.raises(CaptureUsageError, match="metric 'loss' value must be a number"):
            stage.log_metric("loss", "0.1")
        with pytest.raises(CaptureUsageError, match="metric 'loss' value must be a number"):
            stage.log_metric("loss", True)
        with pytest.raises(CaptureUsageError, match="metric name"):
            stage.log_metric("", 1.0)
        with pytest.raises(CaptureUsageError, match="step must be an integer >= 0"):
            stage.log_metric("loss", 1.0, step=-1)
        with pytest.raises(CaptureUsageError, match="epoch must be an integer >= 0"):
            stage.log_metric("loss", 1.0, epoch=1.5)
        with pytest.raises(CaptureUsageError, match="section index must be an integer >= 0"):
            stage.section("epoch", -1)
        with pytest.raises(CaptureUsageError, match=r"hyperparameter 'opt' value"):
            stage.log_hyperparameter("opt", {"a": 1})
        with pytest.raises(CaptureUsageError, match="no value to adapt"):
            stage.adapt_hyperparameter("lr", 0.1)
        with pytest.raises(CaptureUsageError, match="entity kind"):
            run.entity("table", "t")
        with pytest.raises(CaptureUsageError, match="refers_to must be an absolute IRI"):
            run.reference("not an iri")
        with pytest.raises(CaptureUsageError, match="id must be 1-128"):
            run.stage("s", kind="training", id="has space")
        with pytest.raises(CaptureUsageError, match="status must be one of"):
            stage.end("done")
        with pytest.raises(CaptureUsageError, match="attributes"):
            run.set_attributes(bad=[1, 2])
        stage.end()
        run.end()
        assert client.flush(10)
        # the refused calls sent nothing
        assert [r["type"] for r in client.transport.records] == [
            "run.start",
            "stage.start",
            "stage.end",
            "run.end",
        ]


def test_an_explicit_manager_argument_beats_the_transport_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROVML_TRANSPORT", "noop:")
    monkeypatch.setenv("PROVML_MANAGER", "http://127.0.0.1:9")
    with pl.Client() as from_env, pl.Client(manager="http://127.0.0.1:8") as explicit:
        assert from_env.transport.kind == "noop"
        assert (explicit.transport.kind, explicit.transport.url) == ("http", "http://127.0.0.1:8")
    monkeypatch.delenv("PROVML_TRANSPORT")
    with pl.Client() as from_env:
        assert from_env.transport.url == "http://127.0.0.1:9"


def test_strict_mode_raises_on_unfinished_flushes_not_on_non_finite_metrics() -> None:
    class Hanging(pl.Transport):
        kind = "hanging"

        def __init__(self) -> None:
            self.release = threading.Event()

        def send(self, body: bytes, count: int) -> None:
            self.release.wait(30)

    hanging = Hanging()
    client = pl.Client(hanging, strict=True, flush_interval=0.01)
    stage = client.start_run("exp").stage("t", kind="training")
    stage.log_metric("loss", float("inf"))  # a diverging loss is data, even in strict mode
    with pytest.raises(pl.TransportError, match="not flushed"):
        client.flush(0.2)
    hanging.release.set()
    assert client.close(10)
    assert client.stats()["non_finite_metrics"] == 1
