"""The version client face: records, weights from contents, and the difference measures on real
files against the numbers ``wdiff -s``, ``cmp -l`` and ``diff -rq`` give."""

from __future__ import annotations

import contextvars
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import provlake as pl
from provlake import versions
from provlake._versions_diff import binary_difference, folder_difference, text_difference

TOOLS = {tool: shutil.which(tool) for tool in ("wdiff", "cmp", "diff")}


def records(run) -> list[dict]:
    return [r for r in run.client.transport.records if r["type"] == "version"]


def test_register_sends_one_record_per_version_with_computed_weights(tmp_path: Path) -> None:
    (tmp_path / "v1.csv").write_text("id label\n1 cat\n2 dog\n3 cat\n")
    (tmp_path / "v2.csv").write_text("id label\n1 cat\n2 cat\n3 cat\n")
    with pl.start_run("prep", transport="memory:", capture_environment=False) as run:
        v1 = versions.register("dataset", "pets", "v1", path=tmp_path / "v1.csv")
        v2 = versions.register("dataset", "pets", "v2", revises=v1, path=tmp_path / "v2.csv")
        a1 = versions.register("algorithm", "train", "v1", text="fit(x)")
        a2 = versions.register("algorithm", "train", "v2", revises=a1, weight=0.3)
    first, second, code, code2 = records(run)
    assert (first["id"], first["revises"]) == ("dataset.pets.v1", [])
    assert first["digest"].startswith("sha256:")
    assert second["revises"] == [{"id": "dataset.pets.v1", "weight": 1 / 8}]  # 1 word of 8
    assert second["measure"] == "text" and code2["measure"] == "declared"
    assert code2["revises"] == [{"id": a1.id, "weight": 0.3}] and "digest" not in code2
    assert (v2.id, a2.id) == ("dataset.pets.v2", "algorithm.train.v2")
    assert all(r["run"] == run.id for r in (first, second, code, code2))


def test_misuse_raises_at_the_call(tmp_path: Path) -> None:
    data = tmp_path / "d.bin"
    data.write_bytes(b"\x00\x01")
    with pytest.raises(pl.CaptureUsageError, match="inside a run"):  # no active run here
        contextvars.Context().run(versions.register, "dataset", "d", "v1", data=b"x")
    with pl.start_run("prep", transport="memory:", capture_environment=False):
        d1 = versions.register("dataset", "d", "v1", path=data)
        other = versions.register("algorithm", "a", "v1", text="x")
        with pytest.raises(pl.CaptureUsageError, match="another object"):
            versions.register("dataset", "d", "v2", revises=other, weight=0.1)
        with pytest.raises(pl.CaptureUsageError, match="finite number >= 0"):
            versions.register("dataset", "d", "v2", revises=d1, weight=-1)
        with pytest.raises(pl.CaptureUsageError, match="needs weight= or the content"):
            versions.register("dataset", "d", "v2", revises=versions.ref("dataset", "d", "v0"))
        data.write_bytes(b"\x00\x02")  # v1's file changed in place
        with pytest.raises(pl.CaptureUsageError, match="changed since it was registered"):
            versions.register("dataset", "d", "v2", revises=d1, path=data)
        before = versions.ref("dataset", "d", "v1", data=b"\x00\x01")
        d2 = versions.register("dataset", "d", "v2", revises=before, path=data)
        assert d2.measure == "binary"


