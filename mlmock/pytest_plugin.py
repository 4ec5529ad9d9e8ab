"""pytest fixtures for projects that test their clients against mlmock.

Installed with mlmock through the ``pytest11`` entry point. One live server per test session;
each test gets fresh state: resources, request journal, fault rules, lifecycle pace and clock are
reset before and after it.

Every fixture accepts the token ``mlmock serve`` accepts (``mlmock.DEFAULT_TOKEN``,
``mlmock-dev-token``); ``handle.headers`` carries it. ``wml_mock`` serves HTTPS only (the official
WML client refuses http://), with a self-signed certificate: ``handle.ca_file`` for ``requests``
(``verify=handle.ca_file``), ``handle.ssl_context`` for ``httpx`` (``verify=handle.ssl_context``).
"""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from mlmock import DEFAULT_TOKEN


def import_mockserver():
    """``mlmock.mockserver``, imported without the two DeprecationWarnings connexion 3.3 (the latest
    release) raises on import by using jsonschema's ``RefResolver``: a dependency's own import, not
    something the user can act on, and no release of connexion avoids it (pinning jsonschema below
    4.18 would break openapi-core). Only those warnings, only during that import."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"connexion(\.|$)")
        from mlmock import mockserver
    return mockserver


@dataclass
class MockHandle:
    """What a test needs: the server root URL, the token, and the in-process app.

    Its methods are the control plane (``/_mlmock/api``) as Python calls; the README's "The control
    plane over HTTP" lists the same operations.
    """

    url: str
    token: str
    app: object

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def control(self):
        """The control plane's Python API (``mlmock.mockserver.control.Control``)."""
        return self.app.control

    def reset(self, api: str | None = None, **selector: str) -> dict:
        """Everything by default (resources, journal, fault rules, lifecycle pace, clock); or the
        resources of one API (``api="wml"``), or of one space, project or service
        (``api="wml", space_id=...``; ``api="openmetadata", service="svc"``)."""
        return self.control.reset(api, **selector)

    def seed(self, data: Any, *, reset: bool = False) -> dict:
        """Create the resources a seed document lists (a dict, YAML/JSON text or a ``pathlib.Path``),
        through the API's own create operations; all or nothing. Returns the ids created."""
        return self.control.seed(data, reset=reset, origin=self.url)

    def journal(self, *, method: str | None = None, path: str | None = None, status: Any = None,
                api: str | None = None, since: int | None = None, limit: int | None = None) -> list[dict]:
        """The requests the server received, oldest first (``path`` is a glob, ``status`` a code or
        a class such as ``"5xx"``)."""
        return self.control.journal_entries(method=method, path=path, status=status, api=api,
                                            since=since, limit=limit)

    def clear_journal(self) -> None:
        self.control.clear_journal()

    def fail_next(self, method: str = "*", path: str = "*", status: int = 503, *, times: int = 1,
                  **more: Any) -> dict:
        """The next ``times`` matching calls answer ``status`` in the API's error envelope.
        ``more``: ``skip`` (let N through first), ``probability``, ``delay_ms``, ``headers``, ``message``."""
        return self.control.fail_next(method, path, status, times=times, **more)

    def add_fault(self, **rule: Any) -> dict:
        """Any fault rule: ``method``, ``path``, ``status``, ``delay_ms`` (ms or [min, max]),
        ``drop``, ``times``, ``skip``, ``probability``, ``headers``, ``message``."""
        return self.control.add_fault(rule)

    def faults(self) -> list[dict]:
        return self.control.fault_rules()

    def clear_faults(self) -> None:
        self.control.clear_faults()

    def set_progression(self, progression: str, api: str | None = None, kind: str | None = None) -> dict:
        """``immediate``, ``manual``, ``reads:N`` or ``time:SECONDS``, for one kind, one API's
        lifecycle kinds, or every kind."""
        return self.control.set_progression(progression, api, kind)

    def force_state(self, api: str, kind: str, id_: str, state: str, message: str | None = None) -> dict:
        """Put a resource into any documented state (``failed`` carries the failure details)."""
        return self.control.force_state(api, kind, id_, state, message)

    def step(self, api: str, kind: str, id_: str) -> dict:
        """Move a resource one step along its lifecycle's happy path."""
        return self.control.step(api, kind, id_)

    def advance_clock(self, ms: int) -> int:
        """Move the mock's clock forward; returns the new time in epoch milliseconds."""
        return self.control.advance_clock(ms)["now_ms"]

    def snapshot(self) -> dict:
        """The whole state as a JSON-able document, for :meth:`restore`."""
        return self.control.snapshot()

    def restore(self, snapshot: dict) -> None:
        self.control.restore(snapshot)


