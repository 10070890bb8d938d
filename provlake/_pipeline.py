"""The capture pipeline: an append-only buffer filled by the caller, drained by one background
flusher.

Caller's thread: build a record (a tuple or a small dict) and ``deque.append`` it; no I/O, no lock.
A tuple is a metric (its first item ``METRIC``) or deferred work: its first item a function that
turns the tuple into the JSON texts of one or more records on the flusher thread (the legacy API
converts its values so). That work costs the flusher more than the caller: when a quarter of
``max_buffer`` is waiting, a caller appending deferred work waits (at most ``flush_interval`` each
time) for the flusher to catch up, rather than the buffer filling up and records being dropped.
Flusher thread:
every ``flush_interval`` seconds, or as soon as a full batch is waiting, turn records into batches
and hand them to :class:`~provlake._delivery.Delivery` (the transport, retries, the spool).
``flush`` and ``close`` wait for it with a bounded wait and say what is left.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Mapping
from typing import Any

from provlake._delivery import COUNTERS, Delivery
from provlake._records import METRIC, MetricEncoder, encode_batch, encode_record
from provlake._spool import Spool
from provlake._transports import Transport

__all__ = ["Pipeline"]

log = logging.getLogger("provlake")
_PIPELINES: weakref.WeakSet[Pipeline] = weakref.WeakSet()


class _Marker:
    """Put in the buffer by ``flush()``: set once every record before it is delivered or spooled."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class Pipeline:
    """Buffer + flusher + delivery (transport and spool)."""

    def __init__(self, transport: Transport, settings: Any, client: Mapping[str, str]) -> None:
        self.transport = transport
        self.settings = settings
        self.spool = Spool(settings.spool_dir)
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.delivery = Delivery(transport, settings, self.spool, client, self.counters)
        self.buffer: deque[Any] = deque()
        self._encode_metric = MetricEncoder()
        self.soft_limit = settings.batch_size
        self._room = threading.Event()  # cleared by a caller waiting for the flusher to catch up
        self._room.set()
        self._wake = threading.Event()
        self._closing = False
        self._local: list[str] = []  # records the flusher took from the buffer, not yet delivered
        self._lost_seen = (0, 0)  # (refused batches, dropped records) at the last acked flush
        self._close_deadline = float("inf")
        # records waiting in the buffer that make the flusher go through the spool (see _cycle)
        self._spill_at = max(4 * settings.batch_size, settings.max_buffer // 20)
        # records waiting that make a caller of deferred work wait for the flusher to catch up
        self._wait_at = max(settings.batch_size, settings.max_buffer // 4)
        self._start()
        _PIPELINES.add(self)

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="provlake-flusher", daemon=True)
        self._thread.start()

    def _after_fork_in_child(self) -> None:
        """A forked child (e.g. a data-loader worker) gets its own flusher and an empty buffer."""
        self.buffer.clear()  # the parent sends what it captured before the fork
        self._wake = threading.Event()
        self._room = threading.Event()
        self._room.set()
        self.spool.after_fork()  # the parent's spool folder stays the parent's
        self._encode_metric = MetricEncoder()
        self.counters.update(dict.fromkeys(self.counters, 0))
        self._lost_seen = (0, 0)
        if not self._closing:
            self._start()
            mp_util = sys.modules.get("multiprocessing.util")
            if mp_util is not None:  # its workers end with os._exit (no atexit): flush at exit
                mp_util.register_after_fork(self, _flush_at_worker_exit)

    # -- caller side -----------------------------------------------------------------------------
    def put(self, item: Any) -> None:
        """Append a record (dict), a tuple (a metric, or deferred work: see the module) or a
        callable returning a record."""
        buf = self.buffer
        if len(buf) < self.soft_limit:
            buf.append(item)
        else:
            self.put_under_pressure(item)

    def put_under_pressure(self, item: Any) -> None:
        """The buffer holds a full batch: wake the flusher; deferred work past a quarter of
        ``max_buffer`` waits for the flusher to catch up (bounded); past ``max_buffer`` count the
        record as dropped.
        """
        if (
            len(self.buffer) >= self._wait_at
            and type(item) is tuple
            and item[0] is not METRIC
            and self._thread.is_alive()
            and threading.get_ident() != self._thread.ident
        ):
            self._room.clear()
            self._wake.set()
            self._room.wait(self.settings.flush_interval)
        if len(self.buffer) >= self.settings.max_buffer:
            self.counters["dropped_records"] += 1
            if self.counters["dropped_records"] == 1:
                log.error("provlake: capture buffer full (%d records), dropping", len(self.buffer))
        else:
            self.buffer.append(item)
        if not self._wake.is_set():
            self._wake.set()

    def flush(
        self, timeout: float | None = None, acknowledged: bool = False, *, report: bool = True
    ) -> bool:
        """Wait until every record captured so far is delivered or spooled; False on timeout
        (None: ``flush_timeout``), and then a warning says what is pending.

        With ``acknowledged``: until the receiver committed it all (this process's spool drained
        too; a reconnection is tried at once), and False as well when a batch was refused or records
        dropped since the previous acknowledged flush.
        """
        timeout = self.settings.flush_timeout if timeout is None else timeout
        if not self._thread.is_alive():
            return not self.buffer
        deadline = time.monotonic() + timeout
        delivery = self.delivery
        if acknowledged:
            delivery.backoff.reset()  # someone waits: try the transport again now
        marker = _Marker()
        self.buffer.append(marker)
        self._wake.set()
        done = marker.done.wait(timeout)
        while done and acknowledged and (delivery.backlog or delivery.inflight is not None):
            if time.monotonic() >= deadline:
                done = False
            else:
                time.sleep(0.01)
        if not done:
            if report:
                kind = "flush(acknowledged=True)" if acknowledged else "flush()"
                log.warning("provlake: %s timed out after %g s: %s", kind, timeout, self.pending())
            return False
        lost = (self.counters["rejected_batches"], self.counters["dropped_records"])
        if acknowledged and lost != self._lost_seen:
            refused, dropped = (now - seen for now, seen in zip(lost, self._lost_seen, strict=True))
            self._lost_seen = lost
            log.warning(
                "provlake: flush(acknowledged=True): %d batches refused (kept in %s) and %d "
                "records dropped since the previous acknowledged flush",
                refused,
                self.spool.rejected.resolve(),
                dropped,
            )
            return False
        return True

    def pending(self) -> str:
        """What is not acknowledged yet, where it waits, and how it will be sent."""
        memory = len(self.buffer) + len(self._local)  # the batch being sent is in _local
        spooled = self.spool.pending_records
        where = self.spool.folder or self.spool.pending
        text = (
            f"{memory + spooled} records not acknowledged yet ({memory} in memory, {spooled} "
            f"in the spool {where.resolve()})"
        )
        if self.delivery.last_error:
            text += f"; last error: {self.delivery.last_error}"
        return (
            f"{text}. They are sent when the receiver answers; if this process ends first, the "
            f"next client started with this spool directory sends them, or: {self.replay_command()}"
        )

    def replay_command(self) -> str:
        url = getattr(self.transport, "url", None)
        return f"provml replay {self.spool.root.resolve()}" + (f" --manager {url}" if url else "")

    def close(self, timeout: float | None = None) -> bool:
        """Final flush (bounded wait), then stop the flusher; True when everything was
        acknowledged. Undelivered batches stay spooled, and a warning says how to replay them.

        When the wait times out (a slow or hung manager), what the flusher still holds and what is
        still buffered is written to the spool from this thread, so the next client started on the
        same spool (or ``provml replay``) sends it: sending twice is harmless, losing is not.
        """
        if not self._thread.is_alive():
            return True
        wait = 1e9 if timeout is None else timeout
        self._close_deadline = time.monotonic() + wait
        self._closing = self.delivery.closing = True
        done = self.flush(wait, report=False)
        if not done:
            self.delivery.abandon = True
            self._spill_remaining()
        self._wake.set()  # the flusher drains the spool until the deadline, then stops
        self._thread.join(max(0.1, self._close_deadline - time.monotonic()) if done else 0.1)
        self.transport.close()
        left = self.spool.pending_records
        self.spool.release(writer_alive=self._thread.is_alive())  # a stuck send may still spool
        dropped, refused = self.counters["dropped_records"], self.counters["rejected_batches"]
        if dropped or refused or left:
            log.warning(
                "provlake: closed with %d records not acknowledged, %d dropped, %d batches refused "
                "(kept in %s)%s",
                left,
                dropped,
                refused,
                self.spool.rejected.resolve(),
                f". The {left} records wait in the spool {self.spool.root.resolve()}: the next "
                "client started with this spool directory sends them, or now: "
                f"{self.replay_command()}"
                if left
                else "",
            )
        return done and not left

    def _spill_remaining(self) -> None:
        """On the closing thread: the in-flight batch, the flusher's pending records and the buffer
        go to a spool segment of their own (after the flusher's, so order is kept)."""
        inflight = self.delivery.inflight
        batches = [] if inflight is None else [(inflight, self.delivery.inflight_count)]
        records = list(self._local)
        encode_metric = MetricEncoder()
        buf = self.buffer
        while buf:
            item = buf.popleft()
            if type(item) is not _Marker:
                text = self._encode(item, encode_metric)
                if type(text) is str:
                    records.append(text)
                elif text is not None:
                    records += text
        size = self.settings.batch_size
        for i in range(0, len(records), size):
            part = records[i : i + size]
            batches.append((encode_batch(part, self.delivery.client), len(part)))
        try:
            self.spool.spill(batches)
        except OSError as exc:
            self.counters["dropped_records"] += len(records)
            log.error("provlake: cannot spool %d records at exit: %s", len(records), exc)

    # -- flusher thread -------------------------------------------------------------------------
    def _loop(self) -> None:
        delivery = self.delivery
        while True:
            self._wake.wait(self.settings.flush_interval)
            self._wake.clear()
            try:
                self._cycle()
            except Exception:  # a bug here must not kill capture for the rest of the run
                log.exception("provlake: unexpected error in the flusher")
            if self._closing and not self.buffer:
                now = time.monotonic()
                if delivery.may_drain(now) and now < self._close_deadline:
                    continue  # the spool is being drained: go on until the deadline
                self.spool.seal()
                return
            if delivery.may_drain(time.monotonic()):
                self._wake.set()  # more in the spool and the transport answers: no pause

    def _encode(self, item: Any, encode_metric: MetricEncoder) -> str | list[str] | None:
        """JSON text of a buffered record (a list of them for deferred work); None (counted) if
        it cannot be sent."""
        try:
            if type(item) is tuple:
                head = item[0]
                return encode_metric(item) if head is METRIC else head(item, encode_metric)
            return encode_record(item if type(item) is dict else item())
        except Exception:  # not JSON-encodable, or a lazy record that failed: count, go on
            log.exception("provlake: a record could not be encoded, dropped")
            self.counters["dropped_records"] += 1
            return None

    def _cycle(self) -> None:
        batch_size = self.settings.batch_size
        encode_metric = self._encode_metric
        delivery = self.delivery
        records: list[str] = []
        self._local = records
        markers: list[_Marker] = []
        now = time.monotonic()
        if delivery.may_drain(now):
            # a slice of the backlog, then the buffer (moved to disk): memory stays bounded
            delivery.drain(min(now + self.settings.flush_interval, self._close_deadline))
        buf = self.buffer
        while buf:
            item = buf.popleft()
            if type(item) is _Marker:
                markers.append(item)
                continue
            text = self._encode(item, encode_metric)
            if type(text) is str:
                records.append(text)
            elif text is None:
                continue
            else:
                records += text
            while len(records) >= batch_size:  # deferred work may give more than a batch
                rest = records[batch_size:]
                del records[batch_size:]
                delivery.deliver(records)
                records = rest
                self._local = records
                if len(buf) < self._wait_at // 2:
                    self._room.set()  # a waiting caller goes on
                if not delivery.backlog and len(buf) >= self._spill_at:
                    # the transport is slower than the capture: go through the spool, in order
                    log.info(
                        "provlake: %d records waiting, spooling to %s", len(buf), self.spool.root
                    )
                    delivery.backlog = True
        if records:
            delivery.deliver(records)
        self._local = []
        self._room.set()
        for marker in markers:
            marker.done.set()

    def stats(self) -> dict[str, int]:
        """Counters since the pipeline started, plus records waiting in memory, this process's
        records waiting in the spool, and the spool segments on disk (of every process).
        """
        out = dict(self.counters)
        out["non_finite_metrics"] = self._encode_metric.non_finite
        out["buffered_records"] = len(self.buffer)
        out["spooled_pending_records"] = self.spool.pending_records
        out["spool_segments"] = len(self.spool.segments())
        return out


def _flush_at_worker_exit(pipeline: Pipeline) -> None:
    from multiprocessing import util

    util.Finalize(pipeline, pipeline.close, (pipeline.settings.exit_timeout,), exitpriority=10)


def _reinit_after_fork() -> None:
    for pipeline in list(_PIPELINES):
        pipeline._after_fork_in_child()


os.register_at_fork(after_in_child=_reinit_after_fork)
