"""A training instrumented with the ProvLake 0.2.982 library, offline: its provenance goes to a log
file (``python legacy_training.py LOG LR``, with provlake==0.2.982 on the path).

A workflow loads the data (a knowledge-graph reference in, a data reference and a row count out),
then runs a cycle of four epochs whose inputs are the learning rate and a momentum that changes at
epoch 2; in each epoch two ``train_batch`` tasks name the cycle but, as the library always does,
not the iteration. Tasks and iterations output numbers; one gradient norm diverges to NaN. An
``evaluate`` task ends the workflow. The tables below are what the tests expect back.
"""

import sys

EPOCHS, BATCHES = 4, 2
LOSS = {0.1: [0.9, 0.6, 0.45, 0.5], 0.05: [1.0, 0.7, 0.5, 0.4]}
ACCURACY = {0.1: [0.5, 0.7, 0.8, 0.78], 0.05: [0.45, 0.6, 0.75, 0.82]}
SOURCE = "https://archive.ics.uci.edu/dataset/80"
TRAIN = "/data/digits-train.npz"


def momentum(epoch: int) -> float:
    return 0.9 if epoch < 2 else 0.95


def batch_loss(lr: float, epoch: int, batch: int) -> float:
    return LOSS[lr][epoch] + 0.1 * (1 - batch)


def grad_norm(lr: float, epoch: int, batch: int) -> float:
    return float("nan") if (lr, epoch, batch) == (0.1, EPOCHS - 1, 1) else 1.0 + epoch


def main(log: str, lr: float) -> None:
    from provlake import ProvLake
    from provlake.capture import ProvCycle, ProvTask, ProvWorkflow
    from provlake.utils.args_handler import get_data_reference, get_kg_reference

    train = get_data_reference(TRAIN)
    prov = ProvLake.get_persister(log_file_path=log, context="digits", bag_size=3)
    with ProvWorkflow(prov, "legacy-digits", custom_metadata={"user": "bob"}) as wf:
        with ProvTask(prov, "load_data", wf, input_args={"source": get_kg_reference(SOURCE)}) as t:
            t.end({"train": train, "rows": 1797})
        for epoch in range(EPOCHS):
            settings = {"lr": lr, "momentum": momentum(epoch)}
            with ProvCycle(prov, "epochs", epoch, wf, input_args=settings) as cycle:
                for batch in range(BATCHES):
                    inputs = {"train": train, "epoch": epoch, "batch": batch}
                    with ProvTask(
                        prov, "train_batch", wf, input_args=inputs, parent_cycle_name="epochs"
                    ) as task:
                        task.end(
                            {
                                "batch_loss": batch_loss(lr, epoch, batch),
                                "grad_norm": grad_norm(lr, epoch, batch),
                            }
                        )
                cycle.end({"loss": LOSS[lr][epoch], "accuracy": ACCURACY[lr][epoch]})
        test = {"test": get_data_reference("/data/digits-test.npz")}
        with ProvTask(prov, "evaluate", wf, input_args=test) as t:
            t.end({"test_accuracy": ACCURACY[lr][-1] - 0.01})


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
