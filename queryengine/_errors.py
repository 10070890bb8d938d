"""Errors of the query engine.

Every error the engine raises derives from one root::

    QueryEngineError
    ├── UnknownQuestionError   no question has that name            (KeyError)
    ├── ParameterError         a parameter is missing or ill-typed   (ValueError)
    ├── QuestionFileError      a .rq file has a malformed header     (ValueError)
    ├── UnsupportedQuestionError  the store's engine cannot answer it right
    └── DomainGraphError       a domain graph cannot be attached     (ValueError)

``code`` is a stable machine-readable name (used as the ``error`` field of HTTP error bodies) and
``details`` a JSON-serialisable dict naming what was wrong.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DomainGraphError",
    "ParameterError",
    "QueryEngineError",
    "QuestionFileError",
    "UnknownQuestionError",
    "UnsupportedQuestionError",
]


class QueryEngineError(Exception):
    """Root of the query engine's errors."""

    code = "query_engine_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class UnknownQuestionError(QueryEngineError, KeyError):
    """No question of the catalogue has the requested name."""

    code = "unknown_question"


class ParameterError(QueryEngineError, ValueError):
    """A question parameter is missing, unknown or does not have its declared type."""

    code = "invalid_parameter"

    def __init__(
        self, message: str, *, parameter: str, code: str | None = None, **details: Any
    ) -> None:
        super().__init__(message, parameter=parameter, **details)
        self.parameter = parameter
        if code:
            self.code = code


class QuestionFileError(QueryEngineError, ValueError):
    """A question file does not follow the header format."""

    code = "question_file_error"


class DomainGraphError(QueryEngineError, ValueError):
    """A domain knowledge graph cannot be attached (bad name, unreadable or unparsable data, bad
    endpoint)."""

    code = "domain_graph_error"


class UnsupportedQuestionError(QueryEngineError):
    """The store's engine is known to answer this question wrongly (its header says why), so it
    is refused rather than answered."""

    code = "question_unsupported"
