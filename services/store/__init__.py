"""The store layer: a quad store chosen by URI, holding the provenance graph.

>>> from services.store import open_store
>>> with open_store("memory:") as store:
...     store.query("ASK { ?s ?p ?o }")
AskResult(value=False)

Built-in URIs: ``oxigraph:PATH`` (embedded, on disk; the default is ``oxigraph:./provml-data``),
``memory:`` and ``sparql+http(s)://HOST:PORT/PATH`` (a SPARQL 1.1 server such as ``oxigraph
serve``). Other schemes come from the ``provml.stores`` entry points or ``register_store``. See
docs/stores.md.

Errors: every exception is a ``StoreError`` and the builtin a caller would catch (``SyntaxError``
for bad SPARQL, ``TimeoutError``, ``ValueError`` for bad input, ``OSError`` for storage and network
failures); ``UpdateConflictError`` (a ``ValueError``) is a valid update the store refuses as it is;
``QueryRefusedError`` a valid query the server refuses to run; ``ResultTruncatedError`` an answer
the server cut at its row limit.
"""

from ._base import AskResult, GraphResult, QueryResult, SelectResult, Store
from ._errors import QueryRefusedError, ResultTruncatedError, StoreError, UpdateConflictError
from ._registry import open_store, register_store
from ._results import GRAPH_MEDIA_TYPES, SOLUTIONS_MEDIA_TYPES, serialize_result

__all__ = [
    "GRAPH_MEDIA_TYPES",
    "SOLUTIONS_MEDIA_TYPES",
    "AskResult",
    "GraphResult",
    "QueryRefusedError",
    "QueryResult",
    "ResultTruncatedError",
    "SelectResult",
    "Store",
    "StoreError",
    "UpdateConflictError",
    "open_store",
    "register_store",
    "serialize_result",
]
