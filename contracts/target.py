"""The implementation under test, reached over HTTP or in-process, and how to reproduce a call."""

from __future__ import annotations

import json
import shlex
from typing import Any

import httpx


class Unreachable(Exception):
    """The target cannot be reached at all (the suite cannot run)."""


class Target:
    """An HTTP client bound to a server root URL and a bearer token."""

    def __init__(self, client: httpx.Client, *, token: str | None, app: Any = None):
        self.client = client
        self.token = token
        self.app = app  # set for in-process targets (schemathesis calls the ASGI app directly)

    @classmethod
    def from_url(cls, base_url: str, *, token: str | None, verify: bool = False,
                 timeout: float = 30.0) -> Target:
        client = httpx.Client(base_url=base_url.rstrip("/"), verify=verify, timeout=timeout,
                              follow_redirects=False)
        return cls(client, token=token)

    @classmethod
    def from_asgi(cls, app: Any, *, token: str | None, base_url: str = "http://mlmock.test") -> Target:
        """An in-process target: requests go straight to the ASGI app, no socket."""
        from starlette.testclient import TestClient

        client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
        return cls(client, token=token, app=app)

    @property
    def base_url(self) -> str:
        return str(self.client.base_url).rstrip("/")

    def auth_headers(self, token: str | None = "default") -> dict[str, str]:
        token = self.token if token == "default" else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, *, token: str | None = "default",
                headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        merged = {**self.auth_headers(token), **(headers or {})}
        try:
            return self.client.request(method, path, headers=merged, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f"{method} {path}: {exc}") from exc

    def probe(self) -> None:
        """Raise :class:`Unreachable` unless the target answers HTTP at all."""
        self.request("GET", "/", token=None)

    def close(self) -> None:
        self.client.close()


def curl(request: httpx.Request) -> str:
    """A shell command that sends ``request`` again."""
    parts = ["curl", "-sS", "-X", request.method, shlex.quote(str(request.url))]
    for name, value in request.headers.items():
        if name.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent", "accept"):
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = request.content
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = body.decode("latin-1")
        parts += ["--data-raw", shlex.quote(text)]
    return " ".join(parts)


def describe(response: httpx.Response, limit: int = 300) -> str:
    """``STATUS body`` of a response, shortened for a message."""
    try:
        body = json.dumps(response.json(), separators=(",", ":"))
    except ValueError:
        body = response.text
    if len(body) > limit:
        body = body[:limit] + "..."
    return f"{response.status_code} {body}"
