"""Braid-DB on provml: facts, data and models that update each other, typed tags, URIs, and
invalidation that cascades with its cause and root and runs actions.

A Braid-DB script runs by changing its import (``from provlake.braid import ...``). Records are
PROV-ML entities in the knowledge graph, written synchronously through the capture pipeline to an
in-process manager (``BraidDB("braid.db")``: the database is that file) or to a provml manager
(``BraidDB("http://HOST:PORT")``); reads are named questions. See ``docs/braid.md``.

>>> import os, tempfile
>>> from provlake.braid import BraidDB, BraidData, BraidFact, BraidModel
>>> path = os.path.join(tempfile.mkdtemp(), "braid.db")
>>> db = BraidDB(path)
>>> calibration, scan = BraidFact(db, "calibration"), BraidData(db, "scan")
>>> model = BraidModel(db, "peak finder")
>>> _ = model.update(calibration), model.update(scan)
>>> [r.name for r in db.get_predecessors(model.record_id)]
['calibration', 'scan']
>>> calibration.invalidate("drifted").is_valid(), model.is_valid(), scan.is_valid()
(False, False, True)
>>> db.close()
"""

from provlake.braid._db import BraidDB, Session
from provlake.braid._records import BraidData, BraidFact, BraidModel, BraidRecord
from provlake.braid._types import (
    BraidDerivation,
    BraidError,
    BraidInputError,
    BraidInvalidationAction,
    BraidRecordModel,
    BraidRejected,
    BraidTagType,
    BraidTagValue,
    InvalidationActionType,
    UnknownRecord,
    digits,
)

__all__ = [
    "BraidDB",
    "BraidData",
    "BraidDerivation",
    "BraidError",
    "BraidFact",
    "BraidInputError",
    "BraidInvalidationAction",
    "BraidModel",
    "BraidRecord",
    "BraidRecordModel",
    "BraidRejected",
    "BraidTagType",
    "BraidTagValue",
    "InvalidationActionType",
    "Session",
    "UnknownRecord",
    "digits",
]