def test_importing_the_face_loads_the_standard_library_only() -> None:
    code = (
        "import sys, provlake.versions; "
        "print(sorted(m for m in ('numpy', 'pyoxigraph', 'rdflib', 'httpx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- the measures against the tools ---------------------------------------------------------------

TEXT_OLD = "the quick brown fox jumps over the lazy dog\nsecond line here\n"
TEXT_NEW = "the quick red fox jumped over the lazy dog\nsecond line here and more\n"


def test_text_measure_on_recorded_wdiff_output() -> None:
    # wdiff -s old new (wdiff 1.2.2) printed for these two files:
    #   old: 12 words  10 83% common  0 0% deleted  2 17% changed
    #   new: 14 words  10 71% common  2 14% inserted  2 14% changed
    assert text_difference(TEXT_OLD, TEXT_NEW) == 1 - 10 / 14
    assert text_difference("", "") == 0.0 and text_difference("", "a b") == 1.0


def _wdiff_common(old: Path, new: Path) -> tuple[int, int, int]:
    out = subprocess.run(
        [TOOLS["wdiff"], "-s123", old, new], capture_output=True, text=True, check=False
    ).stdout
    (n1, c1), (n2, _) = [
        (int(a), int(b or 0)) for a, b in re.findall(r": (\d+) words(?:\s+(\d+) \d+% common)?", out)
    ]
    return n1, n2, c1


def _texts(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    vocabulary = ["cat", "dog", "fish", "a,", "b.", "the", "x" * 3, "42", "ünï"]
    old = [rng.choice(vocabulary) for _ in range(rng.randint(0, 60))]
    new = list(old)
    for _ in range(rng.randint(0, 15)):
        at = rng.randint(0, len(new))
        op = rng.choice(["insert", "delete", "replace"])
        if op == "insert" or not new:
            new.insert(at, rng.choice(vocabulary))
        elif op == "delete":
            del new[min(at, len(new) - 1)]
        else:
            new[min(at, len(new) - 1)] = rng.choice(vocabulary)
    spaces = [" ", "\n", "\t", "  ", " \n"]
    return (
        "".join(w + rng.choice(spaces) for w in old),
        "".join(w + rng.choice(spaces) for w in new),
    )


@pytest.mark.parametrize("seed", range(40))
def test_text_measure_matches_wdiff(seed: int, tmp_path: Path) -> None:
    old, new = _texts(seed)
    (tmp_path / "old").write_text(old)
    (tmp_path / "new").write_text(new)
    n1, n2, common = _wdiff_common(tmp_path / "old", tmp_path / "new")
    expected = 0.0 if max(n1, n2) == 0 else 1 - common / max(n1, n2)
    assert text_difference(old, new) == expected


@pytest.mark.parametrize("seed", range(20))
def test_binary_measure_matches_cmp(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    old = bytes(rng.randrange(4) for _ in range(rng.randint(0, 3000)))
    new = bytearray(old)
    for _ in range(rng.randint(0, 40)):
        if new:
            new[rng.randrange(len(new))] = rng.randrange(4)
    new += bytes(rng.randrange(256) for _ in range(rng.randint(0, 50)))
    if rng.random() < 0.3:
        new = new[: rng.randint(0, len(new))]
    (tmp_path / "old").write_bytes(old)
    (tmp_path / "new").write_bytes(bytes(new))
    listed = subprocess.run(
        [TOOLS["cmp"], "-l", tmp_path / "old", tmp_path / "new"], capture_output=True, check=False
    ).stdout.count(b"\n")
    largest = max(len(old), len(new))
    expected = 0.0 if largest == 0 else (listed + abs(len(old) - len(new))) / largest
    assert binary_difference(old, bytes(new)) == expected


def test_binary_measure_past_one_chunk() -> None:
    old = bytes(3 << 20)
    new = bytearray(old)
    new[5] = new[(1 << 20) + 1] = new[-1] = 7
    assert binary_difference(old, bytes(new)) == 3 / len(old)


def test_folder_measure_matches_diff_rq(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for root in (old, new):
        (root / "sub").mkdir(parents=True)
        for i in range(6):
            (root / f"f{i}.txt").write_text(f"file {i}\n")
        (root / "sub" / "deep.txt").write_text("deep\n")
    (new / "f1.txt").write_text("changed\n")
    (new / "sub" / "deep.txt").write_text("deeper\n")
    (old / "gone.txt").write_text("old only\n")
    (new / "added.txt").write_text("new only\n")
    lines = subprocess.run(
        [TOOLS["diff"], "-rq", old, new], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    assert len(lines) == 4  # 2 "Files ... differ", 2 "Only in"
    assert folder_difference(old, new) == len(lines) / 9  # 9 files in either tree
    assert folder_difference(old, old) == 0.0
