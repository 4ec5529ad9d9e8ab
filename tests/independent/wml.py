"""An independent WML v4 subset (models, deployments, jobs, trainings) and the platform's spaces.

Written from the reference. It serves models, deployments (online and batch) with predictions,
deployment jobs, trainings (``wml_runs``) and ``/v2/spaces``, and nothing else of the 81
documented operations, so the
suite's served-operation discovery is exercised. Undocumented choices differ from the mock:
ids are uppercase-free UUIDs without the mock's seed catalogue, ``start`` tokens are plain
offsets, lists are newest first, the error ``trace`` is the caller's ``X-Global-Transaction-Id``
(kept per request by :class:`Transactions`) or else a counter, extra ``system`` details.
"""

from __future__ import annotations

import contextvars
import copy
import datetime
import itertools
import json
import threading
import uuid

import jsonpatch
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import wml_runs
from .validate import Invalid, check_request

SPEC = "wml"
MODEL_PATCH_PATHS = {"/tags": "metadata", "/name": "metadata", "/description": "metadata", "/custom": "entity",
                     "/software_spec": "entity", "/model_version": "entity"}
_trace = itertools.count(1)
# Additional headers: "the value is anything that you choose. If there is not a transaction ID that is
# passed in, then one is generated randomly" (here: counted); the error's trace "can be set using" it.
_transaction: contextvars.ContextVar[str | None] = contextvars.ContextVar("transaction", default=None)


