"""Synchronous capture, for APIs whose calls return ids that later calls use (provlake.braid).

The pipeline of :class:`provlake.Client` sends in the background; a synchronous writer sends each
write as one batch, in the caller's thread, and returns only once the receiver acknowledged it
(committed), so a read right after sees it. Records and batches are encoded exactly as the pipeline
encodes them. Refusals and outages are raised to the caller (:class:`BatchRejected`,
:class:`TransportError`): a caller that is handed an id must know the write happened.

Reads go to the same receiver as named questions: a :class:`SyncTransport` is a transport that also
answers ``ask(question, params)`` and hands out blocks of integer ids (``allocate(count)``);
:func:`provlake._manager.open_sync_transport` picks one for a manager URL, a path or a store URI.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from provlake._records import encode_batch, encode_record
from provlake._transports import Transport

__all__ = ["SyncTransport", "SyncWriter"]


class SyncTransport(Transport):
    """A transport whose receiver commits before acknowledging, answers named questions and
    allocates ids."""

    def ask(self, question: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows of a named question (JSON values), or an error (never an empty answer)."""
        raise NotImplementedError

    def allocate(self, count: int) -> int:
        """Reserve ``count`` integer ids no other writer of the receiver's store gets; the first."""
        raise NotImplementedError


class SyncWriter:
    """Sends records as acknowledged batches from the caller's thread; hands out ids in blocks."""

    def __init__(self, transport: SyncTransport, block: int = 16) -> None:
        from provlake import __version__

        self.transport = transport
        self.client = {"name": "provlake", "version": __version__}
        self.block = block
        self._lock = threading.Lock()
        self._next = 0
        self._last = -1

    def write(self, records: list[Mapping[str, Any]]) -> None:
        """One batch of ``records``, committed when this returns; raises what the transport
        raises."""
        body = encode_batch([encode_record(r) for r in records], self.client)
        with self._lock:
            self.transport.send(body, len(records))

    def ask(self, question: str, **params: Any) -> list[dict[str, Any]]:
        given = {k: v for k, v in params.items() if v is not None}
        with self._lock:
            return self.transport.ask(question, given)

    def new_id(self) -> int:
        """A fresh integer id (from a block reserved at the receiver)."""
        with self._lock:
            if self._next > self._last:
                first = self.transport.allocate(self.block)
                self._next, self._last = first, first + self.block - 1
            value = self._next
            self._next += 1
            return value

    def close(self) -> None:
        self.transport.close()
