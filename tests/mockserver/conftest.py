"""Shared fixtures: the mock as an in-process ASGI app, driven by a small synchronous client."""

from __future__ import annotations

import asyncio
import json as jsonlib
from collections.abc import Callable, Iterator

import httpx
import pytest

from mlmock.mockserver import Engine, MockApp, Store, create_app
from mlmock.mockserver.core.engine import Clock

BASE_URL = "http://mlmock.test/api/v1"
START_MS = 1_700_000_000_000


class Client:
    """httpx over ``httpx.ASGITransport``, made synchronous with a private event loop.

    With ``clock`` given, the mock's clock moves one second before every request, so any
    timestamp the mock rewrites shows up as a changed value.
    """

    def __init__(self, app, *, token: str | None = None, clock: Clock | None = None,
                 base_url: str = BASE_URL):
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._clock = clock

    def request(self, method: str, url: str, *, auth: bool = True,
                headers: dict[str, str] | None = None, **kwargs) -> httpx.Response:
        if self._clock is not None:
            self._clock.advance(1000)
        merged = dict(self.headers) if auth else {}
        merged.update(headers or {})
        return self._loop.run_until_complete(
            self._client.request(method, url, headers=merged, **kwargs))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, *, json=None, headers: dict[str, str] | None = None,
              **kwargs) -> httpx.Response:
        """A JSON Patch request (``application/json-patch+json`` unless told otherwise)."""
        if json is not None:
            kwargs["content"] = jsonlib.dumps(json).encode()
        merged = {"Content-Type": "application/json-patch+json", **(headers or {})}
        return self.request("PATCH", url, headers=merged, **kwargs)

    def delete(self, url: str, **kwargs) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


@pytest.fixture(scope="session")
def om_app() -> MockApp:
    """One OpenMetadata mock for the session, on a fixed clock (tests reset its state)."""
    return create_app(apis=["openmetadata"], engine=Engine(Store(), clock=Clock(START_MS)))


@pytest.fixture
def make_client() -> Iterator[Callable[..., Client]]:
    """Factory of clients for any app; every client made is closed after the test."""
    made: list[Client] = []

    def make(app, **kwargs) -> Client:
        client = Client(app, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def om(om_app: MockApp, make_client) -> Client:
    """An authenticated client of the OpenMetadata mock, with empty state."""
    om_app.reset()
    return make_client(om_app, token=om_app.token, clock=om_app.engine.clock)
