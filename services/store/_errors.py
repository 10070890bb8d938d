"""Exceptions of the store layer.

Every exception raised by a store is a ``StoreError`` and also the builtin a caller would naturally
catch::

    StoreError
    ├── InvalidDataError(ValueError)      bad URI, unparsable data, invalid quads, bad format
    ├── UpdateConflictError(ValueError)   a valid update the store refuses in its present state
    ├── QuerySyntaxError(SyntaxError)     invalid SPARQL (the server's message on remote stores)
    ├── StoreTimeoutError(TimeoutError)   a query ran past its timeout, or the server took too long
    ├── StoreClosedError(RuntimeError)    the store was used after ``close()``
    ├── QueryRefusedError                 the server refused a valid query (planner, compiler)
    ├── ResultTruncatedError              the server cut the answer at its row limit
    └── StoreUnavailableError(OSError)    storage or network failure, server error
        └── StoreLockedError              an on-disk store is already open in another process
"""

from __future__ import annotations

__all__ = [
    "InvalidDataError",
    "QueryRefusedError",
    "QuerySyntaxError",
    "ResultTruncatedError",
    "StoreClosedError",
    "StoreError",
    "StoreLockedError",
    "StoreTimeoutError",
    "StoreUnavailableError",
    "UpdateConflictError",
]


class StoreError(Exception):
    """Root of every error raised by the store layer."""


class InvalidDataError(StoreError, ValueError):
    """The input (URI, RDF data, quads, format or media type) is invalid; nothing was written."""


class UpdateConflictError(StoreError, ValueError):
    """A valid SPARQL update that cannot apply to the store as it is (``CREATE GRAPH`` of an
    existing graph, ``DROP``/``CLEAR``/``MOVE`` of a missing one without ``SILENT``); nothing was
    written."""


class QuerySyntaxError(StoreError, SyntaxError):
    """The SPARQL query or update does not parse."""


class StoreTimeoutError(StoreError, TimeoutError):
    """The query did not finish within its timeout, or the server did not answer in time."""


class StoreClosedError(StoreError, RuntimeError):
    """The store was used after ``close()``."""


class StoreUnavailableError(StoreError, OSError):
    """The storage or the remote server failed."""


class StoreLockedError(StoreUnavailableError):
    """The on-disk store is already opened by another process."""


class QueryRefusedError(StoreError):
    """The server refused to run a valid query: Virtuoso's "estimated execution time ... exceeds
    the limit" (its ``MaxQueryCostEstimationTime``), an internal error of its SPARQL compiler, its
    per-query memory limit (``MaxMemPoolSize``). Never a syntax error of the query itself."""


class ResultTruncatedError(StoreError):
    """The server cut the answer at its row limit (Virtuoso's ``ResultSetMaxRows``): the rows
    received are not the whole answer."""
