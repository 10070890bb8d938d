"""A training workflow written for the ProvLake client library (provlake==0.2.982), unchanged.

SERVICE_URL set: records go to that manager; unset: offline, to a prov-*.log file in LOG_DIR.
"""

import os

from provlake import ProvLake
from provlake.capture import ProvCycle, ProvTask, ProvWorkflow
from provlake.utils.args_handler import (
    add_custom_metadata,
    get_data_reference,
    get_dataset,
    get_dataset_item,
    get_dict,
    get_kg_reference,
    get_list,
)
from provlake.utils.constants import Status

prov = ProvLake.get_persister(
    log_dir=os.environ.get("LOG_DIR", "."),
    service_url=os.environ.get("SERVICE_URL"),
    context="my_ctx",
    db_name="mydb",
    bag_size=2,
    with_validation=False,
    should_send_to_file=True,
)

with ProvWorkflow(prov, "train_wf", custom_metadata={"user": "alice"}) as wf:
    with ProvTask(
        prov,
        "load_data",
        wf,
        input_args={
            "path": get_data_reference("/data/x.csv", data_store_id="fs1"),
            "n": 10,
            "well": get_kg_reference("https://w3id.org/petro#Well_7"),
            "split": get_dataset(
                [get_dataset_item({"x": 1}, order=0), get_dataset_item({"x": 2}, order=1)],
                dataset_schema_id="xy",
            ),
        },
    ) as t:
        t.end(
            {
                "rows": 10,
                "options": get_dict({"shuffle": True, "seed": 3}),
                "cols": get_list(["a", "b"]),
            }
        )

    for i in range(2):
        cycle = ProvCycle(prov, "epochs", i, wf, input_args={"lr": 0.01 / (i + 1)})
        cycle.begin()
        task = ProvTask(
            prov, "train_batch", wf, input_args={"batch": i}, parent_cycle_name="epochs"
        )
        task.begin()
        task.end({"loss": add_custom_metadata(0.5 / (i + 1), {"unit": "nats"})})
        cycle.end({"acc": 0.9})

    failing = ProvTask(prov, "export", wf, input_args={"to": "s3://bucket/m.pt"})
    failing.begin()
    failing.end({"error": "disk full"}, stderr="Traceback ...", status=Status.ERRORED)
    wf.end({"model": get_data_reference("m.pt")})

print(wf.get_workflow_execution_id())
