"""The provml manager service (FastAPI): capture and ProvLake ingest, quarantine, SPARQL, linked
data.

>>> from services.app import Settings, create_app
>>> app = create_app(Settings(store="memory:"))
>>> sorted(path for path in app.openapi()["paths"] if path.startswith("/health"))
['/health/live', '/health/ready']
"""

from services._settings import Settings

from ._errors import ERROR_TABLE, AppError
from ._factory import create_app

__all__ = ["ERROR_TABLE", "AppError", "Settings", "create_app"]
