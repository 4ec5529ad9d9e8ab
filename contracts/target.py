"""The implementation under test, reached over HTTP or in-process, and how to reproduce a call."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from typing import Any

import httpx


class Unreachable(Exception):
    """The target cannot be reached at all (the suite cannot run)."""


class TlsFailure(Unreachable):
    """The TLS handshake failed (an untrusted or invalid certificate)."""


class Target:
    """An HTTP client bound to a server root URL and a bearer token.

    ``verify`` is True, False or the path of a CA bundle; ``headers`` are sent with every request
    (gateways); proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``...). Every family
    uses these, schemathesis included (:meth:`transport_kwargs`).
    """

    def __init__(self, client: httpx.Client, *, token: str | None, app: Any = None,
                 verify: bool | str = True, headers: dict[str, str] | None = None):
        self.client = client
        self.token = token
        self.app = app  # set for in-process targets (schemathesis calls the ASGI app directly)
        self.verify = verify
        self.headers = dict(headers or {})
        # A second user's token, one the target refuses where the spec documents a 403 (no access to
        # the suite's space; no permission to create): `mlmock check --limited-token`. None: not given.
        self.limited_token: str | None = None
        # Told (method, url, status) of every exchange any family has, generated cases included
        # (`mlmock check -v`). None: nobody listens.
        self.on_exchange: Callable[[str, str, int], None] | None = None
        self._session: Any = None  # schemathesis' requests session (transport_kwargs)

    @classmethod
    def from_url(cls, base_url: str, *, token: str | None, verify: bool | str = True,
                 headers: dict[str, str] | None = None, timeout: float = 30.0) -> Target:
        client = httpx.Client(base_url=base_url.rstrip("/"), verify=verify, timeout=timeout,
                              follow_redirects=False, trust_env=True)
        return cls(client, token=token, verify=verify, headers=headers)

    def transport_kwargs(self) -> dict[str, Any]:
        """What schemathesis (requests underneath) needs to reach the target as httpx does, with one
        kept-alive session: without it every generated case builds a ``requests.Session`` and opens
        a connection of its own (3,000 connections in a default WML run, each set up by both sides)."""
        if self.app is not None:
            return {}
        if self._session is None:
            from schemathesis.transport.requests import ManagedCookiesSession

            # Drops the cookies a response sets before the next case, as a fresh session would.
            self._session = ManagedCookiesSession()
        return {"verify": self.verify, "session": self._session}

    @classmethod
    def from_asgi(cls, app: Any, *, token: str | None, base_url: str = "http://mlmock.test") -> Target:
        """An in-process target: requests go straight to the ASGI app, no socket (``mlmock.asgi``).
        Unlike :meth:`from_url` it follows redirects, as it always has."""
        from mlmock import asgi

        return cls(asgi.client(app, base_url=base_url, follow_redirects=True), token=token, app=app)

    @property
    def base_url(self) -> str:
        return str(self.client.base_url).rstrip("/")

    def auth_headers(self, token: str | None = "default") -> dict[str, str]:
        """The configured extra headers and the bearer token (``None``: no token)."""
        token = self.token if token == "default" else token
        return {**self.headers, **({"Authorization": f"Bearer {token}"} if token else {})}

    def request(self, method: str, path: str, *, token: str | None = "default",
                headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        merged = {**self.auth_headers(token), **(headers or {})}
        try:
            response = self.client.request(method, path, headers=merged, **kwargs)
        except httpx.TransportError as exc:
            if _is_tls(exc):
                raise TlsFailure(f"{method} {path}: {exc}") from exc
            raise Unreachable(f"{method} {path}: {exc}") from exc
        self.exchanged(method, str(response.url), response.status_code)
        return response

    def exchanged(self, method: str, url: str, status: int) -> None:
        """Tell :attr:`on_exchange` of one request and its answer's status."""
        if self.on_exchange is not None:
            self.on_exchange(method.upper(), url, status)

    def probe(self) -> None:
        """Raise :class:`Unreachable` unless the target answers HTTP at all."""
        self.request("GET", "/", token=None)

    def close(self) -> None:
        self.client.close()
        if self._session is not None:
            self._session.close()


def _is_tls(exc: BaseException) -> bool:
    import ssl

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen) or "SSL" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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


class CannotRun(Exception):
    """The suite cannot start or go on (exit 2): the message is one line saying what to do."""

    framework_404 = False  # preflight: the route is not there at all (try another of the API's lists)
