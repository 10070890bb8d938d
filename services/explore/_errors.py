"""The errors of ``services.explore``: one root, each naming the parameter at fault."""

from __future__ import annotations

__all__ = ["BadParameter", "ExploreError", "UnknownNode"]


class ExploreError(Exception):
    """A read of the UI API that cannot be answered; ``field`` names the parameter at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        self.message = message
        self.field = field
        super().__init__(message)


class BadParameter(ExploreError, ValueError):
    """A malformed parameter: an unknown column, a bad filter, too many runs..."""


class UnknownNode(ExploreError, LookupError):
    """No run or node with this id or IRI is in the store."""
