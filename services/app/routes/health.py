"""Liveness and readiness probes.

``/health/live`` answers as long as the process serves requests (it touches nothing).
``/health/ready`` answers 200 only when the store answers a query and, for an embedded store, takes
a write (a probe that leaves nothing behind; a store whose earlier write failed is reopened first):
503 otherwise, e.g. while the disk is full.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from .._errors import ServiceUnavailable
from ..deps import SettingsDep, StoreDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The process answers")
def live() -> dict[str, str]:
    return {"status": "live"}


@router.get(
    "/ready",
    summary="The store answers and takes writes",
    responses={503: {"description": "the store is down or refuses writes"}},
)
async def ready(store: StoreDep, settings: SettingsDep) -> dict[str, str]:
    if not await run_in_threadpool(store.ready):
        raise ServiceUnavailable(f"the store {settings.store} does not answer or refuses writes")
    return {"status": "ready", "store": settings.store}
