"""The web UI's files: ``services/static`` (the UI's ES modules and the vendored libraries, shipped
in the wheel) served at ``/static``; the UI's page answers browsers at ``/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC", "mount_static", "ui_page"]

STATIC = Path(__file__).resolve().parent.parent / "static"


def mount_static(app: FastAPI) -> None:
    """Serve ``services/static`` at ``/static`` (ETag and Last-Modified from the files)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


@cache
def ui_page() -> str:
    """The UI's single page (its views are chosen by the URL's fragment)."""
    return (STATIC / "ui" / "index.html").read_text(encoding="utf-8")
