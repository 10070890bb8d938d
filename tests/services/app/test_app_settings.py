"""Settings: argument > environment > default, derived values, the write policy of a bind."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services._settings import Settings, is_loopback


def test_defaults() -> None:
    s = Settings()
    assert (s.store, s.host, s.port) == ("oxigraph:./provml-data", "127.0.0.1", 7080)
    assert s.base_iri == "http://provml.localhost/id/"
    assert (s.token, s.admin_token, s.read_token) == (None, None, None)
    assert s.validate_shapes is True
    assert (s.validator, s.max_records) == ("fast", 100_000)
    assert s.max_body_bytes == 16 * 1024 * 1024
    assert s.quarantine_path() == "provml-data-quarantine"


def test_environment_beats_default_and_argument_beats_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROVML_PORT", "9001")
    monkeypatch.setenv("PROVML_STORE", "memory:")
    monkeypatch.setenv("PROVML_VALIDATE", "false")
    monkeypatch.setenv("PROVML_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("PROVML_VALIDATOR", "pyshacl")
    from_env = Settings()
    assert (from_env.port, from_env.store, from_env.validate_shapes) == (9001, "memory:", False)
    assert (from_env.query_timeout, from_env.validator) == (2.5, "pyshacl")
    assert Settings(port=9002).port == 9002
    assert Settings(validate_shapes=True).validate_shapes is True


def test_environment_is_read_when_settings_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    first = Settings()
    monkeypatch.setenv("PROVML_HOST", "0.0.0.0")
    assert first.host == "127.0.0.1"
    assert Settings().host == "0.0.0.0"


def test_bad_values_name_the_field() -> None:
    with pytest.raises(ValidationError, match="base_iri"):
        Settings(base_iri="provml/id")
    with pytest.raises(ValidationError, match="port"):
        Settings(port=70000)
    with pytest.raises(ValidationError, match="max_body_bytes"):
        Settings(max_body_bytes=0)
    with pytest.raises(ValidationError, match="validator"):
        Settings(validator="topbraid")


def test_tokens_are_comma_separated() -> None:
    assert Settings(token=" a ,b,, c").write_tokens == ("a", "b", "c")
    assert Settings().write_tokens == ()


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        ("oxigraph:/srv/data/kg", "/srv/data/kg-quarantine"),
        ("oxigraph:./provml-data", "provml-data-quarantine"),
        ("memory:", None),
        ("sparql+http://127.0.0.1:7878/", "./provml-quarantine"),
    ],
)
def test_quarantine_next_to_the_store(store: str, expected: str | None) -> None:
    assert Settings(store=store).quarantine_path() == expected


def test_explicit_quarantine_dir_wins() -> None:
    assert Settings(store="memory:", quarantine_dir="/tmp/q").quarantine_path() == "/tmp/q"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.10", False),
        ("example.org", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert Settings(host=host).loopback is loopback


@pytest.mark.parametrize(
    ("kwargs", "anonymous"),
    [
        ({}, True),
        ({"host": "0.0.0.0"}, False),
        ({"host": "192.0.2.10"}, False),
        ({"host": "0.0.0.0", "allow_anonymous_writes": True}, True),
        ({"token": "t"}, False),
        ({"admin_token": "a"}, False),
    ],
)
def test_anonymous_writes_policy(kwargs: dict[str, object], anonymous: bool) -> None:
    assert Settings(**kwargs).anonymous_writes is anonymous
