"""Content-derived identity of data: the same description gives the same id in every run.

An entity record of data (any kind but ``model``) that no execution generated, and that names its
content — a ``digest``, a ``location`` or, for a knowledge-graph reference, ``refers_to`` — gets an
id derived from its description: the first 32 hex digits of the SHA-256 of the canonical JSON of
its descriptive fields (:data:`DESCRIPTIVE_FIELDS` that are present and not empty; keys sorted, no
whitespace, UTF-8). Three runs that describe the same data alike therefore send the same id, and
the manager, which recomputes it, keeps that one description in the shared data graph
(``docs/capture-format.md``, "Data identity"). Models and generated data belong to the run that
generated them and keep a per-run id; so does data without content.

>>> data_id({"kind": "dataset", "name": "digits", "digest": "sha256:ab"})
'89f0b3f1656596a0cade6eaa982c00ab'
>>> data_id({"kind": "dataset", "name": "digits", "digest": "sha256:ab", "attributes": {}})
'89f0b3f1656596a0cade6eaa982c00ab'
>>> data_id({"kind": "model", "name": "mlp", "digest": "sha256:ab"}) is None
True
>>> data_id({"kind": "dataset", "name": "toy", "record_count": 100}) is None  # no content named
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["CONTENT_FIELDS", "DESCRIPTIVE_FIELDS", "data_id"]

#: the fields that describe data (not its links to a run): the input of the content-derived id
DESCRIPTIVE_FIELDS = (
    "kind",
    "name",
    "location",
    "digest",
    "version",
    "record_count",
    "refers_to",
    "attributes",
    "derived_from",
    "revision_of",
)
#: a record names its content when one of these is present
CONTENT_FIELDS = ("digest", "location", "refers_to")
_EMPTY: tuple[Any, ...] = (None, "", [], {})


def data_id(fields: Mapping[str, Any]) -> str | None:
    """The content-derived id of an entity record's ``fields``, or None when it has none (a model,
    generated data, or data that names no content)."""
    if fields.get("kind") == "model" or fields.get("generated_by") is not None:
        return None
    if all(fields.get(name) in _EMPTY for name in CONTENT_FIELDS):
        return None
    description = {k: fields[k] for k in DESCRIPTIVE_FIELDS if fields.get(k) not in _EMPTY}
    text = json.dumps(
        description, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]
