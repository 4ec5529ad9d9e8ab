"""Run the mock on a real socket in a background thread (fixtures, tests, benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import uvicorn


class LiveServer:
    """``with LiveServer(app) as server: server.url`` serves ``app`` on a free loopback port."""

    def __init__(self, app, *, host: str = "127.0.0.1", port: int = 0, ssl_certfile: str | None = None,
                 ssl_keyfile: str | None = None, log_level: str = "warning"):
        self.app = app
        self.host = host
        config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off",
                                ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.scheme = "https" if ssl_certfile else "http"
        self.port = port

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> LiveServer:
        self._thread = threading.Thread(target=self._run, name="mlmock-live", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock server did not start")
            time.sleep(0.01)
        sockets = [s for server in self._server.servers for s in server.sockets]
        self.port = sockets[0].getsockname()[1]
        return self

    def _run(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(self._server.serve())

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