@pytest.fixture(scope="session")
def mlmock_server() -> Iterator[MockHandle]:
    """A live mock serving every API on a free loopback port for the whole session."""
    import_mockserver()
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.live import LiveServer

    app = create_app(settings=Settings(token=DEFAULT_TOKEN))
    with LiveServer(app) as server:
        yield MockHandle(url=server.url, token=app.token, app=app)


@pytest.fixture
def openmetadata_mock(mlmock_server: MockHandle) -> Iterator[MockHandle]:
    """The live mock with empty state; the OpenMetadata API is under ``url + "/api/v1"``."""
    mlmock_server.reset()
    yield mlmock_server
    mlmock_server.reset()


@dataclass
class WmlHandle(MockHandle):
    """The WML mock over HTTPS (the official client accepts only https:// URLs)."""

    space_id: str = ""
    project_id: str = ""
    username: str = "admin"
    api_key: str = "mlmock-api-key"
    ca_file: str = ""

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """Trusts the mock's certificate: ``httpx.Client(verify=handle.ssl_context)`` (httpx
        deprecates ``verify=<path>``; ``requests`` takes ``verify=handle.ca_file``)."""
        return ssl.create_default_context(cafile=self.ca_file)


@pytest.fixture(scope="session")
def mlmock_tls_server(tmp_path_factory) -> Iterator[WmlHandle]:
    """A live mock serving every API over TLS with a self-signed certificate."""
    import_mockserver()
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.catalogue import DEFAULT_PROJECT_ID, DEFAULT_SPACE_ID
    from mlmock.mockserver.live import LiveServer
    from mlmock.mockserver.tls import ensure_certificate

    certfile, keyfile = ensure_certificate(tmp_path_factory.mktemp("tls"))
    app = create_app(settings=Settings(token=DEFAULT_TOKEN, progression="reads:1"))
    with LiveServer(app, host="127.0.0.1", ssl_certfile=str(certfile), ssl_keyfile=str(keyfile)) as server:
        yield WmlHandle(url=server.url, token=app.token, app=app, space_id=DEFAULT_SPACE_ID,
                        project_id=DEFAULT_PROJECT_ID, ca_file=str(certfile))


@pytest.fixture
def wml_mock(mlmock_tls_server: WmlHandle) -> Iterator[WmlHandle]:
    """The live TLS mock with empty state (the seeded platform catalogue stays)."""
    mlmock_tls_server.reset()
    yield mlmock_tls_server
    mlmock_tls_server.reset()


@pytest.fixture
def contract_suite(mlmock_server: MockHandle):
    """Run the contract suite from a test: against any URL, any in-process ASGI app, or (by default)
    the live mock. Returns the report; ``assert not report.failed, report.details()``.

        def test_my_server_conforms(contract_suite):
            report = contract_suite("openmetadata", url="http://127.0.0.1:8585", token="...")
    """
    import_mockserver()
    from mlmock.contracts.runner import run_suite
    from mlmock.contracts.target import Target

    def run(api: str, *, url: str | None = None, app=None, token: str | None = None, **options):
        if app is not None:
            target = Target.from_asgi(app, token=token)
        else:
            target = Target.from_url(url or mlmock_server.url, token=token or mlmock_server.token)
        if api == "wml" and url is None and app is None:
            from mlmock.mockserver.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID

            options.setdefault("space", DEFAULT_SPACE_ID)
            options.setdefault("other_space", OTHER_SPACE_ID)
        try:
            return run_suite(api, target, **options)
        finally:
            target.close()

    mlmock_server.reset()
    yield run
    mlmock_server.reset()
