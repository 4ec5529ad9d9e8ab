"""An independent OpenMetadata ML-model API, written from the reference, not from the mock.

Choices where the reference is silent deliberately differ from the mock: lists in creation order
(not by name), cursors are plain offsets, limits 1..1000, ``updatedAt`` moves on every upsert,
every change is a minor version step, a creating PUT answers 200, error texts are its own, the
version endpoint, bulk upsert and single-version reads are not served at all.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
import uuid

import jsonpatch
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .validate import Invalid, check_entity, check_request

SPEC = "openmetadata"


class AnyText(Convertor):
    """A path segment that may hold anything, "/" and newlines included (an FQN)."""

    regex = "[\\s\\S]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anytext", AnyText())
BASE = "/api/v1"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"code": status, "message": message}, status_code=status,
                        headers={"x-independent": "om"})


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.services: dict[str, dict] = {}
        self.models: dict[str, dict] = {}
        self.history: dict[str, list[dict]] = {}


def _quote(name: str) -> str:
    return f'"{name}"' if "." in name else name


def _now() -> int:
    return int(time.time() * 1000)


def _cursor(offset: int) -> str:
    return base64.b64encode(f"at:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith("at:"):
            raise ValueError
        return int(text[3:])
    except (ValueError, UnicodeDecodeError):
        raise Invalid("that cursor was not issued by this server") from None


def _page(items: list[dict], query: dict) -> dict:
    limit = query.get("limit", 10)
    if not 1 <= limit <= 1000:  # its own bounds: the reference documents none
        raise Invalid(f"limit must be between 1 and 1000, not {limit}")
    if "after" in query and "before" in query:
        raise Invalid("give after or before, not both")
    if "before" in query:
        end = _offset(query["before"])
        start = max(0, end - limit)
    else:
        start = _offset(query["after"]) if "after" in query else 0
        end = start + limit
    page = items[start:end]
    paging = {"total": len(items)}
    if start > 0 and page:
        paging["before"] = _cursor(start)
    if end < len(items):
        paging["after"] = _cursor(end)
    return {"data": page, "paging": paging}


REFERENCES = {"domains": "domain", "dataProducts": "dataProduct", "dashboard": "dashboard"}


def _unknown_reference(body: dict) -> JSONResponse | None:
    """This server stores no domains, data products or dashboards: naming one is a 404."""
    for field, kind in REFERENCES.items():
        value = body.get(field)
        if value:
            name = value[0] if isinstance(value, list) else value
            return _error(404, f"{kind} '{name}' was not found")
    return None


def _visible(entity: dict, include: str | None) -> bool:
    include = include or "non-deleted"
    return include == "all" or (include == "deleted") == bool(entity.get("deleted"))


def build(token: str) -> list[Route]:
    store = Store()

    async def parse(request: Request, spec_path: str, **path_params):
        if request.headers.get("authorization") != f"Bearer {token}":
            return None, None, _error(401, "Not authorized: a valid token is needed")
        raw = await request.body()
        body, has_body = None, bool(raw)
        media = request.headers.get("content-type", "application/json").split(";")[0].strip()
        if has_body:
            try:
                body = json.loads(raw)
            except ValueError:
                return None, None, _error(400, "the body is not JSON")
        try:
            query = check_request(SPEC, request.method.lower(), spec_path, query=request.query_params,
                                  path_params=path_params, body=body, has_body=has_body, media=media)
        except Invalid as error:
            return None, None, _error(400, f"bad request: {error}")
        return query, body, None

    def service_ref(service: dict) -> dict:
        return {"id": service["id"], "type": "mlmodelService", "name": service["name"],
                "fullyQualifiedName": service["fullyQualifiedName"], "deleted": service["deleted"]}

    def snapshot(model: dict) -> None:
        store.history.setdefault(model["id"], []).insert(0, copy.deepcopy(model))

    # ------------------------------------------------------------- services

    def service_from(body: dict, existing: dict | None) -> dict:
        now = _now()
        if existing is None:
            sid = str(uuid.uuid4())
            return {"id": sid, "name": body["name"], "fullyQualifiedName": _quote(body["name"]),
                    "serviceType": body["serviceType"], "description": body.get("description", ""),
                    **{k: body[k] for k in ("displayName", "connection", "tags", "owners") if k in body},
                    "version": 0.1, "updatedAt": now, "updatedBy": "independent",
                    "href": f"http://independent{BASE}/services/mlmodelServices/{sid}", "deleted": False}
        updated = dict(existing, **{k: v for k, v in body.items() if k not in ("name",)})
        if updated != existing:
            updated["version"] = round(existing["version"] + 0.1, 1)
        updated["updatedAt"] = now
        return updated

    async def services(request: Request) -> Response:
        query, body, error = await parse(request, "/services/mlmodelServices")
        if error:
            return error
        with store.lock:
            if request.method == "GET":
                items = [s for s in store.services.values() if _visible(s, query.get("include"))]
                try:
                    return JSONResponse(_page(items, query))
                except Invalid as exc:
                    return _error(400, str(exc))
            missing = _unknown_reference(body)
            if missing:
                return missing
            body = {k: v for k, v in body.items() if k not in REFERENCES}
            existing = next((s for s in store.services.values() if s["name"] == body["name"]), None)
            if request.method == "POST" and existing is not None:
                return _error(409, f"mlmodelService '{body['name']}' exists already")
            service = service_from(body, existing)
            store.services[service["id"]] = service
            return JSONResponse(service, status_code=201 if existing is None else 200)

    async def service_by_id(request: Request) -> Response:
        sid = request.path_params["id"]
        if request.method == "DELETE":  # the real server's delete (not in the ML-model reference)
            if request.headers.get("authorization") != f"Bearer {token}":
                return _error(401, "Not authorized: a valid token is needed")
            # As the real server: soft unless hardDelete=true; the models go along (recursive).
            hard = request.query_params.get("hardDelete", "false").lower() == "true"
            with store.lock:
                service = store.services.get(sid)
                if service is None or (service.get("deleted") and not hard):
                    return _error(404, f"no mlmodelService with id {sid}")
                for mid in [m for m, v in store.models.items() if v["service"]["id"] == sid]:
                    if hard:
                        del store.models[mid]
                    else:
                        store.models[mid] = dict(store.models[mid], deleted=True)
                if hard:
                    return JSONResponse(store.services.pop(sid))
                service = store.services[sid] = dict(service, deleted=True)
                return JSONResponse(service)
        query, _, error = await parse(request, "/services/mlmodelServices/{id}", id=sid)
        if error:
            return error
        service = store.services.get(sid)
        if service is None or not _visible(service, query.get("include")):
            return _error(404, f"no mlmodelService with id {sid}")
        return JSONResponse(service)

    async def service_by_name(request: Request) -> Response:
        fqn = request.path_params["fqn"]
        query, _, error = await parse(request, "/services/mlmodelServices/name/{fqn}", fqn=fqn)
        if error:
            return error
        found = next((s for s in store.services.values() if s["fullyQualifiedName"] == fqn
                      and _visible(s, query.get("include"))), None)
        return JSONResponse(found) if found else _error(404, f"no mlmodelService named {fqn}")

    # ------------------------------------------------------------- models

    def find_service(fqn: str) -> dict | None:
        return next((s for s in store.services.values() if s["fullyQualifiedName"] == fqn and not s["deleted"]),
                    None)

    def model_from(body: dict, service: dict, existing: dict | None) -> dict:
        fields = {k: v for k, v in body.items() if k not in ("name", "service")}
        if existing is None:
            mid = str(uuid.uuid4())
            model = {"id": mid, "name": body["name"],
                     "fullyQualifiedName": f"{service['fullyQualifiedName']}.{_quote(body['name'])}",
                     "algorithm": "", **fields, "service": service_ref(service),
                     "serviceType": service["serviceType"], "version": 0.1, "updatedAt": _now(),
                     "updatedBy": "independent", "href": f"http://independent{BASE}/mlmodels/{mid}",
                     "deleted": False, "owners": [], "followers": [], "tags": fields.get("tags", [])}
            return model
        updated = dict(existing, **fields, deleted=False)
        if updated != existing:
            updated["version"] = round(existing["version"] + 0.1, 1)  # every change is minor here
        updated["updatedAt"] = _now()
        return updated

    def upsert(body: dict, *, create_only: bool) -> Response:
        missing = _unknown_reference(body)
        if missing:
            return missing
        body = {k: v for k, v in body.items() if k not in REFERENCES}
        service = find_service(body["service"])
        if service is None:
            return _error(404, f"mlmodelService {body['service']} does not exist")
        existing = next((m for m in store.models.values() if m["name"] == body["name"]
                         and m["service"]["id"] == service["id"]), None)
        if create_only and existing is not None:
            return _error(409, f"mlmodel {body['name']} is already in {service['name']}")
        model = model_from(body, service, existing)
        if existing is None or model["version"] != existing["version"]:
            snapshot(model)
        store.models[model["id"]] = model
        # POST answers 201; PUT answers 200 whether it created or updated (both are documented).
        return JSONResponse(model, status_code=201 if create_only else 200)

    async def models(request: Request) -> Response:
        query, body, error = await parse(request, "/mlmodels")
        if error:
            return error
        with store.lock:
            if request.method == "GET":
                items = [m for m in store.models.values() if _visible(m, query.get("include"))
                         and ("service" not in query or m["service"]["fullyQualifiedName"] == query["service"])]
                try:
                    return JSONResponse(_page(items, query))
                except Invalid as exc:
                    return _error(400, str(exc))
            return upsert(body, create_only=request.method == "POST")

    async def model_by_name(request: Request) -> Response:
        fqn = request.path_params["fqn"]
        query, _, error = await parse(request, "/mlmodels/name/{fqn}", fqn=fqn)
        if error:
            return error
        found = next((m for m in store.models.values() if m["fullyQualifiedName"] == fqn
                      and _visible(m, query.get("include"))), None)
        return JSONResponse(found) if found else _error(404, f"no mlmodel named {fqn}")

    async def model(request: Request) -> Response:
        mid = request.path_params["id"]
        query, body, error = await parse(request, "/mlmodels/{id}", id=mid)
        if error:
            return error
        with store.lock:
            found = store.models.get(mid)
            include = query.get("include") if request.method == "GET" else "all"
            if found is None or not _visible(found, include):
                return _error(404, f"mlmodel {mid} not found")
            if request.method == "GET":
                return JSONResponse(found)
            if request.method == "DELETE":
                if query.get("hardDelete"):
                    del store.models[mid]
                    store.history.pop(mid, None)
                    return JSONResponse(found)
                found = dict(found, deleted=True, version=round(found["version"] + 0.1, 1), updatedAt=_now())
                store.models[mid] = found
                snapshot(found)
                return JSONResponse(found)
            if found["deleted"]:
                return _error(404, f"mlmodel {mid} not found")
            try:
                patched = jsonpatch.apply_patch(copy.deepcopy(found), body)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as exc:
                return _error(400, f"patch not applicable: {exc}")
            for fixed in ("id", "name", "fullyQualifiedName", "service", "serviceType", "href", "deleted"):
                patched[fixed] = found[fixed]
            patched["version"], patched["updatedAt"] = found["version"], found["updatedAt"]
            if patched != found:
                patched["version"] = round(found["version"] + 0.1, 1)
                patched["updatedAt"] = _now()
                snapshot(patched)
            try:
                check_entity(SPEC, "MlModel", patched)
            except Invalid as exc:
                return _error(400, f"the patched model is not valid: {exc}")
            store.models[mid] = patched
            return JSONResponse(patched)

    async def restore(request: Request) -> Response:
        _, body, error = await parse(request, "/mlmodels/restore")
        if error:
            return error
        with store.lock:
            found = store.models.get(body["id"])
            if found is None or not found["deleted"]:
                return _error(404, f"no deleted mlmodel {body['id']}")
            found = dict(found, deleted=False, version=round(found["version"] + 0.1, 1), updatedAt=_now())
            store.models[found["id"]] = found
            snapshot(found)
            return JSONResponse(found)

    async def versions(request: Request) -> Response:
        mid = request.path_params["id"]
        _, _, error = await parse(request, "/mlmodels/{id}/versions", id=mid)
        if error:
            return error
        if mid not in store.models:
            return _error(404, f"mlmodel {mid} not found")
        return JSONResponse({"entityType": "mlmodel",
                             "versions": [json.dumps(v) for v in store.history.get(mid, [])]})

    return [
        Route(f"{BASE}/services/mlmodelServices", services, methods=["GET", "POST", "PUT"]),
        Route(f"{BASE}/services/mlmodelServices/name/{{fqn:anytext}}", service_by_name, methods=["GET"]),
        Route(f"{BASE}/services/mlmodelServices/{{id}}", service_by_id, methods=["GET", "DELETE"]),
        Route(f"{BASE}/mlmodels", models, methods=["GET", "POST", "PUT"]),
        Route(f"{BASE}/mlmodels/restore", restore, methods=["PUT"]),
        Route(f"{BASE}/mlmodels/name/{{fqn:anytext}}", model_by_name, methods=["GET"]),
        Route(f"{BASE}/mlmodels/{{id}}", model, methods=["GET", "PATCH", "DELETE"]),
        Route(f"{BASE}/mlmodels/{{id}}/versions", versions, methods=["GET"]),
    ]
