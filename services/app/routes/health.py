"""Liveness and readiness probes."""

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
    "/ready", summary="The store answers", responses={503: {"description": "the store is down"}}
)
async def ready(store: StoreDep, settings: SettingsDep) -> dict[str, str]:
    if not await run_in_threadpool(store.ready):
        raise ServiceUnavailable(f"the store {settings.store} does not answer")
    return {"status": "ready", "store": settings.store}
