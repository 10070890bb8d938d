"""``provml demo``: a real training captured end to end, then questions, PROV export, validation."""

from __future__ import annotations

import itertools
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import provlake as pl
from queryengine import default_base_iri
from services.demo._next import next_steps
from services.demo._server import BackgroundManager
from services.demo._training import EXPERIMENT, Config, Outcome, prepare_data, train

DOMAIN_GRAPH = Path(__file__).with_name("digits-domain.ttl")
# The edges of the lineage answer that carry data (the rest: parts, hyperparameters, attributes).
_DATA_RELATIONS = {
    "wasGeneratedBy",
    "wasDerivedFrom",
    "refersTo",
    "evaluatedModel",
    "evaluatedOn",
    "used",
}
_PARAMETER_TYPES = {"LearningHyperparameterValue", "AttributeValue"}
DEFAULT_GRID = tuple(Config(hidden=h, lr=lr) for h, lr in itertools.product((16, 64), (0.1, 0.02)))


@dataclass
class DemoResult:
    """What the demo did and found; the end-to-end test checks the answers against the outcomes."""

    outcomes: list[Outcome]
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    best_run: str = ""
    preparation_run: str = ""
    exports: dict[str, Path] = field(default_factory=dict)
    violations: int = -1
    validated_triples: int = 0
    quarantined: int = -1
    seconds: float = 0.0
    manager_url: str = ""


def run_demo(
    store: str = "oxigraph:./provml-data",
    *,
    out: Path = Path("provml-export"),
    grid: tuple[Config, ...] = DEFAULT_GRID,
    epochs: int = 12,
    console: Console | None = None,
    serve: bool = False,
    port: int = 0,
) -> DemoResult:
    """Run the whole demo against a manager started on ``store``; returns what it found.

    With ``serve`` the manager (and its web UI) stays up on ``port`` (any free port when 0) until
    Ctrl-C."""
    from queryengine import ask, attach_domain_graph

    console = console or Console()
    started = time.monotonic()
    with BackgroundManager(store, port=port) as manager:
        db = manager.app.state.store
        console.print(f"[bold]provml demo[/] — manager at {manager.url}, store [cyan]{store}[/]")
        attach_domain_graph(db, "optdigits", DOMAIN_GRAPH)
        prepared = prepare_data(manager.url)
        outcomes = _train_grid(manager.url, prepared, grid, epochs, out / "models", console)
        if not pl.flush(timeout=60, acknowledged=True):
            raise RuntimeError("the capture client could not deliver every record to the manager")
        result = DemoResult(
            outcomes=outcomes, manager_url=manager.url, preparation_run=prepared.run_id
        )
        _ask_questions(result, db, ask, console)
        _export(result, db, out, console)
        _validate(result, manager, console)
        result.seconds = time.monotonic() - started
        if serve:
            _serve(result, manager, console)
            return result
    next_steps(result.best_run.rsplit("/", 1)[-1], store, result.seconds, console)
    return result


def _serve(result: DemoResult, manager: BackgroundManager, console: Console) -> None:
    """Keep the manager up for the web UI until Ctrl-C."""
    console.print(
        f"\nDone in {result.seconds:.1f} s. The web UI: [bold]{manager.url}/[/] "
        f"(SPARQL at {manager.url}/sparql); Ctrl-C stops the manager.",
        soft_wrap=True,
    )
    # Ctrl-C and a termination signal both stop it cleanly, even when started from a shell that
    # made this process ignore SIGINT (a background job without job control).
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while manager.running():
            time.sleep(0.5)
    except KeyboardInterrupt:
        console.print("stopping the manager")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _train_grid(
    manager: str,
    prepared: Any,
    grid: tuple[Config, ...],
    epochs: int,
    model_dir: Path,
    console: Console,
) -> list[Outcome]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
    )
    outcomes = []
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("training", total=len(grid) * epochs, last="")

        def on_epoch(config: Config, epoch: int, metrics: dict[str, float]) -> None:
            progress.update(
                task,
                advance=1,
                description=f"hidden={config.hidden:<3} lr={config.lr:<5}",
                last=f"epoch {epoch:>2}  loss {metrics['loss']:.3f}  "
                f"val_acc {metrics['val_accuracy']:.3f}",
            )

        for config in grid:
            outcomes.append(
                train(
                    manager, prepared, config, epochs=epochs, model_dir=model_dir, on_epoch=on_epoch
                )
            )
    return outcomes


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    for c in columns:
        table.add_column(c)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = "" if value is None else str(value)
    return text.rsplit("/", 1)[-1] if text.startswith(default_base_iri()) else text


