"""Versions of datasets, algorithms and other input objects (OMProv), for the version graphs the
manager infers: register each version, with the version it revises and how much it changed; a
training that uses versions and generates a model makes that model a version of its name's model,
placed by the manager (docs/versions.md).

>>> import provlake as pl
>>> from provlake import versions
>>> with pl.start_run("prep", transport="memory:", capture_environment=False) as run:
...     v1 = versions.register("dataset", "digits", "v1", text="a b c d")
...     v2 = versions.register("dataset", "digits", "v2", revises=v1, text="a b c e")
>>> v2.id, run.client.transport.records[-2]["revises"]
('dataset.digits.v2', [{'id': 'dataset.digits.v1', 'weight': 0.25}])

The weight of a revision is given (``weight=``) or computed from the contents of both versions
(``path=`` a file or folder, ``text=``, ``data=`` bytes) with the measures of
``provlake._versions_diff``: the share of words (text), bytes (binary) or files (folder) that
differ, rounded to 12 decimals. A file is compared as text when both versions decode as UTF-8
without NUL bytes, else as bytes (``measure="binary"`` forces it). Only the standard library is
loaded.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provlake._exceptions import CaptureUsageError
from provlake._records import check_name
from provlake._run import active_run
from provlake._versions_diff import (
    binary_difference,
    digest_of,
    folder_difference,
    text_difference,
)

__all__ = ["Version", "difference", "ref", "register", "version_id"]

_PART = re.compile(r"[A-Za-z0-9_-]+")
_LAST = re.compile(r"[A-Za-z0-9._-]+")
_MEASURES = ("text", "binary", "folder")


def version_id(kind: str, name: str, version: str) -> str:
    """The client id of a registered version: ``kind.name.version`` when that is a valid id (kind
    and name without dots), else ``v-`` and 40 hex digits of a SHA-256 of the three.

    >>> version_id("dataset", "digits", "v1.2"), version_id("dataset", "my data", "1")[:8]
    ('dataset.digits.v1.2', 'v-21c55e')
    """
    readable = f"{kind}.{name}.{version}"
    if (
        _PART.fullmatch(kind)
        and _PART.fullmatch(name)
        and _LAST.fullmatch(version)
        and len(readable) <= 128
    ):
        return readable
    text = "\x00".join((kind, name, version)).encode()
    return "v-" + hashlib.sha256(text).hexdigest()[:40]


class Version:
    """A registered (or referenced) version: usable wherever an entity is (``used=[...]``)."""

    __slots__ = ("_content", "digest", "id", "kind", "measure", "name", "version")

    def __init__(
        self,
        kind: str,
        name: str,
        version: str,
        *,
        content: str | bytes | Path | None = None,
        measure: str | None = None,
        digest: str | None = None,
    ) -> None:
        self.kind, self.name, self.version = kind, name, version
        self.id = version_id(kind, name, version)
        self._content, self.measure, self.digest = content, measure, digest

    def __repr__(self) -> str:
        return f"<Version {self.kind} {self.name!r} {self.version!r}>"


def _content(path: Any, text: str | None, data: bytes | None, measure: str | None) -> tuple:
    """(content, measure) of a version from exactly one of ``path``, ``text``, ``data``."""
    given = [v for v in (path, text, data) if v is not None]
    if len(given) > 1:
        raise CaptureUsageError("give the content once: path=, text= or data=")
    if measure is not None and measure not in _MEASURES:
        raise CaptureUsageError(f"measure must be one of {', '.join(_MEASURES)}, got {measure!r}")
    if path is not None:
        path = Path(path)
        if path.is_dir():
            return path, "folder"
        if not path.is_file():
            raise CaptureUsageError(f"path {str(path)!r} is neither a file nor a folder")
        return path, measure or ("text" if _is_text(path.read_bytes()) else "binary")
    if text is not None:
        if not isinstance(text, str):
            raise CaptureUsageError(f"text must be a str, got {type(text).__name__}")
        return text, measure or "text"
    if data is not None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise CaptureUsageError(f"data must be bytes, got {type(data).__name__}")
        return bytes(data), measure or "binary"
    return None, None


def _is_text(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


def difference(old: str | bytes | Path, new: str | bytes | Path, measure: str) -> float:
    """How much ``new`` differs from ``old`` (texts, bytes, files or folders) by ``measure``
    (``text``, ``binary`` or ``folder``), between 0 and 1."""
    if measure == "folder":
        if not (isinstance(old, Path) and old.is_dir() and isinstance(new, Path)):
            raise CaptureUsageError("a folder is compared with a folder")
        return folder_difference(old, new)
    a, b = (c.read_bytes() if isinstance(c, Path) else c for c in (old, new))
    if measure == "binary":
        return binary_difference(*(c.encode() if isinstance(c, str) else c for c in (a, b)))
    if measure == "text":
        try:
            return text_difference(*(c.decode() if isinstance(c, bytes) else c for c in (a, b)))
        except UnicodeDecodeError as exc:
            raise CaptureUsageError("text comparison of content that is not UTF-8") from exc
    raise CaptureUsageError(f"measure must be one of {', '.join(_MEASURES)}, got {measure!r}")


def ref(
    kind: str,
    name: str,
    version: str,
    *,
    path: Any = None,
    text: str | None = None,
    data: bytes | None = None,
    measure: str | None = None,
) -> Version:
    """A handle on a version registered elsewhere (another process): sends nothing. Give its
    content to compute the weight of a later version revising it."""
    content, measure = _content(path, text, data, measure)
    digest = None if content is None else digest_of(content)
    return Version(kind, name, version, content=content, measure=measure, digest=digest)


def register(
    kind: str,
    name: str,
    version: str,
    *,
    revises: Version | Sequence[Version] | None = None,
    weight: float | Sequence[float] | None = None,
    path: Any = None,
    text: str | None = None,
    data: bytes | None = None,
    measure: str | None = None,
    location: str | None = None,
    run: Any = None,
) -> Version:
    """Register a version of input object ``name`` of ``kind`` (``dataset``, ``algorithm``, ...),
    revising the versions ``revises`` of the same object; returns its handle.

    Each revision's weight is ``weight`` (one number, or one per revised version) or, without it,
    computed from this version's content and the revised one's. ``run`` is the run sending the
    record (default: the active run).
    """
    for field, value in (("kind", kind), ("name", name), ("version", version)):
        check_name(value, field)
    run = run if run is not None else active_run()
    if run is None:
        raise CaptureUsageError("register a version inside a run (start_run), or pass run=")
    parents = [] if revises is None else [revises] if isinstance(revises, Version) else revises
    for parent in parents:
        if not isinstance(parent, Version):
            raise CaptureUsageError(f"revises takes Version handles, got {parent!r}")
        if (parent.kind, parent.name) != (kind, name):
            raise CaptureUsageError(
                f"{kind} {name!r} cannot revise a version of another object: {parent!r}"
            )
    content, found = _content(path, text, data, measure)
    weights = _weights(parents, weight, content, found)
    this = Version(
        kind,
        name,
        version,
        content=content,
        measure=found,
        digest=None if content is None else digest_of(content),
    )
    record: dict[str, Any] = {
        "type": "version",
        "id": this.id,
        "run": run.run_id,
        "time": time.time(),
        "kind": kind,
        "name": name,
        "version": version,
        "revises": [{"id": p.id, "weight": w} for p, w in zip(parents, weights, strict=True)],
    }
    if parents:
        record["measure"] = "declared" if weight is not None else found
    for field, value in (("digest", this.digest), ("location", location)):
        if value is not None:
            record[field] = check_name(value, field)
    run.client.pipeline.put(record)
    return this


def _weights(parents: list[Version], weight: Any, content: Any, measure: str | None) -> list:
    if weight is not None:
        weights = list(weight) if isinstance(weight, Sequence) else [weight]
        if len(weights) != len(parents):
            raise CaptureUsageError(f"give one weight per revised version ({len(parents)})")
        for w in weights:
            if isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w < float("inf"):
                raise CaptureUsageError(f"a weight is a finite number >= 0, got {w!r}")
        return [float(w) for w in weights]
    out = []
    for parent in parents:
        if content is None or parent._content is None:
            raise CaptureUsageError(
                f"the weight of the revision of {parent!r} needs weight= or the content of both "
                "versions (path=, text= or data=)"
            )
        if parent.measure != measure:
            raise CaptureUsageError(f"{parent!r} is {parent.measure}, this version is {measure}")
        if isinstance(parent._content, Path) and digest_of(parent._content) != parent.digest:
            raise CaptureUsageError(
                f"the content of {parent!r} at {parent._content} changed since it was "
                "registered: give weight= or a ref() with its content"
            )
        out.append(round(difference(parent._content, content, measure), 12))
    return out
