"""``mlmock serve``: the mock as a standalone server."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

import uvicorn

from mlmock import DEFAULT_TOKEN

from .app import MockApp, create_app
from .engine import Clock, Engine, Ids, Settings
from .errors import MockError
from .journal import DEFAULT_BODY_LIMIT, DEFAULT_SIZE
from .lifecycle import Progression
from .requestlog import RequestLog
from .store import Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8585
# With --seed the clock starts here (2024-01-01T00:00:00Z) and moves only when advanced.
DETERMINISTIC_START_MS = 1_704_067_200_000
DETERMINISTIC_PROGRESSION = "reads:1"


class ConfigError(Exception):
    """A bad option value: reported on stderr, ``mlmock serve`` exits with status 2."""


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


def banner(app, scheme: str, host: str, port: int) -> str:
    root = f"{scheme}://{host}:{port}"
    lines = [f"mlmock serving on {root}"]
    for name, decl in app.apis.items():
        base = decl.base_path or "/"
        lines.append(f"  {name:<13} {root}{base if base != '/' else ''}  (Swagger UI: {root}{base.rstrip('/')}/ui/)")
    lines.append(f"  token         Authorization: Bearer {app.token}")
    lines.append(f"  dashboard     {root}/_mlmock/  (control plane: {root}/_mlmock/api)")
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


def build(options: Options) -> MockApp:
    """The app ``options`` describe, seeded and configured, not yet serving."""
    default, per_kind = _split_progressions(options.progressions)
    if options.seed is not None and default is None:
        default = DETERMINISTIC_PROGRESSION
    try:
        store = Store(options.state_file) if options.state_file else Store()
    except Exception as error:  # sqlite3.Error, OSError: the file is not a usable database
        raise ConfigError(f"--state-file {options.state_file}: {error}") from None
    settings = Settings(token=options.token, progression=default or Settings.progression,
                        auto_spaces=options.auto_spaces)
    clock, ids = None, None
    if options.seed is not None:
        # A persistent store already holds ids of earlier runs: continue from where it stands.
        stored = sum(n for *_, n in store.kinds_summary())
        clock, ids = Clock(DETERMINISTIC_START_MS), Ids(options.seed + (stored << 32))
    app = create_app(engine=Engine(store, settings=settings, clock=clock, ids=ids))
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
    if options.seed_file:
        _seed(app, options)
    return app


def _user_resources(app: MockApp) -> int:
    """Live resources a client created (the seeded catalogues excluded)."""
    total = 0
    for row in app.control.summary():
        kind = app.apis[row["api"]].kinds.get(row["kind"])
        if kind is not None and not kind.raw.get("readonly"):
            total += max(0, row["count"] - app.engine.seeded.get((row["api"], row["kind"]), 0))
    return total


def _seed(app: MockApp, options: Options) -> None:
    from . import seeding

    try:
        data = seeding.read(options.seed_file)
        if options.state_file and _user_resources(app):
            print(f"mlmock: {options.state_file} already holds resources; --seed-file {options.seed_file} "
                  "not applied (reset through the control plane to start over)", file=sys.stderr, flush=True)
            return
        report = app.control.seed(data, origin=f"http://{options.host}:{options.port}")
    except MockError as error:
        raise ConfigError(f"--seed-file {options.seed_file}: {error.message}") from None
    print(f"mlmock: seeded {report['count']} resources from {options.seed_file}", file=sys.stderr, flush=True)


def serve(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str = DEFAULT_TOKEN,
          state_file: str | None = None, log_level: str = "info", **more) -> None:
    options = Options(host=host, port=port, token=token, state_file=state_file, log_level=log_level, **more)
    app = build(options)
    app.journal.subscribers.append(RequestLog(options.log_format, level=options.log_level))
    ssl = {}
    scheme = "http"
    if options.tls:
        from .tls import default_directory, ensure_certificate

        directory = options.tls_dir or default_directory()
        try:
            certfile, keyfile = ensure_certificate(directory, hosts=dict.fromkeys((host, "127.0.0.1", "localhost")))
        except (OSError, ValueError) as error:
            raise ConfigError(f"--tls: cannot write the certificate to {directory}: {error}") from None
        ssl = {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}
        scheme = "https"
        print(f"mlmock: TLS certificate {certfile} (key {keyfile}); trust it with e.g. curl --cacert {certfile}",
              file=sys.stderr, flush=True)
    print(banner(app, scheme, host, port), file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, lifespan="off", access_log=False, **ssl)
