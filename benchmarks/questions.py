"""Latency of the named questions on a synthetic capture in the on-disk Oxigraph store.

The capture follows the manager's mapping (docs/capture-format.md): ``--experiments`` experiments
whose ``--trainings`` runs each train for ``--epochs`` epochs (one section per epoch) and record
``--measures`` measures per epoch, five hyperparameters (the learning rate adapted halfway), a model
and a test evaluation; ten data-preparation pipelines (raw dataset from a domain sample -> load ->
split -> scale) feed them. Each ended stage carries the summary of each of its measures, as the
manager writes it at ``stage.end`` (``--no-summaries`` leaves them out: the questions then read
every evaluation, as for a legacy capture). The quads are bulk-loaded into ``oxigraph:DIR``, then
every question is asked ``--repeat`` times through ``queryengine.ask`` on
``open_store("oxigraph:DIR")`` and p50 / p95 reported.

    python benchmarks/questions.py --quick                     # a few seconds
    python benchmarks/questions.py --quick --bare              # and the cost of the names
    python benchmarks/questions.py --quick --ui                # the web UI's reads instead
    python benchmarks/questions.py --trainings 1000 --epochs 100 --measures 10   # ~10M triples

Figures and the goals are in docs/performance.md (section Questions).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from queryengine import ask, attach_domain_graph, example_domain_graph  # noqa: E402
from queryengine._catalogue import get_question, parse_question  # noqa: E402
from queryengine._engine import run_question  # noqa: E402
from services.store import open_store  # noqa: E402

BASE = "http://provml.localhost/id/"
P = "https://w3id.org/provml#"
PROV = "http://www.w3.org/ns/prov#"
MLS = "http://www.w3.org/ns/mls#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
CATALOG = f"<{BASE}graph/catalog>"
MEASURES = ["loss", "accuracy", "val_loss", "val_accuracy", "precision", "recall", "f1", "auc",
            "grad_norm", "throughput"]  # fmt: skip
PIPELINES = 10

GOALS = {"intra": 20.0, "inter": 300.0, "lineage": 50.0}
KIND = {
    "training-curve": "intra",
    "best-epoch": "intra",
    "hyperparameters-by-epoch": "intra",
    "execution-times": "intra",
    "training-data": "intra",
    "training-status": "intra",
    "rank-trainings": "inter",
    "runs": "inter",
    "compare-trainings": "inter",
    "trainings-using-data": "inter",
    "models-from-data": "inter",
    "metric-by-hyperparameter": "inter",
    "models-by-domain-property": "inter",
    "domain-entities-of-run": "intra",
    "lineage": "lineage",
    "upstream": "lineage",
    "downstream": "lineage",
    "shortest-path": "lineage",
    "version-explain": "inter",
}


def iri(path: str) -> str:
    return f"<{BASE}{path}>"


def lit(value: object) -> str:
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD}integer>'
    if isinstance(value, float):
        return f'"{value!r}"^^<{XSD}double>'
    return json.dumps(value)


def when(seconds: float) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f'"{stamp}.{int(seconds * 1000) % 1000:03d}Z"^^<{XSD}dateTime>'


def summary(
    stage: str, measure: str, values: list[tuple[float, int | None]], g: str
) -> Iterator[str]:
    """The quads of a stage's summary of ``measure`` from its (value, epoch) pairs (no NaN)."""
    node = f"<{stage[1:-1]}/summary/{measure}>"
    final = max(values, key=lambda ve: (ve[1] is None, ve[1] or 0))
    yield f"{node} <{RDF_TYPE}> <{P}MeasureSummary> {g} .\n"
    yield f"{node} <{RDF_TYPE}> <{PROV}Entity> {g} .\n"
    yield f"{node} <{P}summarizes> {stage} {g} .\n"
    yield f"{node} <{MLS}specifiedBy> {iri(f'measure/{measure}')} {g} .\n"
    yield f"{node} <{P}valueCount> {lit(len(values))} {g} .\n"
    fields = [("final", final)]
    for name, pick in (("lowest", min), ("highest", max)):
        best = pick(v for v, _ in values)
        fields.append((name, next((v, e) for v, e in values if v == best)))
    for name, (value, epoch) in fields:
        yield f"{node} <{P}{name}Value> {lit(value)} {g} .\n"
        if epoch is not None:
            yield f"{node} <{P}{name}Epoch> {lit(epoch)} {g} .\n"


