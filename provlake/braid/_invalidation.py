"""Invalidation: the cascade, written as one batch, then the actions of the records it reached.

The cascade follows the derivations downstream (``braid-cascade``: the edges reachable from the
record, cycles included) breadth-first, each record once; a record already invalid keeps its
invalidation and stops the cascade there (its own cascade went on when it was invalidated). Every
invalidation of a cascade names the same root (the true root: the root of ``root_invalidation``
when one is given) and is ``prov:wasInformedBy`` the invalidation of the record it came through.
If a concurrent writer invalidated one of the records meanwhile, the manager refuses the batch
(a record is invalidated once) and the cascade is computed again.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from typing import Any

from ._actions import run_action
from ._db import BraidDB
from ._types import BraidInputError, BraidRejected, UnknownRecord

__all__ = ["invalidate"]

_ATTEMPTS = 3


def _plan(db: BraidDB, start: int, cascade: bool) -> list[tuple[int, int | None]]:
    """(record, the record it was reached from) in breadth-first order, the start first."""
    order: list[tuple[int, int | None]] = [(start, None)]
    if not cascade:
        return order
    edges: dict[int, list[tuple[int, bool]]] = {}
    for row in db.ask("braid-cascade", record=str(start)):
        edges.setdefault(row["source_id"], []).append((row["target_id"], row["target_invalid"]))
    seen, queue = {start}, deque([start])
    while queue:
        source = queue.popleft()
        for target, invalid in sorted(edges.get(source, [])):
            if target in seen or invalid:
                continue
            seen.add(target)
            order.append((target, source))
            queue.append(target)
    return order


def invalidate(
    db: BraidDB,
    record_id: int,
    cause: str | None,
    root_invalidation: Any,
    cascade: bool,
    act: bool,
    act_on_cascade: bool,
) -> bool:
    if cause is None and root_invalidation is None:
        raise ValueError("At least one of the cause or root_invalidation must be provided")
    root, informed_by = None, None
    if root_invalidation is not None:
        rows = db.ask("braid-invalidation", invalidation=str(root_invalidation).replace("-", ""))
        if not rows:
            raise BraidInputError(f"no invalidation {root_invalidation!r} in {db}")
        root, informed_by = rows[0]["root"], rows[0]["invalidation"]
        if cause is None:
            cause = f"As a result of Invalidation id {root_invalidation}"
    for attempt in range(_ATTEMPTS):
        row = db.record_row(record_id)
        if row is None:
            raise UnknownRecord(f"no record {record_id} in {db}")
        if row.get("invalidation") is not None:
            return False
        order = _plan(db, record_id, cascade)
        ids = {rec: uuid.uuid4().hex for rec, _ in order}
        top = root or ids[record_id]
        stamp = time.time()
        batch = []
        for rec, parent in order:
            entry = {
                "type": "braid.invalidation",
                "invalidation": ids[rec],
                "record": rec,
                "cause": cause,
                "time": stamp,
            }
            if ids[rec] != top:
                entry["root"] = top
            via = ids[parent] if parent is not None else informed_by
            if via is not None:
                entry["informed_by"] = via
            batch.append(entry)
        try:
            db.write(batch)
        except BraidRejected as exc:
            conflict = exc.status == 422 and "BraidRecord-invalidation" in exc.body
            if conflict and attempt + 1 < _ATTEMPTS:
                continue  # a concurrent invalidation: compute the cascade again
            raise
        break
    _run_actions(db, order, ids, top, cause, stamp, act, act_on_cascade)
    return True


def _run_actions(db, order, ids, root, cause, stamp, act, act_on_cascade) -> None:
    runs = []
    for rec, parent in order:
        if not (act if parent is None else act_on_cascade):
            continue
        actions = db.ask("braid-actions", record=str(rec))
        if not actions:
            continue
        row = db.record_row(rec) or {}
        tags = {key: tag.value for key, tag in db.get_tags(rec).items()}
        event = {
            "record_id": rec,
            "name": row.get("name") or "",
            "cause": cause,
            "invalidation": ids[rec],
            "root_invalidation": root,
            "time": stamp,
            "tags": tags,
        }
        for action in actions:
            outcome = run_action(action, event)
            runs.append(
                {
                    "type": "braid.action_run",
                    "execution": uuid.uuid4().hex,
                    "action": action["action_id"],
                    "invalidation": ids[rec],
                    "record": rec,
                    **outcome,
                }
            )
    if runs:
        db.write(runs)
