"""File sources: reading files, their digests, and the DVC hash of a tracked folder or file.

DVC records the md5 of what it tracks in a ``NAME.dvc`` file next to ``NAME`` (``outs: - md5:
…``) or in the ``dvc.lock`` of a stage that outputs it (``outs: - path: NAME  md5: …``). Both are
plain YAML written by DVC in a fixed layout; they are read here line by line, so DVC need not be
installed.

>>> import pathlib, tempfile
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "images").mkdir()
>>> _ = (root / "images.dvc").write_text(
...     "outs:\\n- md5: 0c8e5b1a7e1f6e3e22f1e93f5b0c9f6d.dir\\n  size: 120\\n  nfiles: 3\\n"
...     "  path: images\\n")
>>> dvc_md5(root / "images")
('0c8e5b1a7e1f6e3e22f1e93f5b0c9f6d.dir', 'images.dvc')
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["decode", "dvc_md5"]

_MD5 = re.compile(r"^\s*-?\s*md5:\s*([0-9a-fA-F]{32}(?:\.dir)?)\s*$")
_PATH = re.compile(r"^\s*-?\s*path:\s*(.+?)\s*$")


def _outs(text: str) -> list[dict[str, str]]:
    """The ``outs`` entries (path, md5) of a ``.dvc`` file or a ``dvc.lock``, in order."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    in_outs = False
    outs_indent = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if stripped == "outs:":
            in_outs, outs_indent, current = True, indent, None
            continue
        if in_outs and indent <= outs_indent and not stripped.startswith("-"):
            in_outs, current = False, None
            continue
        if not in_outs:
            continue
        if stripped.startswith("-"):
            current = {}
            entries.append(current)
        if current is None:
            continue
        md5, path = _MD5.match(line), _PATH.match(line)
        if md5:
            current["md5"] = md5.group(1)
        elif path:
            current["path"] = path.group(1).strip("'\"")
    return entries


def dvc_md5(target: Path) -> tuple[str, str] | None:
    """(DVC md5, the file that says it) of a folder or file tracked by DVC, else None: from
    ``TARGET.dvc`` next to it, else from a ``dvc.lock`` in its parent folder."""
    target = Path(target)
    candidates = [
        (target.parent / f"{target.name}.dvc", target.name),
        (target.parent / "dvc.lock", target.name),
    ]
    for tracker, name in candidates:
        if not tracker.is_file():
            continue
        for entry in _outs(tracker.read_text(errors="replace")):
            if "md5" in entry and entry.get("path", "").rstrip("/") == name:
                return entry["md5"], tracker.name
    return None


def _netpbm(data: bytes) -> np.ndarray:
    """A binary PGM (P5) or PPM (P6) image, 8 bits per value: height x width (x 3)."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    magic, width, height, maximum = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    if maximum > 255 or magic not in (b"P5", b"P6"):
        raise ValueError(f"not an 8-bit binary PGM/PPM image ({magic!r}, max {maximum})")
    pixels = np.frombuffer(data, np.uint8, offset=position + 1)
    shape = (height, width) if magic == b"P5" else (height, width, 3)
    return pixels[: int(np.prod(shape))].reshape(shape)


def decode(path: Path, data: bytes) -> Any:
    """The default loader's item of the file ``path`` holding ``data``: ``.npy`` arrays, PGM/PPM
    images and (with Pillow) other images as numpy arrays, ``.txt``/``.csv``/``.json`` as text,
    anything else as bytes."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return np.load(io.BytesIO(data), allow_pickle=False)
    if suffix in (".pgm", ".ppm"):
        return _netpbm(data)
    if suffix in (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"):
        from PIL import Image  # optional: only for these formats

        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image)
    if suffix in (".txt", ".csv", ".json", ".md"):
        return data.decode()
    return data
