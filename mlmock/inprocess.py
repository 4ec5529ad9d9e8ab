"""In-process mocking, moto-style: ``requests`` and ``httpx`` traffic aimed at chosen base URLs goes
to the mock's ASGI app inside the process. No socket, no port, no certificate.

    from mlmock import mock_openmetadata, mock_wml

    @mock_openmetadata()                     # http://localhost:8585, OpenMetadata's usual address
    def test_register():
        requests.put("http://localhost:8585/api/v1/services/mlmodelServices", ...)

    with mock_wml("https://cpd.example.com") as wml:   # any URL you name
        client = APIClient(Credentials(url=wml.url, username=wml.username, api_key=wml.api_key,
                                       version="5.0"), space_id=wml.space_id)

Interception is done by two well-kept libraries, one per HTTP stack: ``responses`` (requests) and
``respx`` (httpx, at the httpcore level, so custom transports such as the IBM client's retry
transport are covered). Traffic to other URLs goes out untouched. The matched requests are handed
to the app through ``mlmock.asgi.client`` (starlette's ``TestClient``: an in-memory ASGI call).

Each ``with`` block or decorated call starts from empty state (the app is built once per process,
then reset: building one takes seconds, a reset milliseconds); ``fresh=False`` keeps what earlier
blocks of the same mock object created.
"""

from __future__ import annotations

import functools
import inspect
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from mlmock import DEFAULT_TOKEN, asgi
from mlmock.handle import MockHandle, WmlHandle

# OpenMetadata's usual server address (its docs and SDK examples use http://localhost:8585/api).
OPENMETADATA_URLS = ("http://localhost:8585",)
# IBM Cloud's WML regions (https://cloud.ibm.com/apidocs/machine-learning#endpoint-url).
WML_URLS = tuple(f"https://{region}.ml.cloud.ibm.com"
                 for region in ("us-south", "eu-de", "eu-gb", "jp-tok", "au-syd", "ca-tor"))
# Hop-by-hop or re-computed by the client's HTTP stack: never copied from the app's answer.
_DROPPED_RESPONSE_HEADERS = {"content-length", "content-encoding", "transfer-encoding", "connection"}
_DROPPED_REQUEST_HEADERS = {"content-length", "transfer-encoding", "connection"}
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

_apps: dict[tuple[str, str], Any] = {}
_apps_lock = threading.Lock()


def _shared_app(token: str, progression: str):
    """One app per (token, progression) for the whole process; callers reset it."""
    key = (token, progression)
    with _apps_lock:
        if key not in _apps:
            from mlmock._quiet import import_mockserver

            mockserver = import_mockserver()
            _apps[key] = mockserver.create_app(settings=mockserver.Settings(token=token, progression=progression))
        return _apps[key]