class Transactions:
    """ASGI middleware: the request's ``X-Global-Transaction-Id``, for the errors answered to it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        sent = dict(scope.get("headers") or ()).get(b"x-global-transaction-id") if scope["type"] == "http" else None
        token = _transaction.set(sent.decode("latin-1") if sent else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _transaction.reset(token)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"trace": _transaction.get() or f"independent-{next(_trace)}",
                         "errors": [{"code": code, "message": message}]}, status_code=status)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build(token: str) -> list[Route]:
    lock = threading.Lock()
    spaces: dict[str, dict] = {}
    models: dict[str, dict] = {}

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {token}"

    async def parse(request: Request, spec_path: str, **path_params):
        if not authorized(request):
            return None, None, _error(401, "authentication_failed", "the bearer token is not valid")
        raw = await request.body()
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return None, None, _error(400, "invalid_json", "the request body is not JSON")
        media = request.headers.get("content-type", "application/json").split(";")[0].strip()
        try:
            query = check_request(SPEC, request.method.lower(), spec_path, query=request.query_params,
                                  path_params=path_params, body=body, has_body=bool(raw), media=media)
        except Invalid as exc:
            return None, None, _error(400, "invalid_parameter", str(exc))
        return query, body, None

    # ------------------------------------------------------------- platform spaces

    async def space_collection(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "authentication_failed", "the bearer token is not valid")
        if request.method == "GET":
            return JSONResponse({"total_count": len(spaces), "resources": list(spaces.values())})
        try:
            body = json.loads(await request.body())
            name = body["name"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "invalid_request", "a space needs a name")
        sid = str(uuid.uuid4())
        space = {"metadata": {"id": sid, "created_at": _now(), "url": f"/v2/spaces/{sid}"},
                 "entity": {"name": name, "description": body.get("description", ""),
                            "status": {"state": "preparing"}}}
        with lock:
            spaces[sid] = space
        return JSONResponse(space, status_code=202)

    async def space_item(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "authentication_failed", "the bearer token is not valid")
        sid = request.path_params["space_id"]
        with lock:
            space = spaces.get(sid)
            if space is None:
                return _error(404, "space_not_found", f"space {sid} does not exist")
            if request.method == "DELETE":
                del spaces[sid]
                for mid in [m for m, v in models.items() if v["metadata"].get("space_id") == sid]:
                    del models[mid]
                forget_space(sid)
                return Response(status_code=202)
            answer = copy.deepcopy(space)
            space["entity"]["status"]["state"] = "active"  # ready from the second read on
            return JSONResponse(answer)

    # ------------------------------------------------------------- models

    def scope_of(query: dict, body: dict | None = None) -> tuple[str | None, JSONResponse | None]:
        sid = query.get("space_id") or (body or {}).get("space_id")
        pid = query.get("project_id") or (body or {}).get("project_id")
        if sid is None and pid is None:
            return None, _error(400, "missing_scope", "space_id or project_id is required")
        if sid is None or sid not in spaces:
            return None, _error(404, "space_not_found", f"space {sid or pid} does not exist")
        return sid, None

    def model_view(model: dict) -> dict:
        return {**copy.deepcopy(model), "system": {"warnings": []}}

    async def model_collection(request: Request) -> Response:
        query, body, error = await parse(request, "/ml/v4/models")
        if error:
            return error
        sid, error = scope_of(query, body if request.method == "POST" else None)
        if error:
            return error
        if request.method == "POST":
            mid = str(uuid.uuid4())
            metadata = {"id": mid, "created_at": _now(), "modified_at": _now(), "space_id": sid,
                        "name": body["name"], "owner": "independent"}
            for key in ("description", "tags"):
                if key in body:
                    metadata[key] = body[key]
            entity = {k: v for k, v in body.items() if k not in ("name", "description", "tags", "space_id",
                                                                  "project_id")}
            model = {"metadata": metadata, "entity": entity}
            with lock:
                models[mid] = model
            return JSONResponse(model_view(model), status_code=201)
        with lock:
            mine = [m for m in models.values() if m["metadata"].get("space_id") == sid]
        mine.sort(key=lambda m: m["metadata"]["created_at"], reverse=True)
        if "tag.value" in query:
            wanted = set(str(query["tag.value"]).replace(" and ", " or ").split(" or "))
            mine = [m for m in mine if wanted & set(m["metadata"].get("tags", []))]
        limit = query.get("limit", 100)
        try:
            start = int(query.get("start", "0"))
        except ValueError:
            return _error(400, "invalid_parameter", "start is not a token of this server")
        page = mine[start:start + limit]
        base = f"/ml/v4/models?version={query['version']}&space_id={sid}&limit={limit}"
        if "tag.value" in query:
            base += f"&tag.value={query['tag.value']}"
        answer = {"limit": limit, "first": {"href": base}, "resources": [model_view(m) for m in page]}
        if start + limit < len(mine):
            answer["next"] = {"href": f"{base}&start={start + limit}"}
        return JSONResponse(answer)

    async def model_item(request: Request) -> Response:
        mid = request.path_params["model_id"]
        query, body, error = await parse(request, "/ml/v4/models/{model_id}", model_id=mid)
        if error:
            return error
        sid, error = scope_of(query)
        if error:
            return error
        with lock:
            model = models.get(mid)
            if model is None or model["metadata"].get("space_id") != sid:
                return _error(404, "model_not_found", f"model {mid} is not in this space")
            if request.method == "GET":
                return JSONResponse(model_view(model))
            if request.method == "DELETE":
                del models[mid]
                return Response(status_code=204)
            acting = []
            for operation in body:
                path = operation.get("path", "")
                top = "/" + path.split("/")[1] if path.count("/") >= 1 else path
                if top not in MODEL_PATCH_PATHS:
                    return _error(400, "patch_not_supported", f"{path} cannot be patched")
                if top == "/software_spec" and operation["op"] != "replace":
                    return _error(400, "patch_not_supported", f"{operation['op']} of {path} is not supported")
                if top == "/model_version" and operation["op"] == "remove":
                    return _error(400, "patch_not_supported", f"remove of {path} is not supported")
                acting.append({**operation, "path": f"/{MODEL_PATCH_PATHS[top]}{path}"})
            try:
                patched = jsonpatch.apply_patch(copy.deepcopy(model), acting)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
                return _error(400, "patch_failed", str(exc))
            patched["metadata"]["modified_at"] = _now()
            models[mid] = patched
            return JSONResponse(model_view(patched))

    runs, forget_space = wml_runs.routes(lock=lock, spaces=spaces, models=models, parse=parse, scope_of=scope_of,
                                         error=_error, now=_now)

    return runs + [
        Route("/v2/spaces", space_collection, methods=["GET", "POST"]),
        Route("/v2/spaces/{space_id}", space_item, methods=["GET", "DELETE"]),
        Route("/ml/v4/models", model_collection, methods=["GET", "POST"]),
        Route("/ml/v4/models/{model_id}", model_item, methods=["GET", "PATCH", "DELETE"]),
    ]
