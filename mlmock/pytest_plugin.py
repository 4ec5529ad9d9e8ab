"""pytest fixtures for projects that test their clients against mlmock.

Installed with mlmock through the ``pytest11`` entry point. One live server per test session;
each test gets fresh state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class MockHandle:
    """What a test needs: the server root URL, the token, and the in-process app."""

    url: str
    token: str
    app: object

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def reset(self) -> None:
        self.app.reset()


@pytest.fixture(scope="session")
def mlmock_server() -> Iterator[MockHandle]:
    """A live mock serving every API on a free loopback port for the whole session."""
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.live import LiveServer

    app = create_app(settings=Settings(token="mlmock-test-token"))
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


@pytest.fixture(scope="session")
def mlmock_tls_server(tmp_path_factory) -> Iterator[WmlHandle]:
    """A live mock serving every API over TLS with a self-signed certificate."""
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.catalogue import DEFAULT_PROJECT_ID, DEFAULT_SPACE_ID
    from mlmock.mockserver.live import LiveServer
    from mlmock.mockserver.tls import ensure_certificate

    certfile, keyfile = ensure_certificate(tmp_path_factory.mktemp("tls"))
    app = create_app(settings=Settings(token="mlmock-test-token", progression="reads:1"))
    with LiveServer(app, host="127.0.0.1", ssl_certfile=str(certfile), ssl_keyfile=str(keyfile)) as server:
        yield WmlHandle(url=server.url, token=app.token, app=app, space_id=DEFAULT_SPACE_ID,
                        project_id=DEFAULT_PROJECT_ID, ca_file=str(certfile))


@pytest.fixture
def wml_mock(mlmock_tls_server: WmlHandle) -> Iterator[WmlHandle]:
    """The live TLS mock with empty state (the seeded platform catalogue stays)."""
    mlmock_tls_server.reset()
    yield mlmock_tls_server
    mlmock_tls_server.reset()
