"""``mlmock serve --workers N``: N processes serving one state, an SQLite file in WAL mode.

The parent prepares the state once (the catalogues, ``--seed-file``), binds the socket, then runs
uvicorn's multi-process supervisor with :func:`worker_app` as the app factory: each worker opens the
same file without seeding anything (``build(..., worker=True)``) and shares the parent's JWT secret.
Every read-modify-write is one ``BEGIN IMMEDIATE`` transaction, which waits for another worker's
(``rows.BUSY_S``), so uniqueness, patches and counters hold across workers as across threads.

What lives in a process's memory (the request journal, the fault rules and their ids, the clock, the
lifecycle pace set at run time, the dashboard that shows them) would differ from worker to worker:
the control plane under ``/_mlmock`` refuses with a 409 (the specs it serves excepted, the same in
every worker). Each answer names its worker in ``X-Mlmock-Worker`` (the process id).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
import uuid

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.supervisors import Multiprocess

from .core.errors import MockError, answer
from .devtools.control_http import DIALECT, PREFIX
from .http.requestlog import RequestLog, console, uvicorn_log_config
from .server import GRACEFUL_SHUTDOWN_S, ConfigError, Options, announce, bind, build, tls

ENV = "MLMOCK_WORKER_OPTIONS"  # the parent's Options, as JSON, for the workers it spawns
WORKER_HEADER = "x-mlmock-worker"
NOTE = ("\n  workers       {n} processes sharing {state}; the control plane and dashboard need --workers 1"
        " (409 here)")


def serve_workers(options: Options, log: logging.Logger) -> None:
    """Prepare the state, then serve it with ``options.workers`` processes until Ctrl-C or SIGTERM."""
    if options.workers < 1:
        raise ConfigError(f"--workers {options.workers}: at least 1")
    if options.seed is not None:
        raise ConfigError("--seed needs --workers 1: a seeded id generator and a fixed clock cannot be "
                          "shared by several processes")
    temporary = None
    if not options.state_file:
        temporary = tempfile.mkdtemp(prefix="mlmock-workers-")
    try:
        options = dataclasses.replace(options, state_file=options.state_file or os.path.join(temporary, "state.db"),
                                      jwt_secret=options.jwt_secret or uuid.uuid4().hex)
        app = build(options, log)  # the catalogues and the seed file, once
        try:
            _run(app, options, log, temporary is not None)
        finally:
            app.engine.store.close()  # after the workers: the checkpoint leaves the .db file alone
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def _run(app, options: Options, log: logging.Logger, temporary: bool) -> None:
    scheme, ssl = tls(options, log)
    sock = bind(options.host, options.port)
    try:
        port = sock.getsockname()[1]
        state = f"{options.state_file} (temporary: removed at exit)" if temporary else options.state_file
        announce(app, options, log, scheme, port, NOTE.format(n=options.workers, state=state),
                 {"workers": options.workers, "state_file": options.state_file, "temporary_state": temporary})
        os.environ[ENV] = json.dumps(dataclasses.asdict(options))  # the spawned workers inherit it
        config = uvicorn.Config(f"{__name__}:worker_app", factory=True, workers=options.workers,
                                log_level=options.log_level, lifespan="off", access_log=False,
                                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
                                log_config=uvicorn_log_config(options.log_format) or uvicorn.config.LOGGING_CONFIG,
                                **ssl)
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


def worker_app() -> ASGIApp:
    """One worker's app (uvicorn's factory, in the spawned process): the parent's state file."""
    options = Options(**json.loads(os.environ[ENV]))
    app = build(options, console(options.log_format), worker=True)
    app.journal.subscribers.append(RequestLog(options.log_format, level=options.log_level))
    return OneWorkerTools(app)


class OneWorkerTools:
    """Refuses the per-process developer tools under ``/_mlmock`` (409, the control plane's envelope)
    and names the worker that answered in ``X-Mlmock-Worker``."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.pid = str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if (path == PREFIX or path.startswith(PREFIX + "/")) and not (
                path.startswith(PREFIX + "/api/specs/") and scope.get("method") in ("GET", "HEAD")):
            error = MockError(f"{path} needs `mlmock serve --workers 1`: the journal, fault rules, clock and "
                              "lifecycle pace of this mock live in each worker process", status=409,
                              code="needs_one_worker")
            refused = answer(DIALECT, error, ensure_ascii=False)
            refused.headers[WORKER_HEADER] = self.pid.decode()
            await refused.send(send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (WORKER_HEADER.encode(), self.pid)]}
            await send(message)

        await self.app(scope, receive, named)
