"""provlake.braid against a real manager (``provml serve``), and Braid-DB's own scripts, taken from
its published sdist, run unchanged on provml in both modes."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from provlake.braid import BraidData, BraidDB, BraidFact, BraidModel, BraidRecord, BraidRejected
from tests.integration.conftest import Manager, clean_env

ROOT = Path(__file__).resolve().parents[2]
ALIAS = ROOT / "tests" / "provlake" / "braid_alias"
pytestmark = pytest.mark.integration

WRITER = """
import sys
from provlake.braid import BraidData, BraidModel
from provlake.braid import BraidDB
db = BraidDB(sys.argv[1])
ids = []
model = BraidModel(db, "shared model " + sys.argv[2])
for i in range(12):
    rec = BraidData(db, f"w{sys.argv[2]}-{i}")
    ids += [rec.record_id, rec.add_tag("writer", int(sys.argv[2])), model.update(rec)]
print(" ".join(map(str, ids + [model.record_id])))
"""


def test_concurrent_writers_get_unique_ids(manager: Manager) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, manager.url, str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
            cwd=ROOT,
        )
        for n in range(4)
    ]
    ids = []
    for writer in writers:
        out, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err
        ids += [int(i) for i in out.split()]
    assert len(ids) == 4 * (12 * 3 + 1) and len(set(ids)) == len(ids)
    db = BraidDB(manager.url)
    for n in range(4):
        assert len(list(BraidRecord.for_tag_value(db, "writer", n))) == 12
    models = [r for r in db.records() if r.name.startswith("shared model")]
    histories = [db.ask("model-history", model=str(m.record_id)) for m in models]
    assert sorted(len(h) for h in histories) == [13] * 4
    db.close()


def test_manager_mode_cascade_is_visible_to_every_client(manager: Manager) -> None:
    one, two = BraidDB(manager.url), BraidDB(manager.url)
    cal, scan = BraidFact(one, "calibration"), BraidData(one, "scan")
    model = BraidModel(two, "peak finder")
    model.update(BraidRecord.by_record_id(two, cal.record_id))
    model.update(BraidRecord.by_record_id(two, scan.record_id))
    with pytest.raises(BraidRejected) as refused:
        BraidRecord.from_orm(one.get_record_model_by_id(cal.record_id), db=one).add_derivation(scan)
    assert refused.value.status == 422
    cal.invalidate("calibration drifted")
    assert not BraidRecord.by_record_id(two, model.record_id).is_valid()
    with manager.client() as http:
        answer = http.get("/api/v1/questions/invalidated", params={"root": str(cal.record_id)})
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    assert [(r["record_id"], r["caused_by_id"]) for r in rows] == [
        (cal.record_id, None),
        (model.record_id, cal.record_id),
    ]
    one.close()
    two.close()


def test_id_blocks_route_answers_disjoint_blocks_and_refuses_bad_counts(manager: Manager) -> None:
    with manager.client() as http:
        first = http.post("/api/v1/braid/ids", json={"count": 5}).json()
        again = http.post("/api/v1/braid/ids", json={"count": 5}).json()
        assert first["last"] - first["first"] == 4 and again["first"] > first["last"]
        for body, field in (({"count": 0}, "count"), ({"count": "5"}, "count"), ({"n": 1}, "n")):
            bad = http.post("/api/v1/braid/ids", json=body)
            assert bad.status_code == 400
            assert bad.json()["details"][0]["field"] == field


def test_a_braid_batch_sent_twice_adds_nothing_and_bad_records_are_named(manager: Manager) -> None:
    batch = {
        "schema": "provml/capture/1",
        "records": [
            {"type": "braid.record", "record": 900001, "kind": "data", "name": "x", "time": 1.0},
            {
                "type": "braid.tag",
                "tag": 900002,
                "record": 900001,
                "key": "k",
                "value": 3,
                "tag_type": "FLOAT",
                "time": 1.0,
            },
        ],
    }
    with manager.client() as http:
        assert http.post("/api/v1/capture", json=batch).status_code == 200
        count = manager.count()
        assert http.post("/api/v1/capture", json=batch).status_code == 200
        assert manager.count() == count
        batch["records"][1] |= {"value": "three"}
        bad = http.post("/api/v1/capture", json=batch)
        assert bad.status_code == 400
        assert bad.json()["details"][0]["field"] == "records[1].value"
        batch["records"][1] |= {"value": 3, "colour": "red"}
        assert http.post("/api/v1/capture", json=batch).json()["details"][0]["field"] == (
            "records[1].colour"
        )
    assert manager.count() == count


@pytest.fixture(scope="module")
def braid_sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Braid-DB 0.1.0a1's published source distribution, unpacked (its workflow scripts)."""
    folder = tmp_path_factory.mktemp("braid-sdist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "braid-db==0.1.0a1",
            "-d",
            str(folder),
            "-q",
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    (archive,) = folder.glob("braid_db-0.1.0a1.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "braid_db-0.1.0a1"


# workflow → (its arguments, the records it writes)
WORKFLOWS = {
    "SLAC": ([], 4),
    "SSX": ([], 14),
    "CTSegNet": ([], 20),
    "BraggNN": ([], 0),
    "mascot": (
        ["--configurations", "3", "--experiments", "2", "--cycles", "2", "--models", "2"],
        None,
    ),
}


@pytest.mark.parametrize("mode", ["embedded", "manager"])
def test_braid_workflow_scripts_run_unchanged(
    braid_sdist: Path, mode: str, manager: Manager, tmp_path: Path
) -> None:
    env = clean_env(PYTHONPATH=f"{ALIAS}:{ROOT}")
    if mode == "manager":
        env["PROVML_BRAID_ALIAS_MANAGER"] = manager.url
    for name, (arguments, records) in WORKFLOWS.items():
        script = braid_sdist / "workflows" / name / "workflow.py"
        assert "from braid_db import" in script.read_text()
        done = subprocess.run(
            [sys.executable, str(script), *arguments],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"
        db_file = tmp_path / f"braid-{name.lower()}.db"
        assert db_file.exists(), name
        if mode == "embedded" and records is not None:
            db = BraidDB(str(db_file))
            assert len(list(db.records())) == records, name
            db.close()
    printed = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert printed == [], "mascot prints nothing"
    if mode == "embedded":
        batches = (tmp_path / "braid-ssx.db").read_text().splitlines()
        assert all(json.loads(b)["schema"] == "provml/capture/1" for b in batches)
