"""Build the ASGI application: one connexion app serving every API from its spec.

Each operation of each spec is bound to the engine through a resolver (no handler is written
per operation or per kind); security, request validation and response validation come from the
spec through connexion; the request guard wraps everything; errors of every layer are rendered
by ``errors.answer`` in the envelope of the API the request was for.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import connexion
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.resolver import Resolver
from connexion.security import BearerSecurityHandler
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

import mlmock.spec as specs
from mlmock.spec.declarations import ApiDeclaration, Operation

from .. import dialects  # noqa: F401  (registers every dialect's actions)
from ..core.dialect import serves
from ..core.engine import Engine, Reply, Request, Settings
from ..core.errors import BadRequest, MockError, answer, from_status
from ..core.fastvalidation import VALIDATOR_MAP
from ..core.store import Store
from .guard import DEFAULT_MAX_BODY, DEFAULT_MAX_JSON_BODY, RAW_BODY, UPLOAD_TYPE, Guard
from .routes import Routes
from .specload import add_api

if TYPE_CHECKING:
    from ..devtools.control import Control
    from ..devtools.faults import Faults
    from ..devtools.journal import Journal

log = logging.getLogger("mlmock")
# connexion logs every undeclared query parameter a client sends (the mock ignores them, as the
# real services do) and every operation with several request media types: noise for a mock.
logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)

# Mounted in this order: starlette stops at the first mount whose prefix matches, so an API
# served at the root ("/") must come last.
DEFAULT_APIS = ("openmetadata", "wml")


@dataclass
class MockApp:
    """The ASGI app plus the handles tests and the CLI need."""

    asgi: ASGIApp  # the control plane, journal and fault layers around the guard
    engine: Engine
    apis: dict[str, ApiDeclaration]
    dialect_for: Callable[[str], str]  # routes.dialect_for
    # The development tool (devtools/layers.py): the request journal (journal.Journal), the fault rules
    # (faults.Faults) and the control plane's Python API (control.Control).
    journal: Journal | None = None
    faults: Faults | None = None
    control: Control | None = None
    routes: Routes | None = None  # the one routing table (http/routes.py) the app and its layers share

    async def __call__(self, scope, receive, send):
        await self.asgi(scope, receive, send)

    @property
    def token(self) -> str:
        return self.engine.settings.token

    def reset(self, api: str | None = None) -> None:
        """The mock as freshly started: resources (catalogues back), journal, fault rules, clock,
        ids and lifecycle pace (``Control.reset``). ``reset(api)`` is the older spelling of
        ``forget(api)``."""
        if api is not None:
            self.forget(api)
        elif self.control is not None:
            self.control.reset()
        else:
            self.engine.reset()

    def forget(self, api: str | None = None, **selector: str) -> None:
        """Remove resources only: every API's, one API's (its catalogue comes back) or one space's,
        project's or service's (``Control.forget``)."""
        if self.control is not None:
            self.control.forget(api, **selector)
        else:
            self.engine.reset(api)


class _EngineResolver(Resolver):
    """Bind every operation that declares an action to the engine."""

    def __init__(self, engine: Engine, api: ApiDeclaration):
        super().__init__()
        self.engine = engine
        self.api = api

    def resolve_function_from_operation_id(self, operation_id: str) -> Callable:
        op = self.api.operations.get(operation_id)
        if op is None or op.action is None:
            return _not_implemented(operation_id)
        return _handler(self.engine, self.api, op)


def _not_implemented(operation_id: str) -> Callable:
    async def handler(*_args, **_kwargs):
        raise MockError(f"operation {operation_id} is not served by the mock", status=501)

    return handler


def _coerce(api: ApiDeclaration, param: dict, raw):
    schema = api.resolve(param.get("schema", {}))
    kind = schema.get("type")
    if isinstance(raw, list):  # connexion already split a form-style array
        return [str(part) for part in raw] if kind == "array" else (_coerce(api, param, raw[0]) if raw else None)
    if not isinstance(raw, str):
        return raw
    if schema.get("format") == "date":
        try:
            dt.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "boolean":
        return raw.strip().lower() == "true"
    if kind == "array":
        return [part for part in raw.split(",") if part]
    return raw


def _params(api: ApiDeclaration, op: Operation, request: ConnexionRequest) -> dict:
    values = {}
    # Each of these is rebuilt on every read of the property (26 query parses per WML list).
    sources = {"path": request.path_params, "query": request.query_params, "header": request.headers}
    for param in op.parameters:
        name, where = param["name"], param["in"]
        source = sources.get(where)
        raw = source.get(name) if source is not None else None
        if raw is not None:
            try:
                values[name] = _coerce(api, param, raw)
            except ValueError as error:
                raise BadRequest(f"parameter {name!r} is malformed: {error}") from None
    return values


def origin_of(request: ConnexionRequest) -> str:
    """scheme://host of the request as the client addressed it (proxy headers honoured)."""
    headers = request.headers
    scheme = headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = headers.get("x-forwarded-host", headers.get("host", request.url.netloc)).split(",")[0].strip()
    return f"{scheme}://{host}"


