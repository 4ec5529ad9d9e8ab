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
