"""Client settings: argument > environment (``PROVML_*``) > default, read when a client is created.

Nothing is read at import time: :meth:`Settings.resolve` looks at ``os.environ`` when called.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from provlake._exceptions import ConfigurationError

__all__ = ["DEFAULT_MANAGER", "Settings"]

DEFAULT_MANAGER = "http://127.0.0.1:7080"


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (1/0, true/false), got {text!r}")


def _transport(text: str) -> str | dict[str, Any]:
    text = text.strip()
    if text.startswith("{"):
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("expected a JSON object")
        return value
    return text


def _positive(kind: Callable[[str], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        number = kind(value)
        if number <= 0:
            raise ValueError(f"must be > 0, got {value!r}")
        return number

    return convert


def _non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"must be >= 0, got {value!r}")
    return number


# field name -> (environment variable, converter for environment strings and arguments)
_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "transport": ("PROVML_TRANSPORT", lambda v: _transport(v) if isinstance(v, str) else v),
    "manager": ("PROVML_MANAGER", str),
    "token": ("PROVML_TOKEN", str),
    "disabled": ("PROVML_DISABLED", lambda v: _bool(v) if isinstance(v, str) else bool(v)),
    "strict": ("PROVML_STRICT", lambda v: _bool(v) if isinstance(v, str) else bool(v)),
    "capture_environment": (
        "PROVML_CAPTURE_ENVIRONMENT",
        lambda v: _bool(v) if isinstance(v, str) else bool(v),
    ),
    "spool_dir": ("PROVML_SPOOL_DIR", str),
    "batch_size": ("PROVML_BATCH_SIZE", _positive(int)),
    "flush_interval": ("PROVML_FLUSH_INTERVAL", _positive(float)),
    "max_buffer": ("PROVML_MAX_BUFFER", _positive(int)),
    "max_retries": ("PROVML_MAX_RETRIES", _non_negative_int),
    "backoff": ("PROVML_BACKOFF", _positive(float)),
    "max_backoff": ("PROVML_MAX_BACKOFF", _positive(float)),
    "timeout": ("PROVML_TIMEOUT", _positive(float)),
    "flush_timeout": ("PROVML_FLUSH_TIMEOUT", _positive(float)),
    "exit_timeout": ("PROVML_EXIT_TIMEOUT", _positive(float)),
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Resolved client settings (see ``docs/client.md`` for each ``PROVML_*`` variable)."""

    transport: str | dict[str, Any] | None = None  # URI or {"type": ...}; None: http to `manager`
    manager: str = DEFAULT_MANAGER  # manager base URL for the http transport
    token: str | None = None  # bearer token sent to the manager
    disabled: bool = False  # PROVML_DISABLED=1: the noop transport, nothing is captured
    strict: bool = False  # raise on undelivered flushes
    capture_environment: bool = True  # python, packages, host, OS, CPU/GPU, git commit at run start
    spool_dir: str = "provml-spool"  # undelivered batches (pending/), refused ones (rejected/)
    batch_size: int = 500  # records per batch; a full batch wakes the flusher
    flush_interval: float = 0.2  # seconds between background flushes
    max_buffer: int = 200_000  # records held in memory before new records are dropped (and counted)
    max_retries: int = 3  # immediate retries of a failed send before spooling
    backoff: float = 0.1  # first retry delay (s), doubled each time
    max_backoff: float = 2.0  # ceiling of the delay between reconnection attempts (s)
    timeout: float = 30.0  # HTTP timeout and retry budget per batch (s)
    flush_timeout: float = 30.0  # wait of a flush() given no timeout (s)
    exit_timeout: float = 5.0  # bounded wait for the final flush at exit (s)

    @classmethod
    def resolve(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Build settings from explicit ``overrides`` (not None), then ``PROVML_*`` variables, then
        defaults.
        """
        environ = os.environ if environ is None else environ
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(_FIELDS))
        if unknown:
            raise ConfigurationError(f"unknown setting(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, (variable, convert) in _FIELDS.items():
            if overrides.get(name) is not None:
                raw, origin = overrides[name], f"argument {name!r}"
            elif environ.get(variable, "") != "":
                raw, origin = environ[variable], f"environment variable {variable}"
            else:
                continue
            try:
                values[name] = convert(raw)
            except (TypeError, ValueError) as exc:
                raise ConfigurationError(f"invalid {origin}: {exc}") from exc
        return cls(**values)