def to_response(reply: Reply) -> ConnexionResponse:
    if reply.body is None:
        body = b""
    elif isinstance(reply.body, bytes | bytearray):
        body = bytes(reply.body)
    else:
        body = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode()
    return ConnexionResponse(status_code=reply.status, body=body,
                             content_type=reply.media_type if reply.body is not None else None,
                             headers=reply.headers)


def _handler(engine: Engine, api: ApiDeclaration, op: Operation) -> Callable:
    async def handler(*_args, **kwargs):
        incoming = connexion.request
        state = incoming.scope.get("state") or {}
        raw = state.get(RAW_BODY, b"")
        # connexion passes the security context's entries as keyword arguments ("user" is the sub
        # the bearer verification returned) to a handler that takes **kwargs.
        request = Request(api=api, op=op, params=_params(api, op, incoming), body=kwargs.get("body"),
                          origin=origin_of(incoming), principal=kwargs.get("user") or engine.settings.principal,
                          headers=incoming.headers, raw=raw,
                          content_type=state.get(UPLOAD_TYPE, incoming.headers.get("content-type")),
                          query=tuple(incoming.query_params.multi_items()))
        return to_response(engine.handle(request))

    handler.__name__ = op.operation_id
    return handler


def _bearer_handler(verify: Callable[[str], dict | None]) -> type:
    class MockBearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme):
            return verify

    return MockBearer


def create_app(
    *,
    apis: Iterable[str] | None = None,
    settings: Settings | None = None,
    store: Store | None = None,
    engine: Engine | None = None,
    validate_responses: bool = True,
    max_body: int = DEFAULT_MAX_BODY,
    max_json_body: int = DEFAULT_MAX_JSON_BODY,
    catalogues: bool = True,
) -> MockApp:
    """The mock as an ASGI app. ``apis`` defaults to every API whose spec is present. ``catalogues=False``
    leaves the store as it is (a ``mlmock serve --workers`` worker: the parent seeded the shared file)."""
    engine = engine or Engine(store, settings=settings)
    names = [n for n in (apis or DEFAULT_APIS) if n in specs.available()]
    declarations = {name: specs.declaration(name) for name in names
                    if serves(specs.declaration(name).dialect)}
    engine.apis.update(declarations)
    if catalogues:
        engine.seed_catalogues()  # idempotent: a persistent store keeps its resources

    def verify(token: str) -> dict | None:
        principal = engine.principal(token)
        return {"sub": principal} if principal else None

    app = connexion.AsyncApp(__name__, security_map={"bearer": _bearer_handler(verify)})
    for name, decl in declarations.items():
        add_api(app, name, copy.deepcopy(specs.document(name)), base_path=decl.base_path,
                resolver=_EngineResolver(engine, decl), validate_responses=validate_responses,
                pythonic_params=False, name=name, validator_map=VALIDATOR_MAP)

    routes = Routes(declarations)
    dialect_for = routes.dialect_for

    def respond(request: ConnexionRequest, error: MockError) -> ConnexionResponse:
        # WML: "this can be set using X-Global-Transaction-Id" (the error's trace): x-mlmock-echoed-in.
        refused = answer(dialect_for(request.url.path), error, routes.echoed(request.url.path, request.headers))
        return ConnexionResponse(status_code=refused.status, body=refused.body, content_type=refused.media_type,
                                 headers=refused.headers)

    def on_mock_error(request: ConnexionRequest, exc: MockError) -> ConnexionResponse:
        return respond(request, exc)

    def on_http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
        detail = getattr(exc, "detail", None) or getattr(exc, "title", None) or "request refused"
        response = respond(request, from_status(exc.status_code, str(detail)))
        if exc.status_code == 405:  # RFC 9110: say which methods the resource has
            response.headers["Allow"] = ", ".join(routes.allowed(request.url.path))
        return response

    def on_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        log.error("unexpected error serving %s %s", request.method, request.url.path, exc_info=exc)
        return respond(request, MockError(f"internal error: {type(exc).__name__}"))

    app.add_error_handler(MockError, on_mock_error)
    app.add_error_handler(ProblemException, on_http_error)
    app.add_error_handler(HTTPException, on_http_error)
    app.add_error_handler(Exception, on_unexpected)
    guarded = Guard(app, dialect_for=dialect_for, max_body=max_body, max_json_body=max_json_body,
                    max_depth=engine.settings.max_depth, takes_bytes=routes.takes_bytes, echoed=routes.echoed)
    from ..devtools.layers import wrap  # the journal, fault and control-plane layers around the guard

    tools = wrap(guarded, engine=engine, apis=declarations, routes=routes)
    return MockApp(asgi=tools.asgi, engine=engine, apis=declarations, dialect_for=dialect_for,
                   journal=tools.journal, faults=tools.faults, control=tools.control, routes=routes)
