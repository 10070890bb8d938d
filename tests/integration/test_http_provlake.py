"""The ProvLake 0.2.982 wire format over real HTTP: the recorded requests replayed, and a script
using the real ``provlake==0.2.982`` library (installed with its dependencies in its own folder)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .batches import BASE
from .conftest import Manager, clean_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WIRE = ROOT / "tests" / "services" / "ingest" / "data" / "provlake-0.2.982-wire.jsonl"
PREFIXES = """
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX provml: <https://w3id.org/provml#>
    PREFIX mls: <http://www.w3.org/ns/mls#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _rows(client: httpx.Client, query: str) -> list[tuple[str, ...]]:
    r = client.get("/sparql", params={"query": PREFIXES + query})
    r.raise_for_status()
    answer = r.json()
    names = answer["head"]["vars"]
    return [
        tuple(b.get(n, {}).get("value", "") for n in names) for b in answer["results"]["bindings"]
    ]


def _run_summary(client: httpx.Client, run: str) -> dict[str, list[tuple[str, ...]]]:
    """What a workflow execution became: its tasks, its cycle iterations and their typed values."""
    graph = f"<{BASE}graph/run/{run}>"
    return {
        "run": _rows(
            client,
            f"SELECT ?plan ?status WHERE {{ GRAPH {graph} {{ <{BASE}run/{run}>"
            " a provml:WorkflowExecution ; provml:status ?status ;"
            " prov:startedAtTime ?start ; prov:endedAtTime ?end }"
            f" <{BASE}run/{run}> provml:executionOf ?p . ?p rdfs:label ?plan }}",
        ),
        "tasks": _rows(
            client,
            f"SELECT ?name ?status WHERE {{ GRAPH {graph} {{"
            " ?t a provml:DataTransformationExecution ; provml:status ?status }"
            " ?t provml:executionOf ?p . ?p rdfs:label ?name } ORDER BY ?name ?t",
        ),
        "cycles": _rows(
            client,
            f"SELECT ?index WHERE {{ GRAPH {graph} {{ ?c a provml:LearningStageSectionExecution ;"
            f" provml:index ?index ; provml:isPartOf <{BASE}run/{run}> }} }} ORDER BY ?index",
        ),
        "tasks in cycles": _rows(
            client,
            f"SELECT ?index WHERE {{ GRAPH {graph} {{ ?t a provml:DataTransformationExecution ;"
            " provml:isPartOf ?c . ?c provml:index ?index } } ORDER BY ?index",
        ),
        "values": _rows(
            client,
            f"SELECT ?name ?value WHERE {{ GRAPH {graph} {{ ?v a provml:AttributeValue ;"
            " mls:hasValue ?value ; mls:specifiedBy ?a } ?a rdfs:label ?name }"
            " ORDER BY ?name ?value",
        ),
        "data references": _rows(
            client,
            f"SELECT ?location WHERE {{ GRAPH {graph} {{ ?e a provml:DataReference ;"
            " provml:location ?location } }",
        ),
        "hyperparameters": _rows(  # the inputs of each cycle iteration
            client,
            f"SELECT ?index ?name ?value WHERE {{ GRAPH {graph} {{ ?c provml:index ?index ;"
            " prov:used ?v . ?v a provml:LearningHyperparameterValue ; mls:hasValue ?value ;"
            " mls:specifiedBy ?h ; provml:epoch ?index } ?h rdfs:label ?name }"
            " ORDER BY ?index ?name",
        ),
        "evaluations": _rows(  # the numeric outputs of tasks and iterations, epoch = iteration
            client,
            f"SELECT ?name ?value ?epoch WHERE {{ GRAPH {graph} {{ ?e a provml:ModelEvaluation ;"
            " mls:hasValue ?value ; mls:specifiedBy ?m OPTIONAL { ?e provml:epoch ?epoch } }"
            " ?m rdfs:label ?name } ORDER BY ?name ?epoch ?value",
        ),
    }


