"""provlake.braid in embedded mode (a database file): Braid-DB's behaviour, its defects fixed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

import provlake.braid as braid
from provlake.braid import (
    BraidData,
    BraidDB,
    BraidFact,
    BraidInputError,
    BraidModel,
    BraidRecord,
    BraidRejected,
    BraidTagType,
    BraidTagValue,
    InvalidationActionType,
    UnknownRecord,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "braid.db"


@pytest.fixture
def db(path: Path):
    with BraidDB(str(path)) as opened:
        yield opened


def lines(path: Path) -> int:
    return len(path.read_bytes().splitlines())


def test_public_face_is_exact() -> None:
    assert sorted(braid.__all__) == braid.__all__
    assert {name for name in dir(braid) if not name.startswith("_")} >= set(braid.__all__)
    assert "services" not in " ".join(m for m in sys.modules if m.startswith("provlake.braid")), (
        "the face must not import services"
    )


def test_import_stays_light() -> None:
    heavy = "('services', 'queryengine', 'pyoxigraph', 'fastapi')"
    code = f"import provlake.braid, sys; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


def test_records_get_increasing_ids_and_are_found_by_id(db: BraidDB) -> None:
    a, b = BraidRecord(db, name="a"), BraidData(db, name="b")
    assert (a.record_id, b.record_id) == (1, 2)
    found = BraidRecord.by_record_id(db, 2)
    assert isinstance(found, BraidData) and found.name == "b" and found.record_id == 2
    assert BraidRecord.by_record_id(db, -1) is None
    assert BraidRecord.by_record_id(db, 99) is None
    assert db.get_record_model_by_id(1).name == "a"


def test_edge_direction_is_braids(db: BraidDB) -> None:
    a, b, c = BraidData(db, "a"), BraidData(db, "b"), BraidData(db, "c")
    a.add_derivation(b)
    b.add_derivation(c)
    assert [r.record_id for r in db.get_derivations(a.record_id)] == [b.record_id]
    assert [r.record_id for r in db.get_predecessors(b.record_id)] == [a.record_id]
    assert db.get_predecessors(a.record_id) == []
    a.invalidate("bad a")
    assert (a.is_valid(), b.is_valid(), c.is_valid()) == (False, False, False)


def test_adding_the_same_derivation_twice_is_harmless(db: BraidDB, path: Path) -> None:
    a, b = BraidData(db, "a"), BraidData(db, "b")
    a.add_derivation(b)
    a.add_derivation(b)
    assert [r.record_id for r in db.get_derivations(a.record_id)] == [b.record_id]


def test_a_fact_has_no_derivatives_and_the_shapes_agree(db: BraidDB, path: Path) -> None:
    fact, data = BraidFact(db, "calibration"), BraidData(db, "scan")
    before = lines(path)
    with pytest.raises(BraidInputError, match="do not have derivatives"):
        fact.add_derivation(data)
    as_plain_record = BraidRecord.from_orm(db.get_record_model_by_id(fact.record_id), db=db)
    with pytest.raises(BraidRejected) as refused:
        as_plain_record.add_derivation(data)
    assert refused.value.status == 422
    assert "NothingDerivedFromFact" in refused.value.body
    assert lines(path) == before
    assert db.get_derivations(fact.record_id) == []
    data.add_derivation(BraidFact.by_record_id(db, fact.record_id))  # a fact derived: allowed
    model = BraidModel(db, "m")
    model.update(fact)  # a fact is used by updates
    assert [r.name for r in db.get_predecessors(model.record_id)] == ["calibration"]


def test_tags_come_back_as_their_type(db: BraidDB) -> None:
    rec = BraidRecord(db, "tagged")
    ids = [rec.add_tag(k, v) for k, v in {"s": "x", "i": 10, "f": 10.5}.items()]
    ids.append(rec.add_tag("n", "7", type_=BraidTagType.INTEGER))
    assert all(i > 0 for i in ids) and len(set(ids)) == 4
    assert rec.tags_as_dict() == {"s": "x", "i": 10, "f": 10.5, "n": 7}
    assert type(rec.tags_as_dict()["i"]) is int
    assert db.get_tags(rec.record_id)["f"] == BraidTagValue(10.5, BraidTagType.FLOAT)
    rec.add_tag("s", "y")
    assert rec.tags_as_dict()["s"] == "y"  # the latest value of a key wins


def test_wrong_tag_type_and_unknown_record_write_nothing(db: BraidDB, path: Path) -> None:
    rec = BraidRecord(db, "r")
    before = lines(path)
    with pytest.raises(BraidInputError, match="not a value of type INTEGER"):
        rec.add_tag("k", "ten", type_=BraidTagType.INTEGER)
    with pytest.raises(BraidInputError, match="BraidTagType"):
        rec.add_tag("k", 1, type_="INTEGER")
    other_db = BraidDB(str(path.with_name("other.db")))
    stranger = BraidData(other_db, "elsewhere")
    with pytest.raises(UnknownRecord, match="another database"):
        rec.add_derivation(stranger)
    ghost = BraidRecord.from_orm(braid.BraidRecordModel(99, "ghost", None), db=db)
    with pytest.raises(UnknownRecord, match="no record 99"):
        rec.add_derivation(ghost)
    model = BraidModel(db, "m")
    with pytest.raises(UnknownRecord):
        model.update(ghost)
    other_db.close()
    assert lines(path) == before + 1  # only the model's creation


def test_for_tag_value_matches_key_and_value(db: BraidDB) -> None:
    r1, r2, r3 = BraidRecord(db, "r1"), BraidRecord(db, "r2"), BraidRecord(db, "r3")
    r1.add_tag("test_tag", "test_value")
    r2.add_tag("test_tag", "not_the_test_value")
    r3.add_tag("frames", 1200)
    found = [r.record_id for r in BraidRecord.for_tag_value(db, "test_tag", "test_value")]
    assert found == [r1.record_id]
    assert [r.record_id for r in BraidRecord.for_tag_value(db, "frames", 1200.0)] == [r3.record_id]
    assert list(BraidRecord.for_tag_value(db, "frames", "1200")) == []  # text is not a number
    done = BraidRecord.invalidate_by_tag_value(db, "test_tag", "test_value", None)
    assert [r.record_id for r in done] == [r1.record_id]
    assert (r1.is_valid(), r2.is_valid(), r3.is_valid()) == (False, True, True)


def test_invalidate_without_session_is_saved(path: Path) -> None:
    db = BraidDB(str(path))
    rec = BraidData(db, "to be invalidated")
    assert rec.invalidate("Test Cause") is rec
    assert rec.invalidate("again") is None  # already invalid: nothing
    db.close()
    reopened = BraidDB(str(path))
    again = BraidRecord.by_record_id(reopened, rec.record_id)
    assert not again.is_valid()
    row = reopened.ask("invalidated")[0]
    assert (row["record_id"], row["cause"]) == (rec.record_id, "Test Cause")
    reopened.close()


def test_records_stay_usable_after_their_session(db: BraidDB) -> None:
    with db.get_session() as session:
        rec = BraidRecord(db, "in a session", session=session)
        rec.add_uri("globus://x/1.h5", session=session)
        session.commit()
    rec.add_uri("globus://x/0.h5")
    assert rec.get_uris() == ["globus://x/0.h5", "globus://x/1.h5"]
    assert rec.is_valid()


def test_cascade_over_a_cycle_terminates_each_record_once_with_the_true_root(db: BraidDB) -> None:
    cal, scan = BraidFact(db, "calibration"), BraidData(db, "scan")
    model, surrogate = BraidModel(db, "model"), BraidModel(db, "surrogate")
    model.update(cal)
    model.update(scan)
    surrogate.update(model)
    model.update(surrogate)  # model <-> surrogate
    peaks = BraidData(db, "peaks")
    model.add_derivation(peaks)
    peaks.add_derivation(model)  # model <-> peaks by derivation too
    cal.invalidate("calibration drifted")
    rows = db.ask("invalidated")
    assert sorted(r["record_id"] for r in rows) == sorted(
        [cal.record_id, model.record_id, surrogate.record_id, peaks.record_id]
    )
    by_id = {r["record_id"]: r for r in rows}
    assert {r["root_id"] for r in rows} == {cal.record_id}
    assert by_id[model.record_id]["caused_by_id"] == cal.record_id
    assert by_id[surrogate.record_id]["caused_by_id"] == model.record_id
    assert by_id[peaks.record_id]["caused_by_id"] == model.record_id
    assert scan.is_valid()
    history = db.ask("model-history", model=str(model.record_id))
    assert [(h["version"], h["used_id"], h["used_valid"]) for h in history] == [
        (0, None, None),
        (1, cal.record_id, False),
        (2, scan.record_id, True),
        (3, surrogate.record_id, False),
    ]


def test_cascade_stops_at_records_already_invalid_and_a_given_root_is_followed(db: BraidDB) -> None:
    a, b, c = BraidData(db, "a"), BraidData(db, "b"), BraidData(db, "c")
    a.add_derivation(b)
    b.add_derivation(c)
    b.invalidate("b first", cascade=False)
    assert c.is_valid()
    a.invalidate("a later")
    assert c.is_valid()  # b was already invalid: its own cascade was not asked for
    root = db.record_row(a.record_id)["invalidation"].rsplit("/", 1)[-1]
    c.invalidate(root_invalidation=root)
    row = next(r for r in db.ask("invalidated") if r["record_id"] == c.record_id)
    assert (row["root_id"], row["caused_by_id"]) == (a.record_id, a.record_id)
    assert row["cause"].startswith("As a result of Invalidation id")
    with pytest.raises(ValueError, match="cause or root_invalidation"):
        BraidData(db, "d").invalidate()


def test_shell_action_runs_with_id_and_cause_and_its_exit_status_is_recorded(
    db: BraidDB, tmp_path: Path
) -> None:
    out = tmp_path / "action.out"
    script = (
        f"import sys; open({str(out)!r}, 'a').write(' '.join(sys.argv[1:]) + chr(10)); sys.exit(3)"
    )
    rec = BraidData(db, "scan")
    rec.add_tag("run", 7)
    rec.add_invalidation_action(
        InvalidationActionType.SHELL_COMMAND,
        "note",
        sys.executable,
        {"args": ["-c", script, "{name}", "{run}"]},
    )
    slow = BraidData(db, "slow")
    rec.add_derivation(slow)
    slow.add_invalidation_action(
        InvalidationActionType.SHELL_COMMAND,
        "sleeper",
        sys.executable,
        {"args": ["-c", "import time; time.sleep(30)"], "timeout": 0.5},
    )
    rec.invalidate("saturated")
    assert out.read_text() == f"scan 7 {rec.record_id} saturated\n"
    runs = db.ask("braid-action-runs")
    assert [(r["record_id"], r["status"], r["exit_status"]) for r in runs] == [
        (rec.record_id, "failed", 3),
        (slow.record_id, "failed", -9),
    ]
    assert "timeout" in runs[1]["output"]


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(
            (self.headers["Content-Type"], self.headers.get("X-Token"), json.loads(body))
        )
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b"queued")

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_action_posts_json_and_its_status_is_recorded(db: BraidDB) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        rec = BraidModel(db, "model")
        rec.add_tag("threshold", 0.25)
        action = rec.add_invalidation_action(
            InvalidationActionType.WEBHOOK, "tell", url, {"headers": {"X-Token": "t"}}
        )
        other = BraidData(db, "other")
        assert other.set_invalidation_action(action.id).cmd == url
        assert other.set_invalidation_action("no-such-action") is None
        rec.invalidate("retrained on bad data", cascade=False)
    finally:
        server.shutdown()
        thread.join()
    ((content_type, token, event),) = _Hook.received
    assert (content_type, token) == ("application/json", "t")
    assert (event["record_id"], event["name"], event["cause"]) == (
        rec.record_id,
        "model",
        "retrained on bad data",
    )
    assert (
        event["tags"] == {"threshold": 0.25} and event["root_invalidation"] == event["invalidation"]
    )
    runs = db.ask("braid-action-runs")
    assert [(r["record_id"], r["status"], r["http_status"], r["output"]) for r in runs] == [
        (rec.record_id, "finished", 202, "queued")
    ]


def test_deleting_the_file_resets_the_database(path: Path) -> None:
    db = BraidDB(str(path))
    BraidData(db, "old")
    os.remove(path)
    fresh = BraidDB(str(path))
    assert path.exists() and fresh.get_record_model_by_id(1) is None
    assert BraidData(fresh, "new").record_id == 1
    fresh.close()
    db.close()


def test_a_torn_last_write_is_dropped_on_open(path: Path) -> None:
    db = BraidDB(str(path))
    BraidData(db, "kept")
    db.close()
    with path.open("ab") as f:
        f.write(b'{"schema":"provml/capture/1","records":[{"type":"braid.rec')
    reopened = BraidDB(str(path))
    assert [r.name for r in reopened.records()] == ["kept"]
    assert path.read_bytes().endswith(b"}\n")
    reopened.close()


def test_one_process_at_a_time_holds_the_file(path: Path) -> None:
    db = BraidDB(str(path))
    code = f"from provlake.braid import BraidDB; BraidDB({str(path)!r})"
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert other.returncode == 1
    assert "open in another process" in other.stderr
    same_process = BraidDB(str(path))  # shares this process's manager
    assert BraidData(same_process, "x").record_id == 1
    assert db.get_record_model_by_id(1).name == "x"
    same_process.close()
    db.close()


def test_the_log_replays_into_a_manager_and_twice_adds_nothing(db: BraidDB, path: Path) -> None:
    from services.ingest import Ingestor
    from services.store import open_store

    fact = BraidFact(db, "f")
    model = BraidModel(db, "m")
    model.update(fact)
    model.add_tag("k", 1)
    fact.invalidate("bad")
    with open_store("memory:") as store:
        ingestor = Ingestor(store)
        for line in path.read_bytes().splitlines():
            ingestor.ingest_batch(line)
        once = store.count()
        for line in reversed(path.read_bytes().splitlines()):
            ingestor.ingest_batch(line)
        assert store.count() == once > 40


def test_print_and_size(db: BraidDB, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = BraidData(db, "a"), BraidData(db, "b")
    a.add_derivation(b)
    a.add_uri("file:/a")
    a.add_tag("k", "v")
    db.print()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("[    1] : a") and printed[0].endswith("<- [2]")
    assert printed[1:3] == ["\t\t\t URI: file:/a", "\t\t\t TAG: k = 'v'"]
    assert db.size() == 2 + 1 + 1 + 1
