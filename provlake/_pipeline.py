"""The capture pipeline: an append-only buffer filled by the caller, drained by one background
flusher.

Caller's thread: build a record (a tuple or a small dict) and ``deque.append`` it; no I/O, no lock.
Flusher thread: every ``flush_interval`` seconds, or as soon as a full batch is waiting, turn
records into batches and hand them to the transport, retrying with exponential backoff. A batch that
cannot be delivered goes to the on-disk spool, and so does every later batch until the spool is
drained (order is kept); the spool is re-sent oldest first when the transport is back, including
segments left by a crashed process.
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

from provlake._exceptions import BatchRejected, TransportError
from provlake._records import MetricEncoder, encode_batch, encode_record
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
    """Buffer + flusher + spool in front of one transport."""

    def __init__(self, transport: Transport, settings: Any, client: Mapping[str, str]) -> None:
        self.transport = transport
        self.settings = settings
        self.client = dict(client)
        self.spool = Spool(settings.spool_dir)
        self.buffer: deque[Any] = deque()
        self._encode_metric = MetricEncoder()
        self.soft_limit = settings.batch_size
        self._wake = threading.Event()
        self._closing = False
        self._abandon = False  # set when a close timed out: spool everything, send nothing more
        self._inflight: bytes | None = None  # the batch being sent
        self._local: list[str] = []  # records the flusher took from the buffer, not yet delivered
        self._offline_until = 0.0
        self._delay = settings.backoff
        self._backlog = True  # a previous process may have left segments: try them first
        self._close_deadline = float("inf")
        # records waiting in the buffer that make the flusher go through the spool (see _cycle)
        self._spill_at = max(4 * settings.batch_size, settings.max_buffer // 20)
        self.counters = dict.fromkeys(
            (
                "sent_records",
                "sent_batches",
                "spooled_records",
                "spooled_batches",
                "replayed_batches",
                "rejected_batches",
                "dropped_records",
            ),
            0,
        )
        self._start()
        _PIPELINES.add(self)

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="provlake-flusher", daemon=True)
        self._thread.start()

    def _after_fork_in_child(self) -> None:
        """A forked child (e.g. a data-loader worker) gets its own flusher and an empty buffer."""
        self.buffer.clear()  # the parent sends what it captured before the fork
        self._wake = threading.Event()
        self.spool._segment = None  # the parent's open segment stays the parent's
        self._encode_metric = MetricEncoder()  # new id prefix: no id shared with the parent
        self.counters = dict.fromkeys(self.counters, 0)
        if not self._closing:
            self._start()
            mp_util = sys.modules.get("multiprocessing.util")
            if (
                mp_util is not None
            ):  # its workers end with os._exit (no atexit): flush at their exit
                mp_util.register_after_fork(self, _flush_at_worker_exit)

    # -- caller side -----------------------------------------------------------------------------
    def put(self, item: Any) -> None:
        """Append a record (dict), a metric tuple or a callable returning a record."""
        buf = self.buffer
        if len(buf) < self.soft_limit:
            buf.append(item)
        else:
            self.put_under_pressure(item)

    def put_under_pressure(self, item: Any) -> None:
        """The buffer holds a full batch: wake the flusher; past ``max_buffer`` count the record as
        dropped.
        """
        if len(self.buffer) >= self.settings.max_buffer:
            self.counters["dropped_records"] += 1
            if self.counters["dropped_records"] == 1:
                log.error("provlake: capture buffer full (%d records), dropping", len(self.buffer))
        else:
            self.buffer.append(item)
        if not self._wake.is_set():
            self._wake.set()

    def flush(self, timeout: float | None = None, acknowledged: bool = False) -> bool:
        """Wait until every record captured so far is delivered or spooled (with ``acknowledged``:
        delivered, the spool drained too); False on timeout."""
        if not self._thread.is_alive():
            return not self.buffer
        deadline = None if timeout is None else time.monotonic() + timeout
        marker = _Marker()
        self.buffer.append(marker)
        self._wake.set()
        if not marker.done.wait(timeout):
            return False
        while acknowledged and (self._backlog or self._inflight is not None):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float | None = None) -> bool:
        """Final flush (bounded wait), then stop the flusher; undelivered batches stay spooled.

        When the wait times out (a slow or hung manager), what the flusher still holds and what is
        still buffered is written to the spool from this thread, so the next client started on the
        same spool (or ``provml replay``) sends it: sending twice is harmless, losing is not.
        """
        if not self._thread.is_alive():
            return True
        started = time.monotonic()
        self._close_deadline = started + (timeout if timeout is not None else 1e9)
        self._closing = True
        done = self.flush(timeout)
        if not done:
            self._abandon = True
            self._spill_remaining()
        self._wake.set()  # the flusher drains the spool until the deadline, then stops
        self._thread.join(max(0.1, self._close_deadline - time.monotonic()) if done else 0.1)
        self.transport.close()
        c = self.counters
        if c["dropped_records"] or c["rejected_batches"] or self._backlog or not done:
            log.warning(
                "provlake: closed with %d dropped records, %d rejected batches%s (spool: %s)",
                c["dropped_records"],
                c["rejected_batches"],
                ", undelivered batches kept in the spool" if self._backlog or not done else "",
                self.spool.root,
            )
        return done

    def _spill_remaining(self) -> None:
        """On the closing thread: the in-flight batch, the flusher's pending records and the buffer
        go to a spool segment of their own (after the flusher's, so order is kept)."""
        bodies = [] if self._inflight is None else [self._inflight]
        records = list(self._local)
        encode_metric = MetricEncoder()
        buf = self.buffer
        while buf:
            item = buf.popleft()
            if type(item) is not _Marker:
                text = self._encode(item, encode_metric)
                if text is not None:
                    records.append(text)
        size = self.settings.batch_size
        bodies += [
            encode_batch(records[i : i + size], self.client) for i in range(0, len(records), size)
        ]
        spool = Spool(self.spool.root)
        try:
            for body in bodies:
                spool.append(body)
            spool.seal()
        except OSError as exc:
            self.counters["dropped_records"] += len(records)
            log.error("provlake: cannot spool %d records at exit: %s", len(records), exc)

    # -- flusher thread -------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            self._wake.wait(self.settings.flush_interval)
            self._wake.clear()
            try:
                self._cycle()
            except Exception:  # a bug here must not kill capture for the rest of the run
                log.exception("provlake: unexpected error in the flusher")
            if self._closing and not self.buffer:
                now = time.monotonic()
                draining = self._backlog and not self._abandon and self._offline_until <= now
                if draining and now < self._close_deadline:
                    continue  # the spool is being drained: go on until the deadline
                self.spool.seal()
                return
            if self._backlog and not self._abandon and time.monotonic() >= self._offline_until:
                self._wake.set()  # more in the spool and the transport answers: no pause

    def _encode(self, item: Any, encode_metric: MetricEncoder) -> str | None:
        """JSON text of a buffered record; None (counted) if it cannot be sent."""
        if type(item) is tuple:
            return encode_metric(item)
        try:
            return encode_record(item if type(item) is dict else item())
        except Exception:  # not JSON-encodable, or a lazy record that failed: count, go on
            log.exception("provlake: a record could not be encoded, dropped")
            self.counters["dropped_records"] += 1
            return None

    def _cycle(self) -> None:
        batch_size = self.settings.batch_size
        encode_metric = self._encode_metric
        records: list[str] = []
        self._local = records
        markers: list[_Marker] = []
        now = time.monotonic()
        if self._backlog and now >= self._offline_until and not self._abandon:
            # a slice of the backlog, then the buffer (moved to disk): memory stays bounded
            self._drain_spool(min(now + self.settings.flush_interval, self._close_deadline))
        buf = self.buffer
        while buf:
            item = buf.popleft()
            if type(item) is _Marker:
                markers.append(item)
                continue
            text = self._encode(item, encode_metric)
            if text is None:
                continue
            records.append(text)
            if len(records) >= batch_size:
                self._deliver(records)
                records = []
                self._local = records
                if not self._backlog and len(buf) >= self._spill_at:
                    # the transport is slower than the capture: go through the spool, in order
                    log.info(
                        "provlake: %d records waiting, spooling to %s", len(buf), self.spool.root
                    )
                    self._backlog = True
        if records:
            self._deliver(records)
        self._local = []
        for marker in markers:
            marker.done.set()

    def _deliver(self, records: list[str]) -> None:
        body = encode_batch(records, self.client)
        count = len(records)
        if self._abandon:  # a close timed out: no more waiting on the transport
            self._to_spool(body, count)
            return
        if self._backlog:  # older batches wait on disk: this one goes after them
            self._to_spool(body, count)
            return
        try:
            self._inflight = body
            self._send(body, count, retries=0 if self._closing else self.settings.max_retries)
        except BatchRejected as exc:
            self._reject(body, count, exc)
        except TransportError as exc:
            log.warning("provlake: %s; spooling to %s", exc, self.spool.pending)
            self._offline()
            self._to_spool(body, count)
        finally:
            self._inflight = None

    def _send(self, body: bytes, count: int, retries: int) -> None:
        started = time.monotonic()
        delay = self.settings.backoff
        for attempt in range(retries + 1):
            try:
                self.transport.send(body, count)
            except BatchRejected:
                raise
            except TransportError:
                spent = time.monotonic() - started
                if attempt == retries or spent + delay > self.settings.timeout:
                    raise
                time.sleep(delay)
                delay *= 2
            else:
                self.counters["sent_batches"] += 1
                self.counters["sent_records"] += count
                return

    def _drain_spool(self, deadline: float) -> None:
        def send(body: bytes, count: int) -> None:
            self.transport.send(body, count)
            self.counters["replayed_batches"] += 1
            self.counters["sent_batches"] += 1
            self.counters["sent_records"] += count

        try:
            _, _, rejected, complete = self.spool.drain(send, deadline)
        except TransportError as exc:
            log.info("provlake: transport still unavailable (%s)", exc)
            self._offline()
        except OSError as exc:
            log.error("provlake: cannot read the spool %s: %s", self.spool.pending, exc)
            self._offline()
        else:
            self._backlog = not complete
            self._delay = self.settings.backoff
            self.counters["rejected_batches"] += rejected

    def _offline(self) -> None:
        self._backlog = True
        self._offline_until = time.monotonic() + self._delay
        self._delay = min(self._delay * 2, self.settings.max_backoff)

    def _to_spool(self, body: bytes, count: int) -> None:
        try:
            self.spool.append(body)
        except OSError as exc:
            self.counters["dropped_records"] += count
            log.error("provlake: cannot spool %d records to %s: %s", count, self.spool.pending, exc)
        else:
            self.counters["spooled_batches"] += 1
            self.counters["spooled_records"] += count

    def _reject(self, body: bytes, count: int, exc: BatchRejected) -> None:
        log.error("provlake: %s (kept in %s)", exc, self.spool.rejected)
        try:
            self.spool.reject(body, str(exc), exc.status)
        except OSError as err:
            log.error("provlake: cannot keep the rejected batch: %s", err)
            self.counters["dropped_records"] += count
        self.counters["rejected_batches"] += 1

    def stats(self) -> dict[str, int]:
        """Counters since the pipeline started, plus records waiting in memory and spool segments on
        disk.
        """
        out = dict(self.counters)
        out["non_finite_metrics"] = self._encode_metric.non_finite
        out["buffered_records"] = len(self.buffer)
        out["spool_segments"] = len(self.spool.segments())
        return out


def _flush_at_worker_exit(pipeline: Pipeline) -> None:
    from multiprocessing import util

    util.Finalize(pipeline, pipeline.close, (pipeline.settings.exit_timeout,), exitpriority=10)


def _reinit_after_fork() -> None:
    for pipeline in list(_PIPELINES):
        pipeline._after_fork_in_child()


os.register_at_fork(after_in_child=_reinit_after_fork)
