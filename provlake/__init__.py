"""Capture client for PROV-ML provenance: a modern fluent API and the legacy ProvLake API.

>>> import provlake as pl
>>> with pl.start_run("demo", transport="memory:", capture_environment=False) as run:
...     with run.stage("training", kind="training", hyperparameters={"lr": 0.1}) as train:
...         with train.section("epoch", 0) as epoch:
...             epoch.log_metrics(loss=0.5, accuracy=0.8)
>>> [r["type"] for r in run.client.transport.records][:4]
['run.start', 'stage.start', 'hyperparameter', 'section.start']

Capture calls only append to an in-memory buffer; a background thread sends batches
(``docs/client.md``).
"""

from provlake._client import Client
from provlake._config import Settings
from provlake._entities import Entity
from provlake._exceptions import (
    BatchRejected,
    CaptureUsageError,
    ConfigurationError,
    ProvlakeError,
    TransportError,
)
from provlake._fluent import current_execution_handle as current_execution
from provlake._fluent import flush, get_client, start_run, transformation
from provlake._http import HttpTransport
from provlake._legacy import ProvLake
from provlake._records import ENTITY_KINDS, STAGE_KINDS
from provlake._records import VERSION as __version__
from provlake._registry import register_transport
from provlake._replay import ReplayResult, replay
from provlake._run import Run, active_run
from provlake._stages import Section, Stage
from provlake._transports import FileTransport, MemoryTransport, NoopTransport, Transport

__all__ = [
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
