"""How much two versions differ, and their digests (standard library only).

- text: the share of words not in common, ``1 - common / max(words_old, words_new)``, where words
  are runs of characters between ASCII whitespace (space, tab, newline, vertical tab, form feed,
  carriage return) and ``common`` is the length of their longest common subsequence: the "common"
  count ``wdiff -s`` prints for both files.
- binary: the share of bytes that differ, ``(differing + |size_old - size_new|) / max(sizes)``,
  where ``differing`` counts the offsets within the shorter content where the bytes differ (the
  lines of ``cmp -l``) and the bytes past its end count as differing.
- folder: the share of files that differ, ``(changed + only_in_one) / files_in_either``, over the
  regular files of both trees by relative path (the ``Files ... differ`` and ``Only in`` lines of
  ``diff -rq``, counting each file of a folder present on one side only).

Each is 0 for identical contents and at most 1.

>>> text_difference("the quick brown fox", "the quick red fox jumps")
0.4
>>> binary_difference(b"abcd", b"abXdEF")
0.5
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

__all__ = [
    "binary_difference",
    "common_words",
    "digest_of",
    "folder_difference",
    "text_difference",
    "words",
]

_SPACE = re.compile(r"[ \t\n\v\f\r]+")
_CHUNK = 1 << 20


def words(text: str) -> list[str]:
    """The words of a text: runs of characters between ASCII whitespace."""
    return [w for w in _SPACE.split(text) if w]


def common_words(old: list[str], new: list[str]) -> int:
    """The length of the longest common subsequence of two word lists (Myers' O((N+M)D)
    algorithm, after cutting the common prefix and suffix and the words only one side has)."""
    start = 0
    while start < len(old) and start < len(new) and old[start] == new[start]:
        start += 1
    end = 0
    while end < len(old) - start and end < len(new) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    a, b = old[start : len(old) - end], new[start : len(new) - end]
    shared = set(a) & set(b)
    codes: dict[str, int] = {}
    a = [codes.setdefault(w, len(codes)) for w in a if w in shared]
    b = [codes.setdefault(w, len(codes)) for w in b if w in shared]
    return start + end + _lcs_length(a, b)


def _lcs_length(a: list[int], b: list[int]) -> int:
    n, m = len(a), len(b)
    if not n or not m:
        return 0
    offset = n + m + 1
    v = [0] * (2 * offset + 1)
    for d in range(n + m + 1):
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]
            else:
                x = v[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            v[offset + k] = x
            if x >= n and y >= m:
                return (n + m - d) // 2
    return 0  # unreachable: d = n + m always ends the search


def text_difference(old: str, new: str) -> float:
    """The share of words not in common (see the module docstring)."""
    a, b = words(old), words(new)
    largest = max(len(a), len(b))
    return 0.0 if largest == 0 else 1 - common_words(a, b) / largest


def binary_difference(old: bytes, new: bytes) -> float:
    """The share of bytes that differ (see the module docstring)."""
    largest = max(len(old), len(new))
    if largest == 0:
        return 0.0
    differing = abs(len(old) - len(new))
    shortest = min(len(old), len(new))
    for at in range(0, shortest, _CHUNK):
        a, b = old[at : min(at + _CHUNK, shortest)], new[at : min(at + _CHUNK, shortest)]
        if a != b:
            xor = int.from_bytes(a, "big") ^ int.from_bytes(b, "big")
            differing += len(a) - xor.to_bytes(len(a), "big").count(0)
    return differing / largest


def _files(root: Path) -> dict[str, Path]:
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            path = Path(folder, name)
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return found


def folder_difference(old: Path, new: Path) -> float:
    """The share of files that differ (see the module docstring)."""
    a, b = _files(Path(old)), _files(Path(new))
    paths = a.keys() | b.keys()
    if not paths:
        return 0.0
    differing = sum(
        1 for p in paths if p not in a or p not in b or _file_digest(a[p]) != _file_digest(b[p])
    )
    return differing / len(paths)


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def digest_of(content: str | bytes | Path) -> str:
    """``sha256:<hex>`` of a text (UTF-8), bytes, a file, or a folder: of its manifest, one line
    ``<sha256 of the file> <relative path>`` per file in path order."""
    if isinstance(content, str):
        content = content.encode()
    if isinstance(content, bytes):
        return "sha256:" + hashlib.sha256(content).hexdigest()
    if content.is_dir():
        manifest = "".join(
            f"{_file_digest(p)} {rel}\n" for rel, p in sorted(_files(content).items())
        )
        return "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    return "sha256:" + _file_digest(content)
