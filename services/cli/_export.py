"""``provml export`` and ``provml import``: W3C PROV documents in and out of the store.

Exit codes: 0 done; 1 the store or the validation refused (nothing written), or a picture could not
be rendered (its DOT source is written instead); 2 bad arguments or an unreadable document (nothing
written).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.provdoc._formats import EXPORT_FORMATS, IMPORT_FORMATS

from ._target import TargetError, add_target_arguments, open_target, target_uri

# Above this many quads an export shows its progress (a bulk import shows it for several files).
_LARGE = 50_000


def register(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser(
        "export",
        help="export a run, a graph or the whole store as PROV-N/JSON/XML, PROV-O or a picture",
    )
    what = exp.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--run",
        metavar="ID_OR_IRI",
        help="one run, by client id, run IRI, DLProv execution tag or a name only it has",
    )
    what.add_argument(
        "--dataflow", metavar="TAG", help="every execution of a DLProv dataflow, one document"
    )
    what.add_argument("--graph", metavar="IRI", help="one named graph (e.g. an import graph)")
    what.add_argument("--all", action="store_true", help="every graph, one PROV bundle each")
    exp.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="output format (default: from the extension of -o)",
    )
    exp.add_argument("-o", "--output", metavar="PATH", help="file to write (default: stdout)")
    add_target_arguments(exp)
    exp.add_argument("--base-iri", help="base of minted IRIs (default: $PROVML_BASE_IRI)")
    exp.set_defaults(handler=_export)

    imp = sub.add_parser("import", help="import PROV or PROV-O documents into import graphs")
    imp.add_argument("files", nargs="+", metavar="FILE", help="documents to import")
    imp.add_argument(
        "--format",
        choices=IMPORT_FORMATS,
        help="format of every file (default: from each file's extension)",
    )
    imp.add_argument(
        "--name",
        help="import graph name, {base}graph/import/NAME (default: a digest of each document)",
    )
    imp.add_argument(
        "--no-validate", action="store_true", help="skip the SHACL check of the imported quads"
    )
    _common(imp)
    imp.set_defaults(handler=_import)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", help="store URI (default: $PROVML_STORE or oxigraph:./provml-data)"
    )
    parser.add_argument("--base-iri", help="base of minted IRIs (default: $PROVML_BASE_IRI)")


def _fail(command: str, message: str, code: int = 2) -> int:
    print(f"provml {command}: error: {message}", file=sys.stderr)
    return code


def _settings(args: argparse.Namespace, store: str | None):
    from services._settings import Settings

    given = {"store": store, "base_iri": args.base_iri}
    return Settings(**{k: v for k, v in given.items() if v is not None})


@contextmanager
def _progress(enabled: bool) -> Iterator[object | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield progress


def _export(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from services import provdoc
    from services.provdoc import GraphvizNotFoundError, ProvDocumentError
    from services.store import StoreError

    fmt = args.format
    if fmt is None:
        if args.output is None:
            return _fail("export", "give --format (or -o PATH with a known extension)")
        try:
            fmt = provdoc.format_for_path(args.output).name
        except ProvDocumentError as exc:
            return _fail("export", str(exc))
    try:
        settings = _settings(args, target_uri(args))
    except ValidationError as exc:
        return _fail("export", str(exc.errors()[0]["msg"]))
    base = settings.base_iri
    try:
        with open_target(args) as store:
            large = args.all or store.count() > _LARGE
            with _progress(large) as progress:
                task = progress.add_task("reading the store", total=2) if progress else None
                quads = provdoc.select_quads(
                    store,
                    fmt,
                    run=args.run,
                    graph=args.graph,
                    dataflow=args.dataflow,
                    base_iri=base,
                )
                if progress:
                    progress.update(task, advance=1, description=f"writing {len(quads)} quads")
                data = provdoc.serialize_quads(quads, fmt, base_iri=base)
                if progress:
                    progress.update(task, advance=1)
    except GraphvizNotFoundError as exc:
        target = Path(args.output).with_suffix(".dot") if args.output else None
        if target is None:
            sys.stdout.buffer.write(exc.dot_source)
        else:
            _write_atomically(target, exc.dot_source)
        where = f"wrote the graph to {target}" if target else "wrote the DOT source to stdout"
        return _fail("export", f"{exc}; {where} (render it with: dot -T{fmt} FILE.dot)", 1)
    except ProvDocumentError as exc:
        return _fail("export", str(exc))
    except TargetError as exc:
        return _fail("export", str(exc), 1)
    except (StoreError, OSError) as exc:
        return _fail("export", f"store {settings.store}: {exc}", 1)
    if args.output:
        _write_atomically(Path(args.output), data)
        print(f"wrote {args.output} ({fmt}, {len(quads)} quads)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a failure leaves no partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _import(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from services import provdoc
    from services.ingest import IngestError, Ingestor, ShapeViolation
    from services.provdoc import ProvDocumentError
    from services.store import StoreError, open_store

    try:
        settings = _settings(args, args.store)
    except ValidationError as exc:
        return _fail("import", str(exc.errors()[0]["msg"]))
    # Read and convert every file first: one unreadable file and nothing is written.
    parsed = []
    with _progress(len(args.files) > 1) as progress:
        task = progress.add_task("reading", total=len(args.files)) if progress else None
        for name in args.files:
            path = Path(name)
            try:
                fmt = args.format or provdoc.format_for_path(path).name
                data = path.read_bytes()
                quads = provdoc.import_document(
                    data, fmt, base_iri=settings.base_iri, name=args.name
                )
            except ProvDocumentError as exc:
                return _fail("import", f"{name}: {exc}; nothing imported")
            except OSError as exc:
                return _fail("import", f"{name}: {exc.strerror or exc}; nothing imported")
            parsed.append((name, fmt, quads))
            if progress:
                progress.update(task, advance=1)
    every = [q for _, _, quads in parsed for q in quads]
    try:
        with open_store(settings.store) as store:
            ingestor = Ingestor(
                store,
                base_iri=settings.base_iri,
                validate=settings.validate_shapes and not args.no_validate,
                max_records=max(len(every), 1),
            )
            ingestor.ingest_quads(every, source="import:cli")
    except ShapeViolation as exc:
        return _fail("import", f"the documents violate the shapes, nothing imported: {exc}", 1)
    except (IngestError, StoreError, OSError) as exc:
        return _fail("import", f"store {settings.store}: {exc}; nothing imported", 1)
    for name, fmt, quads in parsed:
        graphs = sorted({q.graph_name.value for q in quads})
        print(f"{name} ({fmt}): {len(quads)} quads in {', '.join(graphs)}")
    return 0
