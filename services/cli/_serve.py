"""``provml serve``: run the manager service (FastAPI under uvicorn).

The socket is bound before the manager says it is up: a busy port is a clear error and exit status
1, never a "manager on ..." line followed by a failure. ``--port 0`` takes a free port, and the line
names it.
"""

from __future__ import annotations

import argparse
import signal
import socket
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

    from ._target import manager_note

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
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        store.close()
        print(
            f"provml serve: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}"
            " (is another manager running there? choose another --port)",
            file=sys.stderr,
        )
        return 1
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    url = f"http://{host}:{sock.getsockname()[1]}"
    print(f"provml manager on {url}/ (store {settings.store})", flush=True)
    if not settings.anonymous_writes and not settings.write_tokens and not settings.admin_token:
        print(
            f"writes are refused: {settings.host} is not a loopback address and no token is set",
            flush=True,
        )
    # uvicorn stops gracefully on SIGTERM, then raises it again: end like Ctrl-C, cleaning up
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        app = create_app(settings, store=store)
        server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level))
        with manager_note(settings.store, url):
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
        store.close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ``OSError`` when the address is taken or unknown."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host.strip("[]"), port), family=family)