def _origin(url: str) -> str:
    """``scheme://host[:port]`` with the default port dropped: what both HTTP stacks put in a URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a base URL is http(s)://host[:port][/path], not {url!r}")
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path.rstrip('/')}"


class _Bridge:
    """Hands one intercepted request to the ASGI app and returns its answer."""

    def __init__(self, app) -> None:
        self.client = asgi.client(app, follow_redirects=False)

    def __call__(self, method: str, url: str, headers: Iterable[tuple[str, str]],
                 body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = [(k, v) for k, v in headers if k.lower() not in _DROPPED_REQUEST_HEADERS]
        answer = self.client.request(method, url, headers=headers, content=body)
        kept = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in _DROPPED_RESPONSE_HEADERS]
        return answer.status_code, kept, answer.content

    def close(self) -> None:
        self.client.close()


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in body)


class InProcessMock:
    """A context manager and decorator routing traffic for ``urls`` to an in-process mock.

    Entered, it is the handle: ``url`` (the first base URL), ``token``, ``headers``, ``app`` and
    the control plane as methods (``seed``, ``journal``, ``fail_next``, ``reset``...).
    """

    def __init__(self, urls: Iterable[str], *, handle_type: type[MockHandle], token: str = DEFAULT_TOKEN,
                 progression: str = "time:1", fresh: bool = True, app: Any = None, **handle_fields: Any):
        self.urls = [_origin(u) for u in urls]
        if not self.urls:
            raise ValueError("name at least one base URL to intercept")
        self.token, self.progression, self.fresh = token, progression, fresh
        self._app, self._handle_type, self._handle_fields = app, handle_type, handle_fields
        self._bridge: _Bridge | None = None
        self.pattern: re.Pattern[str] | None = None
        self.handle: MockHandle | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> MockHandle:
        if self._bridge is not None:
            raise RuntimeError("this mock is already active")
        app = self._app or _shared_app(self.token, self.progression)
        if self.fresh or self.handle is None:
            app.control.reset()
        self._bridge = _Bridge(app)
        self.pattern = re.compile("^(?:" + "|".join(re.escape(u) for u in self.urls) + r")(?:[/?#]|$)")
        _INTERCEPTOR.add(self)
        self.handle = self._handle_type(url=self.urls[0], token=app.token, app=app, **self._handle_fields)
        return self.handle

    def stop(self) -> None:
        if self._bridge is None:
            return
        _INTERCEPTOR.remove(self)
        self._bridge.close()
        self._bridge = None

    def forward(self, method: str, url: str, headers: Iterable[tuple[str, str]],
                body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        return self._bridge(method, url, headers, body)

    def __enter__(self) -> MockHandle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func: Callable) -> Callable:
        """As a decorator: active for each call of ``func`` (sync or async), with fresh state."""
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args, **kwargs):
                with self:
                    return await func(*args, **kwargs)
            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


class _Interceptor:
    """The one set of patches for the process, whichever mocks are active (several may be: both
    APIs at once, nested blocks). A request goes to the most recently started mock whose base URLs
    match it, or out to the network as usual."""

    def __init__(self) -> None:
        self.active: list[InProcessMock] = []
        self.lock = threading.Lock()
        self._requests = self._httpx = None

    def add(self, mock: InProcessMock) -> None:
        with self.lock:
            if not self.active:
                self._patch()
            self.active.append(mock)

    def remove(self, mock: InProcessMock) -> None:
        with self.lock:
            self.active.remove(mock)
            if not self.active:
                self._unpatch()

    def find(self, url: str) -> InProcessMock | None:
        return next((m for m in reversed(self.active) if m.pattern.match(url)), None)

    def _patch(self) -> None:
        import responses
        import respx

        interceptor = self

        class Routed(responses.CallbackResponse):
            def matches(self, request):  # any method, the active mocks' base URLs
                return interceptor.find(request.url) is not None, "no active mlmock for this URL"

        self._requests = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._requests.add(Routed("GET", re.compile(".*"), callback=self._from_requests, content_type=None))
        self._requests.add_passthru(re.compile(".*"))  # everything else goes out as usual
        self._httpx = respx.MockRouter(assert_all_called=False, assert_all_mocked=False)
        # One catch-all route: the side effect answers for an active mock, or hands the request
        # back, which respx sends out as usual (pass-through).
        self._httpx.route().mock(side_effect=self._from_httpx)
        self._requests.start()
        self._httpx.start()

    def _unpatch(self) -> None:
        for patcher in (self._httpx, self._requests):
            patcher.stop()
            patcher.reset()
        self._requests = self._httpx = None

    def _from_requests(self, request) -> tuple[int, list[tuple[str, str]], bytes]:
        mock = self.find(request.url)
        return mock.forward(request.method, request.url, request.headers.items(), _body_bytes(request.body))

    def _from_httpx(self, request):
        import httpx

        mock = self.find(str(request.url))
        if mock is None:
            return request
        status, headers, body = mock.forward(request.method, str(request.url), request.headers.multi_items(),
                                             request.read())
        return httpx.Response(status, headers=headers, content=body)


_INTERCEPTOR = _Interceptor()


def mock_openmetadata(*urls: str, token: str = DEFAULT_TOKEN, fresh: bool = True, app: Any = None,
                      progression: str = "time:1") -> InProcessMock:
    """The OpenMetadata mock in-process for ``urls`` (default ``http://localhost:8585``); the API
    is under ``url + "/api/v1"``, as on a real server."""
    return InProcessMock(urls or OPENMETADATA_URLS, handle_type=MockHandle, token=token, fresh=fresh, app=app,
                         progression=progression)


def mock_wml(*urls: str, token: str = DEFAULT_TOKEN, fresh: bool = True, app: Any = None,
             progression: str = "reads:1") -> InProcessMock:
    """The WML mock in-process for ``urls`` (default: IBM Cloud's WML region URLs). The handle's
    ``space_id``, ``username`` and ``api_key`` fit the official client's CPD credentials; statuses
    advance one step per read (``progression``) so that the client's polls end at once."""
    from mlmock._quiet import import_mockserver

    import_mockserver()
    from mlmock.mockserver.core.catalogue import DEFAULT_PROJECT_ID, DEFAULT_SPACE_ID

    return InProcessMock(urls or WML_URLS, handle_type=WmlHandle, token=token, fresh=fresh, app=app,
                         progression=progression, space_id=DEFAULT_SPACE_ID, project_id=DEFAULT_PROJECT_ID)
