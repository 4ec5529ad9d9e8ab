"""``mlmock serve``: the mock as a standalone server."""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field

import uvicorn

from mlmock import DEFAULT_TOKEN

from .core.engine import Clock, Engine, Ids, Settings
from .core.errors import MockError
from .core.lifecycle import Progression
from .core.store import Store
from .devtools.journal import DEFAULT_BODY_LIMIT, DEFAULT_SIZE
from .http.app import MockApp, create_app
from .http.requestlog import RequestLog, console, uvicorn_log_config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8585
# With --seed the clock starts here (2024-01-01T00:00:00Z) and moves only when advanced.
DETERMINISTIC_START_MS = 1_704_067_200_000
DETERMINISTIC_PROGRESSION = "reads:1"
# On Ctrl-C or SIGTERM, requests in flight get this long to finish before the connections close.
GRACEFUL_SHUTDOWN_S = 3


class ConfigError(Exception):
    """A bad option value or a port that cannot be bound: one line on stderr, exit status 2."""


@dataclass
class Options:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str = DEFAULT_TOKEN
    state_file: str | None = None
    log_level: str = "info"
    log_format: str = "text"
    seed_file: str | None = None
    seed: int | None = None
    progressions: list[str] = field(default_factory=list)
    tls: bool = False
    tls_dir: str | None = None
    journal_size: int = DEFAULT_SIZE
    journal_body_limit: int = DEFAULT_BODY_LIMIT
    auto_spaces: bool = False
    limited_token: str | None = None
    workers: int = 1
    # Signs the WML bearer JWTs; given to every worker, so that a token one issued, another accepts.
    jwt_secret: str | None = None


def banner_fields(app, scheme: str, host: str, port: int) -> dict:
    """What the banner says, as data (the JSON log's ``serving`` object)."""
    root = f"{scheme}://{host}:{port}"
    apis = {}
    for name, decl in app.apis.items():
        base = decl.base_path or "/"
        apis[name] = {"url": f"{root}{base if base != '/' else ''}", "swagger_ui": f"{root}{base.rstrip('/')}/ui/"}
    return {"url": root, "apis": apis, "token": app.token, "dashboard": f"{root}/_mlmock/",
            "control_plane": f"{root}/_mlmock/api", "limited_token": app.engine.settings.limited_token}


def banner(app, scheme: str, host: str, port: int) -> str:
    fields = banner_fields(app, scheme, host, port)
    lines = [f"mlmock serving on {fields['url']}"]
    for name, api in fields["apis"].items():
        lines.append(f"  {name:<13} {api['url']}  (Swagger UI: {api['swagger_ui']})")
    lines.append(f"  token         Authorization: Bearer {fields['token']}")
    if fields.get("limited_token"):
        lines.append(f"  limited token Authorization: Bearer {fields['limited_token']}  (403 where documented)")
    lines.append(f"  dashboard     {fields['dashboard']}  (control plane: {fields['control_plane']})")
    lines.append("  stop          Ctrl-C (or SIGTERM)")
    return "\n".join(lines)


def _split_progressions(values: Iterable[str]) -> tuple[str | None, list[tuple[str, str, str]]]:
    """``SPEC`` (the default) and ``API.KIND=SPEC`` (one kind), each checked."""
    default, per_kind = None, []
    for value in values:
        target, sep, spec = value.rpartition("=")
        try:
            Progression.parse(spec)
        except ValueError as error:
            raise ConfigError(f"--progression {value}: {error}") from None
        if not sep:
            default = spec
            continue
        api, dot, kind = target.partition(".")
        if not dot or not api or not kind:
            raise ConfigError(f"--progression {value}: name the kind as API.KIND=SPEC, e.g. wml.deployment=manual")
        per_kind.append((api, kind, spec))
    return default, per_kind


def build(options: Options, log: logging.Logger | None = None, *, worker: bool = False) -> MockApp:
    """The app ``options`` describe, seeded and configured, not yet serving; what it has to say
    (seeding) goes to ``log`` (by default the console in ``options.log_format``). A ``worker`` of
    ``--workers N`` opens the state file as the parent left it: no catalogue, no seed file."""
    log = log or console(options.log_format)
    default, per_kind = _split_progressions(options.progressions)
    if options.seed is not None and default is None:
        default = DETERMINISTIC_PROGRESSION
    try:
        store = Store(options.state_file) if options.state_file else Store()
    except Exception as error:  # sqlite3.Error, OSError: the file is not a usable database
        raise ConfigError(f"--state-file {options.state_file}: {error}") from None
    settings = Settings(token=options.token, progression=default or Settings.progression,
                        auto_spaces=options.auto_spaces, limited_token=options.limited_token)
    if options.jwt_secret:
        settings.jwt_secret = options.jwt_secret
    clock, ids = None, None
    if options.seed is not None:
        # A persistent store already holds ids of earlier runs: continue from where it stands.
        stored = sum(n for *_, n in store.kinds_summary())
        clock, ids = Clock(DETERMINISTIC_START_MS), Ids(options.seed + (stored << 32))
    app = create_app(engine=Engine(store, settings=settings, clock=clock, ids=ids), catalogues=not worker)
    try:
        app.journal.configure(size=options.journal_size, body_limit=options.journal_body_limit)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    control = app.control
    try:
        for api, kind, spec in per_kind:
            control.set_progression(spec, api, kind)
    except MockError as error:
        raise ConfigError(f"--progression: {error.message}") from None
    control.seed_value = options.seed
    app.faults.reseed(options.seed)
    control.mark_baseline()
    if options.seed_file and not worker:
        _seed(app, options, log)
    return app


