"""``provml serve``: run the manager service (FastAPI under uvicorn)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="run the manager service (capture, SPARQL, linked data)")
    parser.add_argument(
        "--store", help="store URI (default: $PROVML_STORE or oxigraph:./provml-data)"
    )
    parser.add_argument("--host", help="address to bind (default: $PROVML_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default: $PROVML_PORT or 7080)")
    parser.add_argument("--base-iri", help="base of minted IRIs (default: $PROVML_BASE_IRI)")
    parser.add_argument("--quarantine-dir", help="where rejected batches are kept")
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default: info)")
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn
    from pydantic import ValidationError

    from services.app import Settings, create_app
    from services.store import StoreError, open_store

    given = {
        "store": args.store,
        "host": args.host,
        "port": args.port,
        "base_iri": args.base_iri,
        "quarantine_dir": args.quarantine_dir,
    }
    try:
        settings = Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        print(f"provml serve: invalid settings: {exc}", file=sys.stderr)
        return 2
    try:
        store = open_store(settings.store)
    except StoreError as exc:
        print(f"provml serve: cannot open the store {settings.store}: {exc}", file=sys.stderr)
        return 1
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"provml manager on http://{host}:{settings.port}/ (store {settings.store})", flush=True)
    if not settings.anonymous_writes and not settings.write_tokens and not settings.admin_token:
        print(
            f"writes are refused: {settings.host} is not a loopback address and no token is set",
            flush=True,
        )
    try:
        app = create_app(settings, store=store)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level)
    finally:
        store.close()
    return 0