def generate(
    experiments: int,
    trainings: int,
    epochs: int,
    measures: int,
    seed: int = 7,
    summaries: bool = True,
) -> Iterator[str]:
    """N-Quads lines of the synthetic capture."""
    rnd = random.Random(seed)
    t0 = 1_767_225_600.0  # 2026-01-01
    names = MEASURES[:measures]

    def q(s: str, p: str, o: str, g: str) -> str:
        return f"{s} <{p}> {o} {g} .\n"

    for m in [*names, "test_accuracy"]:
        yield q(iri(f"measure/{m}"), RDF_TYPE, f"<{P}EvaluationMeasure>", CATALOG)
        yield q(iri(f"measure/{m}"), LABEL, lit(m), CATALOG)
    for h in ("lr", "batch_size", "hidden", "dropout", "optimizer"):
        yield q(iri(f"hyperparameter/{h}"), RDF_TYPE, f"<{P}LearningHyperparameter>", CATALOG)
        yield q(iri(f"hyperparameter/{h}"), LABEL, lit(h), CATALOG)
    # data preparation: one workflow run with ten pipelines
    g = iri("graph/run/prep")
    run = iri("run/prep")
    yield q(run, RDF_TYPE, f"<{P}WorkflowExecution>", g)
    yield q(run, P + "identifier", lit("prep"), g)
    yield q(run, PROV + "startedAtTime", when(t0), g)
    for k in range(PIPELINES):
        kg, raw = iri(f"entity/kg-{k}"), iri(f"entity/raw-{k}")
        yield q(kg, RDF_TYPE, f"<{P}KnowledgeGraphReference>", g)
        yield q(kg, P + "refersTo", f"<https://example.org/cores#S{k % 3 + 1}>", g)
        yield q(raw, RDF_TYPE, f"<{P}Dataset>", g)
        yield q(raw, PROV + "wasDerivedFrom", kg, g)
        previous = raw
        for step, made in (("load", "loaded"), ("split", "split"), ("scale", "scaled")):
            ex, out = iri(f"execution/{step}-{k}"), iri(f"entity/{made}-{k}")
            yield q(ex, RDF_TYPE, f"<{P}DataTransformationExecution>", g)
            yield q(ex, P + "isPartOf", run, g)
            yield q(ex, P + "executionOf", iri(f"experiment/prep/stage/{step}"), g)
            yield q(ex, PROV + "used", previous, g)
            yield q(ex, PROV + "startedAtTime", when(t0 + k), g)
            yield q(ex, PROV + "endedAtTime", when(t0 + k + 0.5), g)
            yield q(out, RDF_TYPE, f"<{P}Dataset>", g)
            yield q(out, PROV + "wasGeneratedBy", ex, g)
            yield q(out, LABEL, lit(f"{made}-{k}"), g)
            previous = out
        test = iri(f"entity/test-{k}")
        yield q(test, RDF_TYPE, f"<{P}Dataset>", g)
        yield q(test, PROV + "wasGeneratedBy", iri(f"execution/split-{k}"), g)
    for e in range(experiments):
        exp = iri(f"experiment/exp-{e}")
        yield q(exp, RDF_TYPE, f"<{P}LearningExperiment>", CATALOG)
        yield q(exp, LABEL, lit(f"exp-{e}"), CATALOG)
    for r in range(trainings):
        rid, e = f"r{r}", r % experiments
        g, run = iri(f"graph/run/{rid}"), iri(f"run/{rid}")
        start = t0 + 3600 * r
        yield q(run, RDF_TYPE, f"<{P}LearningExperimentExecution>", g)
        yield q(run, RDF_TYPE, f"<{PROV}Activity>", g)
        yield q(run, P + "identifier", lit(rid), g)
        yield q(run, P + "executionOf", iri(f"experiment/exp-{e}"), g)
        yield q(run, PROV + "startedAtTime", when(start), g)
        running = r == trainings - 1  # the last run is still training
        if not running:
            yield q(run, PROV + "endedAtTime", when(start + 60 * epochs + 30), g)
            yield q(run, P + "status", lit("finished"), g)
        tr = iri(f"execution/{rid}-train")
        yield q(tr, RDF_TYPE, f"<{P}TrainingExecution>", g)
        yield q(tr, RDF_TYPE, f"<{PROV}Activity>", g)
        yield q(tr, P + "identifier", lit(f"{rid}-train"), g)
        yield q(tr, P + "isPartOf", run, g)
        yield q(tr, P + "executionOf", iri(f"experiment/exp-{e}/stage/train"), g)
        yield q(tr, P + "plannedEpochs", lit(epochs), g)
        yield q(tr, PROV + "startedAtTime", when(start), g)
        yield q(tr, PROV + "used", iri(f"entity/scaled-{r % PIPELINES}"), g)
        settings = {
            "lr": rnd.choice([0.1, 0.01, 0.001]),
            "batch_size": rnd.choice([32, 64, 128]),
            "hidden": rnd.choice([64, 128]),
            "dropout": rnd.choice([0.0, 0.2, 0.5]),
            "optimizer": rnd.choice(["adam", "sgd"]),
        }
        for h, v in settings.items():
            hv = iri(f"hyperparameter-value/{rid}-{h}")
            yield q(hv, RDF_TYPE, f"<{P}LearningHyperparameterValue>", g)
            yield q(hv, MLS + "specifiedBy", iri(f"hyperparameter/{h}"), g)
            yield q(hv, MLS + "hasValue", lit(v), g)
            yield q(tr, PROV + "used", hv, g)
        ad = iri(f"hyperparameter-value/{rid}-lr-adapted")
        yield q(ad, RDF_TYPE, f"<{P}HyperparameterAdaptation>", g)
        yield q(ad, MLS + "specifiedBy", iri("hyperparameter/lr"), g)
        yield q(ad, MLS + "hasValue", lit(settings["lr"] / 10), g)
        yield q(ad, P + "epoch", lit(epochs // 2), g)
        yield q(ad, PROV + "wasGeneratedBy", tr, g)
        yield q(ad, PROV + "wasRevisionOf", iri(f"hyperparameter-value/{rid}-lr"), g)
        last = epochs // 2 if running else epochs
        measured: dict[str, list[tuple[float, int | None]]] = {m: [] for m in names}
        for j in range(last):
            sec = iri(f"execution/{rid}-e{j}")
            yield q(sec, RDF_TYPE, f"<{P}LearningStageSectionExecution>", g)
            yield q(sec, RDF_TYPE, f"<{PROV}Activity>", g)
            yield q(sec, P + "identifier", lit(f"{rid}-e{j}"), g)
            yield q(sec, P + "isPartOf", tr, g)
            yield q(sec, P + "index", lit(j), g)
            yield q(sec, P + "executionOf", iri(f"experiment/exp-{e}/stage/train/section/epoch"), g)
            yield q(sec, PROV + "startedAtTime", when(start + 60 * j), g)
            yield q(sec, PROV + "endedAtTime", when(start + 60 * j + 59), g)
            for m in names:
                ev = iri(f"evaluation/{rid}-{m}-{j}")
                value = (1.0 / (j + 1) if "loss" in m else 1 - 1.0 / (j + 2)) * rnd.uniform(
                    0.9, 1.1
                )
                yield q(ev, RDF_TYPE, f"<{P}ModelEvaluation>", g)
                yield q(ev, RDF_TYPE, f"<{PROV}Entity>", g)
                yield q(ev, MLS + "specifiedBy", iri(f"measure/{m}"), g)
                yield q(ev, MLS + "hasValue", lit(round(value, 6)), g)
                measured[m].append((round(value, 6), j))
                yield q(ev, PROV + "wasGeneratedBy", sec, g)
                yield q(ev, P + "epoch", lit(j), g)
                yield q(ev, PROV + "generatedAtTime", when(start + 60 * j + 59), g)
        if running:
            continue
        yield q(tr, PROV + "endedAtTime", when(start + 60 * epochs), g)
        if summaries:
            for m in names:
                yield from summary(tr, m, measured[m], g)
        model, evx = iri(f"entity/{rid}-model"), iri(f"execution/{rid}-eval")
        yield q(model, RDF_TYPE, f"<{P}Model>", g)
        yield q(model, PROV + "wasGeneratedBy", tr, g)
        yield q(model, LABEL, lit(f"model-{rid}"), g)
        yield q(evx, RDF_TYPE, f"<{P}EvaluationExecution>", g)
        yield q(evx, P + "isPartOf", run, g)
        yield q(evx, PROV + "used", model, g)
        yield q(evx, PROV + "used", iri(f"entity/test-{r % PIPELINES}"), g)
        yield q(evx, PROV + "startedAtTime", when(start + 60 * epochs), g)
        yield q(evx, PROV + "endedAtTime", when(start + 60 * epochs + 30), g)
        test = iri(f"evaluation/{rid}-test")
        yield q(test, RDF_TYPE, f"<{P}ModelEvaluation>", g)
        yield q(test, MLS + "specifiedBy", iri("measure/test_accuracy"), g)
        accuracy = round(rnd.uniform(0.7, 0.95), 4)
        yield q(test, MLS + "hasValue", lit(accuracy), g)
        if summaries:
            yield from summary(evx, "test_accuracy", [(accuracy, None)], g)
        yield q(test, PROV + "wasGeneratedBy", evx, g)
        yield q(test, P + "evaluatedModel", model, g)
        yield q(test, P + "evaluatedOn", iri(f"entity/test-{r % PIPELINES}"), g)


def build(directory: Path, args: argparse.Namespace) -> int:
    """Write the capture as N-Quads and bulk-load it into an on-disk store; returns the quad
    count."""
    nq = directory / "capture.nq.gz"
    count = 0
    with gzip.open(nq, "wt", compresslevel=1) as f:
        for line in generate(
            args.experiments, args.trainings, args.epochs, args.measures,
            summaries=not args.no_summaries,
        ):  # fmt: skip
            f.write(line)
            count += 1
    store = ox.Store(str(directory / "store"))
    with gzip.open(nq, "rb") as f:
        store.bulk_load(f, format=ox.RdfFormat.N_QUADS)
    store.optimize()
    del store
    nq.unlink()
    return count


def cases(args: argparse.Namespace) -> dict[str, dict[str, object]]:
    mid = f"r{args.trainings // 2}"
    running = f"r{args.trainings - 1}"
    return {
        "training-curve": {"run": mid, "measure": "loss"},
        "best-epoch": {"run": mid, "measure": "val_loss"},
        "hyperparameters-by-epoch": {"run": mid},
        "execution-times": {"run": mid},
        "training-data": {"run": mid},
        "training-status": {"run": running},
        "domain-entities-of-run": {"run": mid},
        "rank-trainings": {"measure": "accuracy", "experiment": "exp-1"},
        "runs": {},
        "compare-trainings": {"hyperparameter": "lr", "measure": "loss", "experiment": "exp-1"},
        "metric-by-hyperparameter": {
            "hyperparameter": "lr",
            "measure": "loss",
            "experiment": "exp-1",
        },
        "trainings-using-data": {"data": "raw-3"},
        "models-from-data": {"data": "raw-3"},
        "models-by-domain-property": {
            "property": "https://example.org/cores#porosity",
            "below": 0.2,
            "measure": "test_accuracy",
        },
        "lineage": {"start": f"{mid}-test"},
        "upstream": {"start": f"{mid}-test", "hops": 5},
        "downstream": {"start": "raw-3", "hops": 3},
        "shortest-path": {
            "source": f"{mid}-test",
            "target": f"raw-{args.trainings // 2 % PIPELINES}",
        },
        # no inferred revision in this capture: the route search finds none, the measures remain
        "version-explain": {"from": f"r{args.trainings // 2 - 1}-model", "to": f"{mid}-model"},
    }


def measure(
    store, name: str, params: dict[str, object], repeat: int, budget: float, bare: bool = False
) -> dict[str, object]:
    """p50 / p95 of the answer (names included); with ``bare``, also the p50 of the same answer
    without its name columns (``names=False``), timed alternately in the same loop."""
    times: list[float] = []
    without: list[float] = []
    rows = ask(name, store=store, base_iri=BASE, **params)  # warm-up
    if bare:
        ask(name, store=store, base_iri=BASE, names=False, **params)
    deadline = time.perf_counter() + budget
    while len(times) < repeat and (not times or time.perf_counter() < deadline):
        t = time.perf_counter()
        ask(name, store=store, base_iri=BASE, **params)
        times.append((time.perf_counter() - t) * 1000)
        if bare:
            t = time.perf_counter()
            ask(name, store=store, base_iri=BASE, names=False, **params)
            without.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    kind = KIND[name]
    extra = {}
    if bare:
        extra = {
            "bare_p50_ms": round(statistics.median(without), 2),
            "names_ratio": round(statistics.median(times) / statistics.median(without), 2),
        }
    return {
        **extra,
        "question": name,
        "kind": kind,
        "rows": len(rows),
        "runs": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95, 2),
        "goal_ms": GOALS[kind],
        "meets_goal": statistics.median(times) <= GOALS[kind],
    }


def versus(
    store, name: str, params: dict[str, object], revision: str, repeat: int
) -> tuple[float, float]:
    """p50 (ms) of the question's text at git ``revision`` and of the current one, asked
    alternately ``repeat`` times each (names included), after checking that both give the same
    rows."""
    path = f"queryengine/questions/{name}.rq"
    old = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:{path}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    texts = {"old": parse_question(old, path), "new": get_question(name)}
    times: dict[str, list[float]] = {"old": [], "new": []}
    answers = {  # warm-up, and the check that both texts give the same answer
        key: run_question(question, store=store, params=params, base_iri=BASE)
        for key, question in texts.items()
    }
    if [dict(r) for r in answers["old"]] != [dict(r) for r in answers["new"]]:
        raise SystemExit(f"{name}: the answers at {revision} and now differ")
    for _ in range(repeat):
        for key, question in texts.items():
            t = time.perf_counter()
            run_question(question, store=store, params=params, base_iri=BASE)
            times[key].append((time.perf_counter() - t) * 1000)
    return statistics.median(times["old"]), statistics.median(times["new"])


def ui_reads(store, args: argparse.Namespace) -> None:
    """p50 of the web UI's reads (services.explore, as its routes call them): the runs table, one
    run's row, a run's page and its metric series."""
    from services.explore._run import metric_series, run_detail
    from services.explore._runs import run_rows

    mid = f"r{args.trainings // 2}"
    touched = ox.NamedNode("urn:provml:bench:touched")
    writes = iter(range(1_000_000))

    def write() -> None:  # one quad, untimed: the store's state moves on
        store.add([ox.Quad(touched, touched, ox.Literal(str(next(writes))), touched)])

    # (read, what runs untimed before each timed call)
    reads = {
        "runs table, after a write": (lambda: run_rows(store, base_iri=BASE), write),
        "runs table, store unchanged": (lambda: run_rows(store, base_iri=BASE), None),
        f"one run's row ({mid})": (lambda: run_rows(store, run=mid, base_iri=BASE), None),
        f"run page ({mid})": (lambda: run_detail(store, mid, base_iri=BASE), None),
        f"metric series ({mid})": (lambda: metric_series(store, mid, base_iri=BASE), None),
    }
    for name, (read, before) in reads.items():
        read()  # warm-up
        times: list[float] = []
        deadline = time.perf_counter() + args.budget
        while len(times) < args.repeat and (not times or time.perf_counter() < deadline):
            if before:
                before()
            started = time.perf_counter()
            read()
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:28} p50 {statistics.median(times):>10.1f} ms ({len(times)} runs)", flush=True)
    store.remove_graph(touched.value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a small capture (20 runs x 10 epochs x 3)"
    )
    parser.add_argument("--experiments", type=int, default=10)
    parser.add_argument("--trainings", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--measures", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per question")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per question at most")
    parser.add_argument("--only", nargs="*", help="questions to time (default: all)")
    parser.add_argument(
        "--dir", type=Path, help="keep the store here (default: a temporary folder)"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--bare",
        action="store_true",
        help="also time each answer without its name columns (names=False) and print the ratio",
    )
    parser.add_argument(
        "--no-summaries", action="store_true", help="leave the per-stage measure summaries out"
    )
    parser.add_argument(
        "--versus",
        metavar="REVISION",
        help="instead, time each question's text at this git revision against the current one, "
        "alternately, and print both p50 and their ratio",
    )
    parser.add_argument(
        "--ui",
        action="store_true",
        help="instead, time the web UI's reads: the runs table, one run's row, page and series",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.experiments, args.trainings, args.epochs, args.measures = 2, 20, 10, 3
    with tempfile.TemporaryDirectory(prefix="provml-bench-") as tmp:
        directory = args.dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        quads = None if (directory / "store").exists() else build(directory, args)
        built = time.perf_counter() - started
        with open_store(f"oxigraph:{directory / 'store'}") as store:
            attach_domain_graph(store, "cores", example_domain_graph(), base_iri=BASE)
            total = store.count()
            how = "reused" if quads is None else f"built in {built:.0f} s"
            print(
                f"# {args.trainings} trainings x {args.epochs} epochs x {args.measures} measures: "
                f"{total:,} quads ({how})"
            )
            if args.ui:
                ui_reads(store, args)
                return 0
            if not args.versus:
                print(
                    f"{'question':28} {'kind':8} {'rows':>6} {'p50 ms':>9} {'p95 ms':>9} "
                    f"{'goal':>6}  ok" + ("  bare p50  ratio" if args.bare else "")
                )
            results = []
            for name, params in cases(args).items():
                if args.only and name not in args.only:
                    continue
                if args.versus:
                    before, after = versus(store, name, params, args.versus, args.repeat)
                    print(f"{name:28} {args.versus} p50 {before:.2f} ms, now {after:.2f} ms: "
                          f"x{after / before:.2f}", flush=True)  # fmt: skip
                    continue
                r = measure(store, name, params, args.repeat, args.budget, args.bare)
                results.append(r)
                ok = "yes" if r["meets_goal"] else "NO"
                extra = f"  {r['bare_p50_ms']:>8.2f}  {r['names_ratio']:>5.2f}" if args.bare else ""
                print(
                    f"{name:28} {r['kind']:8} {r['rows']:>6} {r['p50_ms']:>9.2f} "
                    f"{r['p95_ms']:>9.2f} {r['goal_ms']:>6.0f}  {ok:3}{extra}",
                    flush=True,
                )
        if args.json:
            args.json.write_text(json.dumps({"quads": total, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