def _user_resources(app: MockApp) -> int:
    """Live resources a client created (the seeded catalogues excluded)."""
    total = 0
    for row in app.control.summary():
        kind = app.apis[row["api"]].kinds.get(row["kind"])
        if kind is not None and not kind.readonly:
            total += max(0, row["count"] - app.engine.seeded.get((row["api"], row["kind"]), 0))
    return total


def _seed(app: MockApp, options: Options, log: logging.Logger) -> None:
    from .devtools import seeding

    try:
        data = seeding.read(options.seed_file)
        if options.state_file and _user_resources(app):
            log.warning(f"mlmock: {options.state_file} already holds resources; --seed-file {options.seed_file} "
                        "not applied (reset through the control plane to start over)")
            return
        report = app.control.seed(data, origin=f"http://{options.host}:{options.port}")
    except MockError as error:
        raise ConfigError(f"--seed-file {options.seed_file}: {error.message}") from None
    log.info(f"mlmock: seeded {report['count']} resources from {options.seed_file}",
             extra={"fields": {"seeded": report["count"], "seed_file": options.seed_file}})


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, bound before anything is announced. A busy port or an
    address this machine does not have is a :class:`ConfigError` (one line, exit status 2)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ConfigError(f"--host {host}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart at once
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror or error}"
                          + (" (another process holds the port: choose one with --port)"
                             if error.errno == 98 else "")) from None
    sock.set_inheritable(True)
    return sock


def serve(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str = DEFAULT_TOKEN,
          state_file: str | None = None, log_level: str = "info", **more) -> None:
    """Serve until Ctrl-C or SIGTERM, then close the store (a state file is checkpointed: the
    ``.db`` alone holds everything). Raises :class:`ConfigError` before serving on a bad option
    or a port it cannot bind."""
    options = Options(host=host, port=port, token=token, state_file=state_file, log_level=log_level, **more)
    log = console(options.log_format)
    if options.workers != 1:
        from .workers import serve_workers

        serve_workers(options, log)
        return
    app = build(options, log)
    try:
        _serve(app, options, log)
    finally:
        app.engine.store.close()


def tls(options: Options, log: logging.Logger) -> tuple[str, dict]:
    """The scheme and uvicorn's TLS options (``--tls``: the certificate, created once)."""
    if not options.tls:
        return "http", {}
    from mlmock.tls import default_directory, ensure_certificate

    directory = options.tls_dir or default_directory()
    try:
        certfile, keyfile = ensure_certificate(directory, hosts=dict.fromkeys((options.host, "127.0.0.1", "localhost")))
    except (OSError, ValueError) as error:
        raise ConfigError(f"--tls: cannot write the certificate to {directory}: {error}") from None
    log.info(f"mlmock: TLS certificate {certfile} (key {keyfile}); trust it with e.g. curl --cacert {certfile}",
             extra={"fields": {"certfile": str(certfile), "keyfile": str(keyfile)}})
    return "https", {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}


def announce(app: MockApp, options: Options, log: logging.Logger, scheme: str, port: int, note: str = "",
             more: dict | None = None) -> None:
    """The banner: ``note`` ends the text one, ``more`` adds to the JSON one."""
    if options.log_format == "json":
        log.info("serving", extra={"fields": {**banner_fields(app, scheme, options.host, port), **(more or {})}})
    else:
        log.info(banner(app, scheme, options.host, port) + note)


def _serve(app: MockApp, options: Options, log: logging.Logger) -> None:
    host, port = options.host, options.port
    app.journal.subscribers.append(RequestLog(options.log_format, level=options.log_level))
    scheme, ssl = tls(options, log)
    sock = bind(host, port)
    port = sock.getsockname()[1]  # --port 0: the one the system chose
    announce(app, options, log, scheme, port)
    # A client holding an idle keep-alive connection must not keep a SIGTERM from ending the process.
    config = uvicorn.Config(app, log_level=options.log_level, lifespan="off", access_log=False,
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
                            log_config=uvicorn_log_config(options.log_format) or uvicorn.config.LOGGING_CONFIG,
                            **ssl)
    # uvicorn shuts down on SIGTERM, then raises the signal again under the handler that was in place
    # before it started: the default one would end the process before the store is closed (and the
    # WAL checkpointed). Under this one, serve() returns and its caller closes the store.
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()


def _stopped(signum, frame) -> None:
    """SIGTERM after uvicorn's graceful shutdown: nothing left to do but return."""
