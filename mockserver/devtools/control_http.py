"""The control plane over HTTP under ``/_mlmock``: a JSON API and the dashboard.

All endpoints are under ``/_mlmock/api`` (see ``ROUTES`` and the README's "The control plane over
HTTP"); the dashboard is ``/_mlmock/`` with its files under ``/_mlmock/static/``. Errors use one envelope,
``{"error": {"status": 400, "code": "invalid_request", "message": "..."}}`` (a refused seed body
adds ``answer``: the API's own response). No control input yields a 5xx: bodies are parsed
strictly, sizes are bounded, and every value is checked before anything changes.

The control plane needs no token: it is a development tool listening on loopback by default.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

import mlmock.spec as specs

from ..core import jsonsafety
from ..core.dialect import Dialect, register
from ..core.errors import BadRequest, MethodNotAllowed, MockError, NotFound, PayloadTooLarge, answer
from .control import Control

PREFIX = "/_mlmock"
DIALECT = "mlmock"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DASHBOARD = Path(__file__).with_name("dashboard")
_MEDIA = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}

log = logging.getLogger("mlmock")


def _control_envelope(error: MockError, trace: str) -> tuple[dict[str, Any], dict[str, str]]:
    body: dict[str, Any] = {"error": {"status": error.status, "code": error.code, "message": error.message}}
    answer = getattr(error, "answer", None)
    if answer is not None:
        body["error"]["answer"] = answer
    return body, {}


# The control plane serves no API: a dialect with an envelope and no actions.
register(Dialect(DIALECT, envelope=_control_envelope))


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, ensure_ascii=False), status_code=status, media_type="application/json")


def _int(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"query parameter {name} must be an integer, not {raw!r}") from None


def _flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0", ""):
        raise BadRequest(f"query parameter {name} must be true or false")
    return raw in ("true", "1")


Handler = Callable[..., Awaitable[Response]]


class ControlPlane:
    """Dispatch ``/_mlmock`` to the control plane, everything else to the data plane."""

    def __init__(self, app: ASGIApp, control: Control, *, max_body: int = DEFAULT_MAX_BODY):
        self.app = app
        self.control = control
        self.max_body = max_body
        self.max_depth = control.engine.settings.max_depth + 8
        self.routes: list[tuple[str, re.Pattern, Handler]] = [
            (method, re.compile(pattern + r"\Z"), getattr(self, name)) for method, pattern, name in ROUTES]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            response = await self._respond(Request(scope, receive), path[len(PREFIX):])
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _respond(self, request: Request, rest: str) -> Response:
        try:
            if rest == "":
                return RedirectResponse(PREFIX + "/", status_code=308)
            if not rest.startswith("/api/") and rest != "/api":
                return self._static(request, rest)
            sub = rest[len("/api"):]
            allowed = []
            for method, pattern, handler in self.routes:
                found = pattern.match(sub)
                if found is None:
                    continue
                if method != request.method and not (method == "GET" and request.method == "HEAD"):
                    allowed.append(method)
                    continue
                return await handler(request, **found.groupdict())
            if allowed:
                raise MethodNotAllowed(f"{request.method} is not allowed here; allowed: {', '.join(allowed)}")
            raise NotFound(f"no control endpoint {PREFIX}{rest}; see GET {PREFIX}/api")
        except MockError as error:
            return self._error(error)
        except Exception as error:  # a bug: still answered in the envelope, and logged
            log.exception("control plane error on %s %s", request.method, request.url.path)
            return self._error(MockError(f"internal error: {type(error).__name__}"))

    @staticmethod
    def _error(error: MockError) -> Response:
        refused = answer(DIALECT, error, ensure_ascii=False)
        response = Response(refused.body, status_code=refused.status, media_type=refused.media_type)
        response.headers.update(refused.headers)
        return response

    def _static(self, request: Request, rest: str) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed("the dashboard is read-only; use /_mlmock/api")
        name = "index.html" if rest == "/" else rest.removeprefix("/static/")
        if name == rest or "/" in name or name.startswith("."):
            raise NotFound(f"no dashboard file {rest}")
        file = DASHBOARD / name
        if not file.is_file():
            raise NotFound(f"no dashboard file {name}")
        media = _MEDIA.get(file.suffix, "application/octet-stream")
        return Response(file.read_bytes(), media_type=media, headers={"Cache-Control": "no-cache"})

    async def _body(self, request: Request) -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise PayloadTooLarge(f"control request body exceeds {self.max_body} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _document(self, request: Request, *, required: bool = True) -> Any:
        body = await self._body(request)
        if not body.strip():
            if required:
                raise BadRequest("this endpoint needs a JSON body")
            return {}
        return jsonsafety.loads(body, max_depth=self.max_depth)

    async def _object(self, request: Request, *, required: bool = True) -> dict[str, Any]:
        document = await self._document(request, required=required)
        if not isinstance(document, dict):
            raise BadRequest("the body must be a JSON object")
        return document

    # ------------------------------------------------------------------ endpoints

    async def info(self, request: Request) -> Response:
        apis = []
        for decl in self.control.apis.values():
            base = decl.base_path
            apis.append({"name": decl.name, "base_path": base or "/", "swagger_ui": f"{base}/ui/",
                         "openapi": f"{base}/openapi.json", "spec": f"{PREFIX}/api/specs/{decl.name}",
                         "reset_selectors": self.control.selectors(decl)})
        endpoints = [f"{method} {PREFIX}/api" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern).replace("/?", "")
                     for method, pattern, _ in ROUTES]
        return _json({"mlmock": "control plane", "dashboard": PREFIX + "/", "apis": apis, "endpoints": endpoints})

    async def state(self, request: Request) -> Response:
        return _json(self.control.overview())

    async def reset(self, request: Request) -> Response:
        """No body: the whole mock as freshly started. A body naming an API is the older spelling
        of ``POST /forget`` (kept)."""
        body = await self._object(request, required=False)
        api = body.pop("api", None)
        if api is not None and not isinstance(api, str):
            raise BadRequest("reset: api must be a string")
        return _json(self.control.reset(api, **body))

    async def forget(self, request: Request) -> Response:
        body = await self._object(request, required=False)
        api = body.pop("api", None)
        if api is not None and not isinstance(api, str):
            raise BadRequest("forget: api must be a string")
        return _json(self.control.forget(api, **body))

    async def seed(self, request: Request) -> Response:
        body = await self._body(request)
        origin = f"{request.url.scheme}://{request.headers.get('host', 'localhost')}"
        forget = _flag(request, "forget") or _flag(request, "reset")  # ?reset=true: the older name
        report = await self.control.seed_async(body, forget=forget, origin=origin)
        return _json(report, 201)

    async def get_snapshot(self, request: Request) -> Response:
        return _json(self.control.snapshot())

    async def put_snapshot(self, request: Request) -> Response:
        return _json(self.control.restore(await self._document(request)))

    async def get_clock(self, request: Request) -> Response:
        return _json(self.control.clock())

    async def post_clock(self, request: Request) -> Response:
        body = await self._object(request)
        unknown = set(body) - {"advance_ms"}
        if unknown or "advance_ms" not in body:
            raise BadRequest("clock: send {\"advance_ms\": N}")
        return _json(self.control.advance_clock(body["advance_ms"]))

    async def get_lifecycles(self, request: Request) -> Response:
        return _json(self.control.lifecycles())

    async def put_lifecycles(self, request: Request) -> Response:
        body = await self._object(request)
        unknown = set(body) - {"progression", "api", "kind"}
        if unknown:
            raise BadRequest(f"lifecycles: unknown field(s) {', '.join(sorted(unknown))}")
        for name in ("api", "kind"):
            if body.get(name) is not None and not isinstance(body[name], str):
                raise BadRequest(f"lifecycles: {name} must be a string")
        return _json(self.control.set_progression(body.get("progression"), body.get("api"), body.get("kind")))

    async def summary(self, request: Request) -> Response:
        return _json({"resources": self.control.summary()})

    async def list_resources(self, request: Request, api: str, kind: str) -> Response:
        return _json(self.control.resources(api, kind, scope=request.query_params.get("scope"),
                                            after=_int(request, "after", 0), limit=_int(request, "limit", 100)))

    async def get_resource(self, request: Request, api: str, kind: str, id: str) -> Response:  # noqa: A002
        return _json(self.control.resource(api, kind, id))

    async def force_state(self, request: Request, api: str, kind: str, id: str) -> Response:  # noqa: A002
        body = await self._object(request)
        unknown = set(body) - {"state", "message"}
        if unknown:
            raise BadRequest(f"state: unknown field(s) {', '.join(sorted(unknown))}")
        return _json(self.control.force_state(api, kind, id, body.get("state"), body.get("message")))

    async def step(self, request: Request, api: str, kind: str, id: str) -> Response:  # noqa: A002
        return _json(self.control.step(api, kind, id))

    async def get_journal(self, request: Request) -> Response:
        query = request.query_params
        entries = self.control.journal_entries(
            method=query.get("method") or None, path=query.get("path") or None,
            status=query.get("status") or None, api=query.get("api") or None,
            since=_int(request, "since"), limit=_int(request, "limit"))
        return _json({"entries": entries, "size": self.control.journal.size})

    async def clear_journal(self, request: Request) -> Response:
        self.control.clear_journal()
        return Response(status_code=204)

    async def get_faults(self, request: Request) -> Response:
        return _json({"rules": self.control.fault_rules()})

    async def add_fault(self, request: Request) -> Response:
        return _json(self.control.add_fault(await self._object(request)), 201)

    async def clear_faults(self, request: Request) -> Response:
        self.control.clear_faults()
        return Response(status_code=204)

    async def remove_fault(self, request: Request, rule: str) -> Response:
        self.control.remove_fault(int(rule))
        return Response(status_code=204)

    async def spec(self, request: Request, api: str) -> Response:
        self.control.api(api)
        return Response(specs.path(api).read_bytes(), media_type="application/yaml")


_SEGMENT = r"[^/]+"
ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/?", "info"),
    ("GET", "/state", "state"),
    ("POST", "/reset", "reset"),
    ("POST", "/forget", "forget"),
    ("POST", "/seed", "seed"),
    ("GET", "/snapshot", "get_snapshot"),
    ("PUT", "/snapshot", "put_snapshot"),
    ("GET", "/clock", "get_clock"),
    ("POST", "/clock", "post_clock"),
    ("GET", "/lifecycles", "get_lifecycles"),
    ("PUT", "/lifecycles", "put_lifecycles"),
    ("GET", "/resources", "summary"),
    ("GET", f"/resources/(?P<api>{_SEGMENT})/(?P<kind>{_SEGMENT})", "list_resources"),
    ("GET", f"/resources/(?P<api>{_SEGMENT})/(?P<kind>{_SEGMENT})/(?P<id>{_SEGMENT})", "get_resource"),
    ("POST", f"/resources/(?P<api>{_SEGMENT})/(?P<kind>{_SEGMENT})/(?P<id>{_SEGMENT})/state", "force_state"),
    ("POST", f"/resources/(?P<api>{_SEGMENT})/(?P<kind>{_SEGMENT})/(?P<id>{_SEGMENT})/step", "step"),
    ("GET", "/journal", "get_journal"),
    ("DELETE", "/journal", "clear_journal"),
    ("GET", "/faults", "get_faults"),
    ("POST", "/faults", "add_fault"),
    ("DELETE", "/faults", "clear_faults"),
    ("DELETE", r"/faults/(?P<rule>\d{1,9})", "remove_fault"),
    ("GET", f"/specs/(?P<api>{_SEGMENT})", "spec"),
]