def test_recorded_wire_requests_round_trip(manager: Manager) -> None:
    requests = [json.loads(line) for line in WIRE.read_text().splitlines() if line.strip()]
    with manager.client() as client:
        for request in requests:
            r = client.request(
                request["method"],
                request["path"],
                content=json.dumps(request["body"]).encode(),
                headers={"Content-Type": request["ctype"]},
            )
            assert r.status_code == 200, r.text
            assert r.json()["error"] == []
        run = repr(requests[0]["body"][0]["prov_obj"]["wf_execution"])
        summary = _run_summary(client, run)
        count = manager.count()
        # the same requests again change nothing
        for request in requests:
            client.request(
                request["method"], request["path"], json=request["body"]
            ).raise_for_status()
        assert manager.count() == count
    assert summary["run"] == [("train_wf", "finished")]
    assert summary["tasks"] == [("load_data", "finished"), ("train_batch", "finished")]
    assert summary["cycles"] == [("0",)]
    assert summary["tasks in cycles"] == [("0",)]
    assert summary["values"] == [
        ("acc", "0.9"),
        ("batch", "1"),
        ("loss", "0.5"),
        ("model", "m.pt"),
        ("n", "10"),
        ("rows", "10"),
    ]
    assert summary["data references"] == [("/data/x.csv",)]
    assert summary["hyperparameters"] == [("0", "lr", "0.01")]
    assert summary["evaluations"] == [("acc", "0.9", "0"), ("loss", "0.5", "0"), ("rows", "10", "")]


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from provlake import ProvLake
    from provlake.capture import ProvWorkflow, ProvTask, ProvCycle
    from provlake.utils.args_handler import get_data_reference
    from provlake.prospective.data_store_catalog import DataStoreCatalog

    url = sys.argv[1]
    prov = ProvLake.get_persister(service_url=url + "/provenance/api/", context="ctx",
                                  db_name="mydb", should_send_to_file=False, bag_size=2)
    wf = ProvWorkflow(prov, "legacy_wf", custom_metadata={"user": "bob"})
    wf.begin()
    with ProvTask(prov, "load_data", wf,
                  input_args={"path": get_data_reference("/data/y.csv"), "n": 3}) as task:
        task.end({"rows": 3})
    for i in range(2):
        with ProvCycle(prov, "epochs", i, wf, input_args={"lr": 0.1}) as cycle:
            with ProvTask(prov, "train_batch", wf, input_args={"batch": i},
                          parent_cycle_name="epochs") as task:
                task.end({"loss": 0.5 / (i + 1)})
            cycle.end({"acc": 0.5 + i / 4})
    wf.end({"model": "final.pt"})
    catalog = DataStoreCatalog(url)
    created = catalog.create_data_store("lake", "AWSS3", id="ds_lake",
                                        url="https://s3.example.org", bucket="raw")
    print(json.dumps({"run": repr(wf.wf_exec_id), "created": created,
                      "listed": catalog.get_data_stores(),
                      "one": catalog.get_data_store("ds_lake")}))
    """
)


@pytest.fixture
def script(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "legacy_training.py"
    path.write_text(SCRIPT)
    yield path


def test_real_provlake_library_lands_as_prov_ml(
    manager: Manager, provlake_0_2_982: Path, script: Path
) -> None:
    env = {**clean_env(), "PYTHONPATH": str(provlake_0_2_982)}
    env.pop("PROV_BAG_SIZE", None)
    done = subprocess.run(
        [sys.executable, str(script), manager.url],
        cwd=script.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    expected_store = {
        "iri": BASE + "datastore/lake",
        "name": "lake",
        "id": "ds_lake",
        "type": "AWSS3",
        "location": "https://s3.example.org/raw",
    }
    assert out["created"] == expected_store
    assert out["one"] == expected_store
    assert expected_store in out["listed"]
    with manager.client() as client:
        summary = _run_summary(client, out["run"])
    assert summary["run"] == [("legacy_wf", "finished")]
    assert summary["tasks"] == [
        ("load_data", "finished"),
        ("train_batch", "finished"),
        ("train_batch", "finished"),
    ]
    assert summary["cycles"] == [("0",), ("1",)]
    assert summary["tasks in cycles"] == [("0",), ("1",)]
    assert summary["values"] == [
        ("acc", "0.5"),
        ("acc", "0.75"),
        ("batch", "0"),
        ("batch", "1"),
        ("loss", "0.25"),
        ("loss", "0.5"),
        ("model", "final.pt"),
        ("n", "3"),
        ("rows", "3"),
    ]
    assert summary["data references"] == [("/data/y.csv",)]
    assert summary["hyperparameters"] == [("0", "lr", "0.1"), ("1", "lr", "0.1")]
    assert summary["evaluations"] == [
        ("acc", "0.5", "0"),
        ("acc", "0.75", "1"),
        ("loss", "0.5", "0"),
        ("loss", "0.25", "1"),
        ("rows", "3", ""),
    ]