def _ask_questions(result: DemoResult, db: Any, ask: Any, console: Console) -> None:
    answers = result.answers
    answers["rank-trainings"] = list(
        ask(
            "rank-trainings",
            store=db,
            experiment=EXPERIMENT,
            measure="test_accuracy",
            pick="final",
            goal="max",
        )
    )
    console.print(
        _table(
            "Trainings ranked by test accuracy (rank-trainings)",
            answers["rank-trainings"],
            ["run", "value", "hyperparameters"],
        )
    )
    best = answers["rank-trainings"][0]["run"]
    result.best_run = best
    answers["training-curve"] = list(ask("training-curve", store=db, run=best, measure="loss"))
    answers["val-curve"] = list(ask("training-curve", store=db, run=best, measure="val_loss"))
    val = {r["epoch"]: r["value"] for r in answers["val-curve"]}
    curve = [{**r, "val_loss": val.get(r["epoch"])} for r in answers["training-curve"]]
    console.print(
        _table(
            "Loss curve of the best training (training-curve)",
            curve,
            ["epoch", "value", "val_loss"],
        )
    )
    answers["hyperparameters-by-epoch"] = list(ask("hyperparameters-by-epoch", store=db, run=best))
    changes = [
        r
        for r in answers["hyperparameters-by-epoch"]
        if r.get("adapted") and r["epoch"] == r["since_epoch"]
    ]
    console.print(
        _table(
            "Learning-rate changes of the best training (hyperparameters-by-epoch)",
            changes,
            ["epoch", "hyperparameter", "value"],
        )
    )
    test_metric = next(
        r["evaluation"] for r in ask("training-curve", store=db, run=best, measure="test_accuracy")
    )
    answers["lineage"] = list(ask("lineage", store=db, start=test_metric))
    data_path = [
        r
        for r in answers["lineage"]
        if r["relation"] in _DATA_RELATIONS and r["target_type"] not in _PARAMETER_TYPES
    ]
    data_path = [  # the answer names every node
        {**r, "source": r["source_name"], "target": r["target_name"]} for r in data_path
    ]
    console.print(
        _table(
            "Lineage from the test accuracy back to the raw data (lineage, data edges)",
            data_path,
            ["source", "relation", "target", "target_type"],
        )
    )


def _export(result: DemoResult, db: Any, out: Path, console: Console) -> None:
    from services.provdoc import GraphvizNotFoundError, export_run

    folder = out / f"run-{result.best_run.rsplit('/', 1)[-1]}"
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, suffix in (("provn", "provn"), ("provjson", "json"), ("svg", "svg"), ("png", "png")):
        path = folder / f"provenance.{suffix}"
        try:
            path.write_bytes(export_run(db, result.best_run, fmt))
        except GraphvizNotFoundError as exc:
            path.with_suffix(".dot").write_bytes(exc.dot_source)
            console.print(f"[yellow]{exc}[/]")
            continue
        result.exports[fmt] = path
    console.print(
        f"W3C PROV of the best training written to [cyan]{folder}[/]: "
        + ", ".join(p.name for p in result.exports.values())
    )


def _validate(result: DemoResult, manager: BackgroundManager, console: Console) -> None:
    """Every batch was checked on arrival; check the demo's graphs again as a whole with pyshacl."""

    from services.ingest._validation import PyshaclValidator

    db = manager.app.state.store
    result.quarantined = len(manager.app.state.ingestor.quarantine.list())
    runs = [result.preparation_run, *(o.run_id for o in result.outcomes)]
    quads = _demo_quads(db, runs)
    report = PyshaclValidator().validate(quads)
    result.violations, result.validated_triples = len(report), len(quads)
    colour = "green" if not report and not result.quarantined else "red"
    console.print(
        f"[{colour}]SHACL (pyshacl): {len(report)} violations in {len(quads)} triples of the "
        f"demo's runs; {result.quarantined} batches in quarantine[/]"
    )


def _demo_quads(db: Any, runs: list[str]) -> list[Any]:
    import pyoxigraph as ox

    wanted = {
        g
        for g in db.graphs()
        if g.rsplit("/", 1)[-1] in runs or g.endswith(("/graph/catalog", "/graph/data"))
    }
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for g in sorted(wanted)
        for q in ox.parse(db.dump(ox.RdfFormat.N_TRIPLES, graph=g), format=ox.RdfFormat.N_TRIPLES)
    ]
