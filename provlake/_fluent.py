"""Fluent API: module-level ``start_run`` over a shared :class:`Client` per configuration, and the
``@transformation`` decorator on the active run.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from provlake._client import Client
from provlake._handles import Execution, current_execution
from provlake._run import Run, active_run
from provlake._transform import transformation as _transformation
from provlake._transports import Transport

__all__ = ["current_execution_handle", "flush", "get_client", "start_run", "transformation"]

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
    """Flush every client of :func:`start_run`; True when all finished within ``timeout`` (one
    deadline for all; None: each client's ``flush_timeout``)."""
    with _lock:
        clients = [c for c in _clients.values() if not c.closed]
    deadline = None if timeout is None else time.monotonic() + timeout
    done = True
    for c in clients:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        done = c.flush(left, acknowledged=acknowledged) and done
    return done


def current_execution_handle() -> Execution | None:
    """The innermost open stage or section (inside ``with run.stage(...)`` or a transformation)."""
    return current_execution.get()


def transformation(func: Callable[..., Any] | None = None, *, name: str | None = None) -> Any:
    """Decorator: each call becomes a data transformation (stage kind ``transformation``) of the
    active run.

    Scalar arguments become input attributes, :class:`Entity` arguments are used, the result becomes
    output attributes (arrays and frames are summarised by type and shape). Outside a run the
    function just runs.
    """
    return _transformation(func, name=name, target=active_run)
