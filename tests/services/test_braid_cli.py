"""``provml braid``: Braid-DB's tools on a provml database; the drawings parse."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from provlake.braid import (
    BraidData,
    BraidDB,
    BraidFact,
    BraidModel,
    BraidRecord,
    InvalidationActionType,
)
from services.cli import main


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "beamline.db"
    db = BraidDB(str(path))
    cal, scan = BraidFact(db, 'calibration "v2"'), BraidData(db, "scan")
    model, surrogate = BraidModel(db, "peak finder"), BraidModel(db, "surrogate")
    model.update(cal)
    model.update(scan)
    surrogate.update(model)
    model.update(surrogate)
    model.add_invalidation_action(InvalidationActionType.SHELL_COMMAND, "note", "true", {})
    BraidData(db, "unrelated")
    db.close()
    return path


# The Mermaid flowchart subset the drawings use, one statement per line.
NODE = r"[A-Za-z][A-Za-z0-9_]*"
MERMAID = [
    re.compile(r"^graph TD$"),
    re.compile(rf'^(?P<def>{NODE})\("[^"]*"\)$'),
    re.compile(rf'^(?P<def>{NODE})\[/"[^"]*"/\]$'),
    re.compile(rf'^(?P<def>{NODE})\{{\{{"[^"]*"\}}\}}$'),
    re.compile(rf"^style (?P<use>{NODE}) fill:[A-Za-z]+$"),
    re.compile(rf"^(?P<a>{NODE}) (-->|-\.->|-\.-o\|Invalidates\||==>\|Causes\|) (?P<b>{NODE})$"),
]


def parse_mermaid(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """Nodes and edges of a drawing; fails on a line outside the grammar or an undefined node."""
    lines = text.splitlines()
    assert lines[0] == "graph TD"
    nodes, used, edges = set(), set(), []
    for line in lines[1:]:
        match = next((m for p in MERMAID[1:] if (m := p.match(line))), None)
        assert match, f"not Mermaid: {line!r}"
        groups = match.groupdict()
        if groups.get("def"):
            nodes.add(groups["def"])
        if groups.get("use"):
            used.add(groups["use"])
        if groups.get("a"):
            edges.append((groups["a"], groups["b"]))
            used |= {groups["a"], groups["b"]}
    assert used <= nodes, used - nodes
    return nodes, edges


def test_create_print_invalidate(db_file: Path, tmp_path: Path, capsys) -> None:
    fresh = tmp_path / "new.db"
    assert main(["braid", "create", "-v", str(fresh)]) == 0
    assert fresh.exists() and "creating" in capsys.readouterr().out
    assert main(["braid", "create", "-B", str(fresh)]) == 0
    assert Path(f"{fresh}.001.bak").exists()
    assert main(["braid", "print", str(db_file)]) == 0
    printed = capsys.readouterr().out
    assert "[    3] : peak finder" in printed and "[    9] : unrelated" in printed
    assert main(["braid", "invalidate", str(db_file), "drift", "99"]) == 2
    assert "no record 99" in capsys.readouterr().err
    assert main(["braid", "invalidate", str(db_file), "calibration drifted", "1"]) == 0
    assert "Invalidating record id 1 with name calibration" in capsys.readouterr().out
    db = BraidDB(str(db_file))
    assert [
        r.record_id
        for r in db.records()
        if not BraidRecord.by_record_id(db, r.record_id).is_valid()
    ] == [1, 3, 4]
    assert [r["status"] for r in db.ask("braid-action-runs")] == ["finished"]
    db.close()


def test_to_mermaid_draws_both_directions_and_the_invalidations(db_file: Path, capsys) -> None:
    db = BraidDB(str(db_file))
    BraidRecord.by_record_id(db, 1).invalidate("calibration drifted")
    db.close()
    assert main(["braid", "to-mermaid", "2", "--db-file", str(db_file), "--raw-mermaid"]) == 0
    nodes, edges = parse_mermaid(capsys.readouterr().out)
    records = {n for n in nodes if n.startswith("record")}
    assert records == {"record1", "record2", "record3", "record4"}  # not the unrelated one
    assert {
        ("record1", "record3"),
        ("record2", "record3"),
        ("record3", "record4"),
        ("record4", "record3"),
    } <= set(edges)
    invalidations = [
        e for e in edges if e[1].startswith("record") and e[0].startswith("invalidation")
    ]
    assert sorted(b for _, b in invalidations) == ["record1", "record3", "record4"]
    causes = [
        e for e in edges if e[0].startswith("invalidation") and e[1].startswith("invalidation")
    ]
    assert len(causes) == 2 and len({a for a, _ in causes}) == 1  # from the one root
    assert main(["braid", "to-mermaid", "2", "--db-file", str(db_file)]) == 0
    assert '<div class="mermaid">' in capsys.readouterr().out
    assert main(["braid", "to-mermaid", "42", "--db-file", str(db_file)]) == 2


def test_to_dot_parses_with_graphviz(db_file: Path, tmp_path: Path, capsys) -> None:
    assert main(["braid", "to-dot", "3", "--db-file", str(db_file)]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph G {")
    assert shutil.which("dot"), "graphviz (dot) is installed by the README's test command"
    parsed = subprocess.run(
        ["dot", "-Tplain"], input=dot, capture_output=True, text=True, timeout=60, check=True
    )
    plain_nodes = {
        line.split()[1] for line in parsed.stdout.splitlines() if line.startswith("node ")
    }
    assert {"record1", "record2", "record3", "record4"} <= plain_nodes
    assert any(n.startswith("action_") for n in plain_nodes)
