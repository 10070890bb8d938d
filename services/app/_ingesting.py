"""Writes outside the ingest pipeline hold the app's write lock (the pipeline takes it itself, only
around the store write); an ingest answer is built only after the commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

__all__ = ["ingest_response", "locked"]


def locked(request: Request, work: Callable[[], Any]) -> Any:
    """Run ``work`` holding the app's write lock (call from a threadpool route, never from the event
    loop)."""
    with request.app.state.write_lock:
        return work()


def _server_timing(timings: dict[str, float] | None) -> str:
    return ", ".join(
        f"{stage};dur={seconds * 1000:.3f}" for stage, seconds in (timings or {}).items()
    )


def ingest_response(result: Any, status_code: int = 200, **extra: Any) -> JSONResponse:
    """``{"accepted", "triples", "graphs"}`` of an ``IngestResult``; its stage timings go to
    ``Server-Timing``."""
    body = {
        "accepted": result.records,
        "triples": result.triples,
        "graphs": list(result.graphs),
        **extra,
    }
    timing = _server_timing(getattr(result, "timings", None))
    headers = {"Server-Timing": timing} if timing else None
    return JSONResponse(body, status_code=status_code, headers=headers)
