"""Run the manager in a background thread of this process, on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from services._settings import Settings
from services.app import create_app


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BackgroundManager:
    """``with BackgroundManager(store) as m:`` serves the manager at ``m.url`` until the block ends.

    The app (and so its store) stays reachable as ``m.app`` for in-process questions.
    """

    def __init__(self, store: str, *, port: int = 0, startup_timeout: float = 30.0) -> None:
        self.port = port or free_port()
        self.settings = Settings(store=store, host="127.0.0.1", port=self.port)
        self.app = create_app(self.settings)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="provml-manager", daemon=True)
        self._startup_timeout = startup_timeout

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        """True while the server thread serves."""
        return self._thread.is_alive()

    def __enter__(self) -> BackgroundManager:
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(
                    f"the manager could not start on store {self.settings.store!r}; is another "
                    "provml process using it? Use --store memory: or another folder."
                )
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the manager did not start within {self._startup_timeout:.0f} s"
                )
            time.sleep(0.02)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
