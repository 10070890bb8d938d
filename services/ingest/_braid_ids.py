"""Integer ids for Braid-DB calls (records, tags, model versions), unique in a store.

Braid-DB returns integer ids that later calls use, so a client takes them from the manager in blocks
(like a database sequence with a cache). A block is written to the store before it is handed out,
so ids stay unique across restarts and across several managers sharing one store:

- the block ``[first, last]`` is the node ``{base}braid/id-block/{first}`` with ``provml:braidId``
  ``last`` and a ``provml:identifier`` claim token, in the graph ``{base}graph/braid/ids``;
- the sequence's high-water mark is the greatest ``provml:braidId`` in the store (blocks, and
  records, tags and versions written with ids from elsewhere);
- a manager claims ``first`` = its cached mark + 1 (at start: the store's mark + 1) and reads the
  claims of that block back: it wins only when its claim is the only one. Two managers racing for a
  block both see two claims (or the later one sees the earlier): nobody uses a block twice, and the
  losers read the mark again and retry.
"""

from __future__ import annotations

import threading
import uuid

import pyoxigraph as ox

from provlake.vocab import PROVML

from ..store._base import SelectResult, Store
from ._iris import Iris

__all__ = ["MAX_BLOCK", "BraidIds"]

MAX_BLOCK = 10_000
_ID = ox.NamedNode(PROVML.braidId)
_CLAIM = ox.NamedNode(PROVML.identifier)
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


class BraidIds:
    """Allocates blocks of Braid ids from one store (thread-safe)."""

    def __init__(self, store: Store, iris: Iris) -> None:
        self.store = store
        self.iris = iris
        self.graph = ox.NamedNode(f"{iris.base}graph/braid/ids")
        self._mark: int | None = None
        self._lock = threading.Lock()

    def _store_mark(self) -> int:
        result = self.store.query(f"SELECT (MAX(?id) AS ?mark) WHERE {{ ?node <{_ID.value}> ?id }}")
        assert isinstance(result, SelectResult)
        value = result.rows[0][0] if result.rows else None
        return int(value.value) if value is not None else 0

    def allocate(self, count: int) -> int:
        """Reserve ``count`` fresh ids (1 to ``MAX_BLOCK``); returns the first."""
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_BLOCK:
            raise ValueError(f"count must be an integer from 1 to {MAX_BLOCK}, got {count!r}")
        with self._lock:
            while True:
                if self._mark is None:
                    self._mark = self._store_mark()
                first, last = self._mark + 1, self._mark + count
                block = ox.NamedNode(f"{self.iris.base}braid/id-block/{first}")
                token = uuid.uuid4().hex
                self.store.add(
                    [
                        ox.Quad(block, _ID, ox.Literal(str(last), datatype=_INTEGER), self.graph),
                        ox.Quad(block, _CLAIM, ox.Literal(token), self.graph),
                    ]
                )
                claims = self.store.query(
                    f"SELECT ?claim WHERE {{ GRAPH <{self.graph.value}> "
                    f"{{ <{block.value}> <{_CLAIM.value}> ?claim }} }}"
                )
                assert isinstance(claims, SelectResult)
                if [row[0].value for row in claims.rows] == [token]:
                    self._mark = last
                    return first
                self._mark = None  # another manager took this block: read the mark again
