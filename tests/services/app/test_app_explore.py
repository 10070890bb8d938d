"""The web UI's read API in process, over the hand-built capture (tests/queryengine/capture.trig):
exact values, bad input named, unknown runs 404, ETags, the UI page at / and its static files."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.app import create_app
from services.store import Store, open_store
from tests.queryengine.capture import BASE, load_capture
from tests.services.app.conftest import runs_page, settings

ROOT = Path(__file__).resolve().parents[3]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def capture() -> Iterator[Store]:
    with open_store("memory:") as store:
        load_capture(store)
        yield store


@pytest.fixture
def client(capture: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=capture), raise_server_exceptions=False) as c:
        yield c


def test_runs_table_sorts_filters_searches_and_pages(client: TestClient) -> None:
    table = runs_page(client)
    assert [r["run"] for r in table["runs"]] == ["r3", "r2", "r1", "prep"]  # newest first
    assert table["total"] == 4 and table["statuses"] == {"finished": 3, "running": 1}
    assert table["columns"] == {
        "hyperparameters": ["batch_size", "hidden", "lr"],
        "metrics": ["accuracy", "loss", "test_accuracy"],
    }
    r1 = next(r for r in table["runs"] if r["run"] == "r1")
    assert r1["hp"] == {"batch_size": 32, "hidden": 64, "lr": 0.1}  # initial, not the adapted 0.01
    assert r1["metrics"]["loss"] == {"final": 0.4, "best": 0.4, "min": 0.4, "max": 0.9, "count": 3}
    assert r1["metrics"]["accuracy"]["best"] == 0.85  # higher is better for accuracy
    assert (r1["label"], r1["duration"], r1["status"]) == (
        "digits-mlp 2026-01-01 10:00:00",
        300.0,
        "finished",
    )
    ranked = runs_page(client, sort="metric.test_accuracy", order="desc")
    assert [r["run"] for r in ranked["runs"]] == ["r2", "r1", "prep", "r3"]  # no value: last
    assert [r["run"] for r in runs_page(client, sort="best.loss", order="asc")["runs"][:3]] == [
        "r2",
        "r1",
        "r3",
    ]
    assert [r["run"] for r in runs_page(client, filter="hp.lr < 0.05")["runs"]] == ["r2"]
    both = runs_page(client, filter=["hp.batch_size = 32", "metric.loss <= 0.4"])
    assert [r["run"] for r in both["runs"]] == ["r2", "r1"]
    assert [r["run"] for r in runs_page(client, status="running")["runs"]] == ["r3"]
    assert [r["run"] for r in runs_page(client, q="batch_size=64")["runs"]] == ["r3"]
    assert [r["run"] for r in runs_page(client, experiment="digits-prep")["runs"]] == ["prep"]
    page = runs_page(client, offset=1, limit=2)
    assert (page["total"], [r["run"] for r in page["runs"]]) == (4, ["r2", "r1"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 501}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"order": "up"}, "query.order"),
        ({"sort": "hp.nope"}, "sort"),
        ({"filter": "lr is 3"}, "filter"),
        ({"filter": "hp.nope = 1"}, "filter"),
    ],
)
def test_bad_table_parameters_are_400_naming_the_field(
    client: TestClient, params: dict, field: str
) -> None:
    answer = client.get("/api/v1/runs", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["details"][0]["field"] == field


def test_run_detail_names_everything(client: TestClient) -> None:
    run = client.get("/api/v1/runs/r1").json()
    assert [(s["label"], s["depth"], s["offset"], s["duration"]) for s in run["timeline"]] == [
        ("train", 1, 10.0, 180.0),
        ("evaluate", 1, 190.0, 10.0),
        ("epoch 0", 2, 10.0, 60.0),
        ("epoch 1", 2, 70.0, 50.0),
        ("epoch 2", 2, 120.0, 70.0),
    ]
    assert [(h["name"], h["value"], h["adapted"], h["epoch"]) for h in run["hyperparameters"]] == [
        ("batch_size", 32, False, None),
        ("hidden", 64, False, None),
        ("lr", 0.1, False, None),
        ("lr", 0.01, True, 2),
    ]
    assert [(e["label"], e["type"], e["execution_label"]) for e in run["used"]] == [
        ("mlp-r1", "Model", "evaluate"),
        ("test-a", "Dataset", "evaluate"),
        ("train-a", "Dataset", "train"),
    ]
    assert [(e["label"], e["type"]) for e in run["generated"]] == [("mlp-r1", "Model")]
    assert run["agents"] == [{"name": "Persona", "value": "alice"}]


def test_metric_series_are_the_recorded_values(client: TestClient) -> None:
    answer = client.get("/api/v1/runs/r1/metrics", params={"measure": "loss"}).json()
    (series,) = answer["series"]
    assert (series["name"], series["stage"]) == ("loss", "train")
    assert [(p["epoch"], p["value"]) for p in series["points"]] == [(0, 0.9), (1, 0.5), (2, 0.4)]
    every = client.get("/api/v1/runs/r2/metrics").json()["series"]
    assert [(s["name"], len(s["points"])) for s in every] == [
        ("accuracy", 3),
        ("loss", 3),
        ("test_accuracy", 1),
    ]


def test_unknown_runs_are_404_and_bad_ids_400(client: TestClient) -> None:
    for path in ("/api/v1/runs/nope", "/api/v1/runs/nope/metrics", "/api/v1/runs/nope/prov"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["details"] == [
            {"field": "run", "message": "no run 'nope' in the store"}
        ]
    bad = client.get("/api/v1/runs/urn:not%20an%20iri")
    assert bad.status_code == 400 and bad.json()["details"]["parameter"] == "run"
    # a run is also found by a name one run has; a name several runs have is a 400 listing them
    unknown = client.get("/api/v1/runs/no%20such%20name")
    assert unknown.status_code == 404 and unknown.json()["details"][0]["field"] == "run"
    assert client.get("/api/v1/runs/digits-prep").json()["run"] == "prep"
    several = client.get("/api/v1/runs/digits-mlp")
    assert several.status_code == 400 and several.json()["error"] == "ambiguous_name"
    assert [c["iri"].rsplit("/", 1)[-1] for c in several.json()["details"]["candidates"]] == [
        "r1",
        "r2",
        "r3",
    ]
    compare = client.get("/api/v1/compare", params={"runs": "r1,nope"})
    assert compare.status_code == 404 and compare.json()["details"][0]["field"] == "runs"
    one = client.get("/api/v1/compare", params={"runs": "r1"})
    assert one.status_code == 400 and one.json()["details"][0]["field"] == "runs"


def test_compare_marks_the_differences(client: TestClient) -> None:
    answer = client.get("/api/v1/compare", params={"runs": "r1,r3"}).json()
    assert [r["run"] for r in answer["runs"]] == ["r1", "r3"]
    assert [(p["name"], p["values"], p["differs"]) for p in answer["parameters"]] == [
        ("batch_size", [32, 64], True),
        ("hidden", [64, 64], False),
        ("lr", [0.1, 0.1], False),
    ]
    assert answer["metrics"][2] == {
        "name": "test_accuracy",
        "final": [0.83, None],
        "best": [0.83, None],
    }


def test_prov_export_of_a_run(client: TestClient) -> None:
    provn = client.get("/api/v1/runs/r1/prov", params={"format": "provn"})
    assert provn.status_code == 200 and provn.text.startswith("document")
    bad = client.get("/api/v1/runs/r1/prov", params={"format": "docx"})
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "format"


def test_etag_answers_304_until_the_answer_changes(client: TestClient) -> None:
    finished = {"status": "finished"}
    tag = client.get("/api/v1/runs", params=finished).headers["etag"]
    again = client.get("/api/v1/runs", params=finished, headers={"If-None-Match": tag})
    assert (again.status_code, again.content) == (304, b"")
    other = client.get("/api/v1/runs", params={"limit": 1}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    # a running run's duration runs to now: its answer changes from one poll to the next
    running = {"status": "running"}
    tag = client.get("/api/v1/runs", params=running).headers["etag"]
    assert (
        client.get("/api/v1/runs", params=running, headers={"If-None-Match": tag}).status_code
        == 200
    )


def test_lineage_goes_up_and_down_with_names_and_groups(client: TestClient) -> None:
    up = client.get(
        "/api/v1/lineage", params={"node": BASE + "entity/m1", "depth": 6, "direction": "up"}
    ).json()
    names = {n["label"]: (n["type"], n["distance"]) for n in up["nodes"]}
    assert names["mlp-r1"] == ("Model", 0) and names["train"] == ("TrainingExecution", 1)
    assert names["train-a"] == ("Dataset", 2) and names["loaded-a"] == ("LearningData", 5)
    assert names["lr = 0.1"] == ("LearningHyperparameterValue", 2)
    assert {
        "source": BASE + "entity/m1",
        "target": BASE + "execution/r1-train",
        "relation": "wasGeneratedBy",
    } in up["edges"]
    assert up["groups"] == [] and up["truncated"] is False
    by_name = client.get(
        "/api/v1/lineage", params={"node": "mlp-r1", "depth": 6, "direction": "up"}
    ).json()
    assert by_name == up
    down = client.get(
        "/api/v1/lineage",
        params={"node": BASE + "entity/train-a", "depth": 1, "direction": "down", "fanout": 1},
    ).json()
    assert [n["label"] for n in down["nodes"]] == ["train-a", "train"]
    (group,) = down["groups"]
    assert (group["relation"], group["count"], group["direction"]) == ("used", 1, "down")
    rest = client.get(
        "/api/v1/lineage/neighbours",
        params={
            "node": BASE + "entity/train-a",
            "relation": group["relation_iri"],
            "direction": "down",
            "offset": group["offset"],
        },
    ).json()
    assert ([n["label"] for n in rest["nodes"]], rest["remaining"]) == (["train"], 0)
    assert rest["total"] == 2


def test_lineage_and_node_refuse_unknown_and_malformed_nodes(client: TestClient) -> None:
    for path in ("/api/v1/lineage", "/api/v1/node"):
        key = "node" if path.endswith("lineage") else "iri"
        missing = client.get(path, params={key: BASE + "entity/nope"})
        assert missing.status_code == 404 and missing.json()["details"][0]["field"] == key
        bad = client.get(path, params={key: "urn:not an iri"})
        assert bad.status_code == 400 and bad.json()["details"][0]["field"] == key
    # the lineage starts from a name one run, model or dataset has; an unknown one is a 404, one
    # several have a 400 listing them
    unknown = client.get("/api/v1/lineage", params={"node": "not a name"})
    assert unknown.status_code == 404 and unknown.json()["details"][0]["field"] == "node"
    several = client.get("/api/v1/lineage", params={"node": "digits-mlp"})
    assert several.status_code == 400 and several.json()["details"]["parameter"] == "node"
    assert several.json()["details"]["count"] == 3
    depth = client.get("/api/v1/lineage", params={"node": BASE + "entity/m1", "depth": 11})
    assert depth.status_code == 400 and depth.json()["details"][0]["field"] == "query.depth"


def test_node_description_and_rdf(client: TestClient) -> None:
    node = client.get("/api/v1/node", params={"iri": BASE + "evaluation/r1-test"}).json()
    assert (node["label"], node["type"], node["category"]) == (
        "test_accuracy = 0.83",
        "ModelEvaluation",
        "evaluation",
    )
    linked = {
        p["short"]: p["object"].get("label") for p in node["properties"] if "iri" in p["object"]
    }
    assert (
        linked["provml:evaluatedModel"] == "mlp-r1" and linked["mls:specifiedBy"] == "test_accuracy"
    )
    turtle = client.get("/api/v1/node", params={"iri": BASE + "entity/m1", "format": "turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "mlp-r1" in turtle.text
    domain = client.get("/api/v1/node", params={"iri": "https://example.org/cores#S1"})
    assert domain.status_code == 200  # any IRI, not only minted ones


def test_labels_of_iris(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/labels", json={"iris": [BASE + "run/r1", BASE + "execution/r1-e1", "no iri"]}
    ).json()["labels"]
    assert answer == {
        BASE + "execution/r1-e1": {
            "label": "epoch 1",
            "type": "LearningStageSectionExecution",
            "category": "activity",
        },
        BASE + "run/r1": {
            "label": "digits-mlp 2026-01-01 10:00:00",
            "type": "LearningExperimentExecution",
            "category": "run",
        },
    }
    bad = client.post("/api/v1/labels", json={"iris": "x"})
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "iris"


def test_the_ui_page_for_browsers_and_the_index_for_the_rest(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/ui/app.js">' in page.text
    for accept in ("application/json", "*/*", None):
        index = client.get("/", headers={"Accept": accept} if accept else {})
        assert index.headers["content-type"] == "application/json"
        assert index.json()["links"]["runs"] == "/api/v1/runs"
    script = client.get("/static/ui/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    vendored = client.get("/static/vendor/uplot/uPlot.esm.js")
    assert vendored.status_code == 200 and "export" in vendored.text
    assert client.get("/static/vendor/nothing.js").status_code == 404


def test_vendored_files_match_their_manifest() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "vendor.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_linked_data_page_names_its_links(client: TestClient) -> None:
    page = client.get("/id/evaluation/r1-test", headers={"Accept": BROWSER}).text
    assert "<h1>test_accuracy = 0.83 <small>ModelEvaluation</small></h1>" in page
    assert '<a href="/id/entity/m1">mlp-r1</a>' in page  # a link shows the node's name
    assert "format=turtle'>Turtle</a>" in page and "format=jsonld'>JSON-LD</a>" in page
