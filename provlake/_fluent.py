"""Fluent API: module-level ``start_run`` over a default :class:`Client`, and the
``@transformation`` decorator.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from provlake._client import Client
from provlake._entities import Entity
from provlake._handles import Execution, _status_for, current_execution, start_stage
from provlake._records import check_name
from provlake._run import Run, active_run
from provlake._transports import Transport

__all__ = ["current_execution_handle", "flush", "get_client", "start_run", "transformation"]

F = TypeVar("F", bound=Callable[..., Any])
_lock = threading.Lock()
_clients: dict[Any, Client] = {}


def get_client(
    transport: Transport | str | Mapping[str, Any] | None = None, **settings: Any
) -> Client:
    """The shared client for these options (created on first use, reading PROVML_* then)."""
    key = (
        id(transport) if isinstance(transport, Transport) else repr(transport),
        tuple(sorted((k, repr(v)) for k, v in settings.items())),
        tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("PROVML_"))),
    )
    with _lock:
        client = _clients.get(key)
        if client is None or client.closed:
            client = _clients[key] = Client(transport, **settings)
        return client


def start_run(
    name: str,
    *,
    study: str | None = None,
    manager: str | None = None,
    transport: Transport | str | Mapping[str, Any] | None = None,
    client: Client | None = None,
    user: str | None = None,
    software: Mapping[str, str] | None = None,
    attributes: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    kind: str = "learning",
    **settings: Any,
) -> Run:
    """Start an experiment execution named ``name`` (the experiment) and make it the active run.

    ``manager`` (a URL) or ``transport`` choose where records go; other keyword arguments are client
    settings (``batch_size=...``, ``spool_dir=...``). Without them, ``PROVML_*`` variables decide.
    """
    if client is None:
        if manager is not None:
            settings["manager"] = manager
        client = get_client(transport, **settings)
    return client.start_run(
        name,
        study=study,
        kind=kind,
        user=user,
        software=software,
        attributes=attributes,
        run_id=run_id,
    )


def flush(timeout: float | None = None, *, acknowledged: bool = False) -> bool:
    """Flush every client of :func:`start_run`; True when all finished within ``timeout``."""
    with _lock:
        clients = list(_clients.values())
    return all(c.flush(timeout, acknowledged=acknowledged) for c in clients if not c.closed)


def current_execution_handle() -> Execution | None:
    """The innermost open stage or section (inside ``with run.stage(...)`` or a transformation)."""
    return current_execution.get()


def _describe(
    name: str, value: Any, attrs: dict[str, Any], used: list[str], depth: int = 0
) -> None:
    """Turn one argument or result into attributes (scalars, summaries) and used entities."""
    if value is None:
        return
    if isinstance(value, Entity):
        used.append(value.id)
        return
    if isinstance(value, str | bool | int | float):
        attrs[name] = value
        return
    shape = getattr(value, "shape", None)
    if shape == () and hasattr(value, "__float__"):
        attrs[name] = value.item() if hasattr(value, "item") else float(value)
        return
    if depth == 0 and isinstance(value, list | tuple) and len(value) <= 16:
        for i, item in enumerate(value):
            _describe(f"{name}[{i}]", item, attrs, used, 1)
        return
    if depth == 0 and isinstance(value, Mapping) and len(value) <= 16:
        for key, item in value.items():
            _describe(f"{name}.{key}", item, attrs, used, 1)
        return
    summary = type(value).__name__
    if shape is not None:
        summary += f"(shape={tuple(shape)}"
        summary += f", dtype={value.dtype})" if hasattr(value, "dtype") else ")"
    elif hasattr(value, "__len__"):
        with contextlib.suppress(TypeError):
            summary += f"(len={len(value)})"
    attrs[name] = summary


def transformation(
    func: F | None = None, *, name: str | None = None, run: Run | None = None
) -> Any:
    """Decorator: each call becomes a data transformation (stage kind ``transformation``) of the
    active run.

    Scalar arguments become input attributes, :class:`Entity` arguments are used, the result becomes
    output attributes (arrays and frames are summarised by type and shape). Outside a run the
    function just runs.
    """
    if name is not None:
        check_name(name, "transformation name")

    def decorate(f: F) -> F:
        stage_name = name or f.__name__
        signature = inspect.signature(f)

        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            target = run if run is not None else active_run()
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                bound = None  # let the function raise its own error
            if target is None or target._ended or bound is None:
                return f(*args, **kwargs)
            bound.apply_defaults()
            attrs: dict[str, Any] = {}
            used: list[str] = []
            for arg, value in bound.arguments.items():
                _describe(arg, value, attrs, used)
            parent = current_execution.get()
            stage = start_stage(
                target.client,
                target.id,
                stage_name,
                "transformation",
                parent=parent.id if parent is not None and parent.run_id == target.id else None,
                used=used,
                attributes=attrs,
            )
            token = current_execution.set(stage)
            try:
                result = f(*args, **kwargs)
            except BaseException as exc:
                stage.end(_status_for(type(exc)))
                raise
            finally:
                current_execution.reset(token)
            out: dict[str, Any] = {}
            _describe("return", result, out, [])
            stage.end("finished", out)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate
