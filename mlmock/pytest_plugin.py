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

from collections.abc import Iterator

import pytest

from mlmock import DEFAULT_TOKEN, contract_items
from mlmock._quiet import import_mockserver
from mlmock.handle import MockHandle, WmlHandle

__all__ = ["MockHandle", "WmlHandle", "import_mockserver"]


@pytest.fixture(scope="session")
def mlmock_server() -> Iterator[MockHandle]:
    """A live mock serving every API on a free loopback port for the whole session."""
    import_mockserver()
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.devtools.live import LiveServer

    app = create_app(settings=Settings(token=DEFAULT_TOKEN))
    with LiveServer(app) as server:
        yield MockHandle(url=server.url, token=app.token, app=app)


@pytest.fixture
def openmetadata_mock(mlmock_server: MockHandle) -> Iterator[MockHandle]:
    """The live mock with empty state; the OpenMetadata API is under ``url + "/api/v1"``."""
    mlmock_server.reset()
    yield mlmock_server
    mlmock_server.reset()


@pytest.fixture(scope="session")
def mlmock_tls_server(tmp_path_factory) -> Iterator[WmlHandle]:
    """A live mock serving every API over TLS with a self-signed certificate."""
    import_mockserver()
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.core.catalogue import DEFAULT_PROJECT_ID, DEFAULT_SPACE_ID
    from mlmock.mockserver.devtools.live import LiveServer
    from mlmock.tls import ensure_certificate

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
    the live mock. Returns the report; ``assert not report.failing, report.details()``.

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
            from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID

            options.setdefault("space", DEFAULT_SPACE_ID)
            options.setdefault("other_space", OTHER_SPACE_ID)
        try:
            return run_suite(api, target, **options)
        finally:
            target.close()

    mlmock_server.reset()
    yield run
    mlmock_server.reset()


@pytest.fixture
def openmetadata_inprocess() -> Iterator[MockHandle]:
    """The OpenMetadata mock in-process (``mlmock.mock_openmetadata()``), empty: requests and httpx
    calls to ``http://localhost:8585`` reach it without a socket."""
    from mlmock.inprocess import mock_openmetadata

    with mock_openmetadata() as handle:
        yield handle


@pytest.fixture
def wml_inprocess() -> Iterator[WmlHandle]:
    """The WML mock in-process (``mlmock.mock_wml()``), empty: requests and httpx calls to IBM
    Cloud's WML region URLs reach it without a socket or a certificate."""
    from mlmock.inprocess import mock_wml

    with mock_wml() as handle:
        yield handle


def pytest_addoption(parser: pytest.Parser) -> None:
    contract_items.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mlmock_contract: a contract-suite rule run on one subject")
    if not config.getoption("mlmock_target_url"):
        return  # the contract suite is not imported in a run that does not ask for it
    from mlmock.contracts.registry import FAMILIES

    for family in FAMILIES:
        config.addinivalue_line("markers", f"{family}: the contract suite's {family} family")


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    contract_items.collect(session, config, items)
