"""Exceptions of the capture client.

One root, mapped to builtins where natural::

    ProvlakeError
    ├── CaptureUsageError (ValueError)    wrong argument, unknown kind, bad id: raised at the call
    ├── ConfigurationError (ValueError)   an invalid setting (argument or PROVML_* variable)
    └── TransportError (OSError)          a batch could not be delivered (retried, then spooled)
        └── BatchRejected                 refused for good (4xx): kept in rejected/

Transport errors never reach the training code: the pipeline logs them, retries, spools. They are
raised only by explicit calls such as :func:`provlake.replay` or by ``flush()`` in strict mode.
"""

from __future__ import annotations

__all__ = [
    "BatchRejected",
    "CaptureUsageError",
    "ConfigurationError",
    "ProvlakeError",
    "TransportError",
]


class ProvlakeError(Exception):
    """Root of every error raised by :mod:`provlake`."""


class CaptureUsageError(ProvlakeError, ValueError):
    """A capture call was made with a wrong argument (programming error in the caller)."""


class ConfigurationError(ProvlakeError, ValueError):
    """A setting is invalid; the message names the argument or environment variable."""


class TransportError(ProvlakeError, OSError):
    """A batch could not be delivered now; delivery will be retried."""


class BatchRejected(TransportError):
    """The receiver refused a batch for good (HTTP 4xx other than 408/429)."""

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body
