"""Re-send captured batches in order: a ``file`` transport's JSONL file, or a spool directory."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from provlake._config import Settings
from provlake._exceptions import BatchRejected
from provlake._registry import make_transport
from provlake._spool import Spool
from provlake._transports import Transport

__all__ = ["ReplayResult", "replay"]

log = logging.getLogger("provlake")


@dataclasses.dataclass
class ReplayResult:
    """What a replay sent (``batches``: requests); ``rejected`` and ``unreadable`` count batches the
    receiver refused and torn lines; ``busy``, spool folders of processes still running, left to
    them.
    """

    batches: int = 0
    records: int = 0
    rejected: int = 0
    unreadable: int = 0
    busy: int = 0


def replay(
    path: str | Path,
    transport: Transport | str | Mapping[str, Any] | None = None,
    **settings: Any,
) -> ReplayResult:
    """Send every batch under ``path`` in order; sending twice is harmless (ids make records
    idempotent).

    ``path`` is a JSONL file written by the file transport (left in place, one request a line) or
    a spool directory (``PROVML_SPOOL_DIR``: the folders of processes that ended, merged into
    batches of ``batch_size`` records, each segment deleted once delivered, refused batches kept in
    ``rejected/``; the folders of running processes are theirs to send). Raises
    :class:`TransportError` when the receiver is unreachable (run it again later).
    """
    resolved = Settings.resolve(settings)
    sender = make_transport(transport, resolved)
    path = Path(path)
    result = ReplayResult()
    try:
        if path.is_dir():
            root = path.parent if path.name == "pending" else path
            spool = Spool(root)

            def send(body: bytes, count: int) -> None:
                sender.send(body, count)
                result.batches += 1
                result.records += count

            drained = spool.drain(send, batch_size=resolved.batch_size)
            result.rejected, result.busy = drained.rejected, drained.busy
            if drained.busy:
                log.warning(
                    "provlake: %d spool folders under %s belong to running processes: left to them",
                    drained.busy,
                    spool.pending,
                )
        else:
            with open(path, "rb") as f:
                for number, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        records = json.loads(line)["records"]
                    except (ValueError, KeyError, TypeError):
                        log.error(
                            "provlake: %s line %d is not a capture batch, skipped", path, number
                        )
                        result.unreadable += 1
                        continue
                    try:
                        sender.send(line.rstrip(b"\n"), len(records))
                    except BatchRejected as exc:
                        log.error("provlake: %s line %d refused: %s", path, number, exc)
                        result.rejected += 1
                        continue
                    result.batches += 1
                    result.records += len(records)
    finally:
        sender.close()
    return result
