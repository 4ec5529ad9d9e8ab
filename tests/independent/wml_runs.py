"""Independent WML deployments (online and batch), deployment jobs and trainings, from the reference.

Where the reference is silent this differs from the mock on purpose:

- ids: deployments get time-based UUIDs (``uuid1``, still lowercase RFC 4122: the client checks
  ``[a-z0-9-]{36}``), jobs random UUIDs, trainings 32 hex digits with no dashes (the reference
  gives no format for them);
- ordering: deployments oldest first, jobs newest first, trainings by id;
- page tokens: deployments ``start=page-N`` (page numbers), jobs and trainings opaque tokens kept
  on the server (a random hex key per page handed out);
- status timing: a deployment is ``initializing`` when created and on its first read, ``ready``
  from its second read (``updating`` likewise after a patch of the asset or hardware); a job is
  ``queued`` for 0.2 s, then ``running`` until 0.6 s after its creation, then ``completed``; a
  training moves one step per read: ``queued``, ``pending``, ``running``, ``storing``,
  ``completed``;
- a job can only run on a batch deployment (400 otherwise) and only online deployments score
  (400 for a batch one); cancelling a finished job or training leaves it in its final state;
- the error ``trace`` is the caller's, a counter otherwise; one ``system.warnings`` entry of our own.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
import uuid
from collections.abc import Callable

import jsonpatch
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DEPLOYMENT_PATCH_PATHS = {"/tags": "metadata", "/name": "metadata", "/description": "metadata",
                          "/custom": "entity", "/hardware_spec": "entity",
                          "/hybrid_pipeline_hardware_specs": "entity", "/asset": "entity",
                          "/online": "entity"}
RESTARTING = ("/asset", "/hardware_spec", "/hybrid_pipeline_hardware_specs")
JOB_STEPS = ((0.2, "queued"), (0.6, "running"))
TRAINING_STEPS = ("queued", "pending", "running", "storing", "completed")
FINISHED = ("completed", "failed", "canceled")
METADATA_FIELDS = ("name", "description", "tags", "space_id", "project_id")


def routes(*, lock, spaces: dict, models: dict, parse: Callable, scope_of: Callable, error: Callable,
           now: Callable[[], str]) -> tuple[list[Route], Callable[[str], None]]:
    deployments: dict[str, dict] = {}   # id -> {"doc", "reads", "seq"}
    jobs: dict[str, dict] = {}          # id -> {"doc", "born", "seq"}
    trainings: dict[str, dict] = {}     # id -> {"doc", "step"}
    tokens: dict[str, int] = {}         # opaque page token -> offset
    seq = itertools.count()

    def split(body: dict, sid: str) -> tuple[dict, dict]:
        metadata = {"id": None, "created_at": now(), "modified_at": now(), "space_id": sid, "owner": "independent"}
        for key in ("name", "description", "tags"):
            if key in body:
                metadata[key] = body[key]
        entity = {k: v for k, v in body.items() if k not in METADATA_FIELDS}
        return metadata, entity

    def page(request: Request, items: list[dict], query: dict, base: str, scheme: str) -> JSONResponse | dict:
        limit = query.get("limit", 100)
        raw = query.get("start")
        start = 0
        if raw is not None:
            if scheme == "page":
                if not str(raw).startswith("page-") or not str(raw)[5:].isdigit() or int(str(raw)[5:]) < 1:
                    return error(400, "invalid_parameter", "start is not a page of this server")
                start = (int(str(raw)[5:]) - 1) * limit
            else:
                with lock:
                    if raw not in tokens:
                        return error(400, "invalid_parameter", "start is not a token of this server")
                    start = tokens[raw]
        answer = {"limit": limit, "first": {"href": f"{base}&limit={limit}"},
                  "resources": items[start:start + limit]}
        if query.get("total_count") is True:
            answer["total_count"] = len(items)
        if start + limit < len(items):
            if scheme == "page":
                token = f"page-{start // limit + 2}"
            else:
                token = secrets.token_hex(12)
                with lock:
                    tokens[token] = start + limit
            answer["next"] = {"href": f"{base}&limit={limit}&start={token}"}
        return answer

    def base_href(path: str, query: dict, names: tuple[str, ...]) -> str:
        parts = [f"version={query['version']}"]
        parts += [f"{name}={query[name]}" for name in names if name in query]
        return f"{path}?{'&'.join(parts)}"

    # ------------------------------------------------------------- deployments

    def deployment_view(request: Request, record: dict, *, read: bool) -> dict:
        doc = record["doc"]
        status = doc["entity"]["status"]
        answer = copy.deepcopy(doc)
        if read:
            record["reads"] += 1
            if status["state"] in ("initializing", "updating") and record["reads"] >= 2:
                status["state"] = "ready"
                doc["metadata"]["modified_at"] = now()
        answer["system"] = {"warnings": [{"id": "independent", "message": "scored by the independent server"}]}
        return answer

    def asset_type(asset: dict | None, sid: str) -> tuple[str | None, JSONResponse | None]:
        if not asset:
            return "model", None
        model = models.get(asset.get("id"))
        if model is None or model["metadata"].get("space_id") != sid:
            return None, error(404, "asset_not_found", f"asset {asset.get('id')} is not in this space")
        return "model", None

    def serving_name_of(doc: dict) -> str | None:
        return ((doc.get("entity", {}).get("online") or {}).get("parameters") or {}).get("serving_name")

    def serving_taken(name: str | None, but: str | None = None) -> bool:
        return name is not None and any(serving_name_of(r["doc"]) == name and i != but
                                        for i, r in deployments.items())

    async def deployment_collection(request: Request) -> Response:
        query, body, failure = await parse(request, "/ml/v4/deployments")
        if failure:
            return failure
        if request.method == "POST":
            sid, failure = scope_of(query, body)
            if failure:
                return failure
            with lock:
                kind, failure = asset_type(body.get("asset"), sid)
                if failure:
                    return failure
                metadata, entity = split(body, sid)
                if serving_taken(serving_name_of({"entity": entity})):
                    return error(409, "serving_name_taken", "the serving name is used by another deployment")
                did = str(uuid.uuid1())
                metadata["id"] = did
                entity["deployed_asset_type"] = kind
                entity["status"] = {"state": "initializing"}
                if "online" in entity:
                    url = f"{str(request.base_url).rstrip('/')}/ml/v4/deployments/{did}/predictions"
                    entity["status"]["online_url"] = {"url": url}
                    entity["status"]["inference"] = [{"url": url}]
                record = {"doc": {"metadata": metadata, "entity": entity}, "reads": 0, "seq": next(seq)}
                deployments[did] = record
                return JSONResponse(deployment_view(request, record, read=False), status_code=202)
        if query.get("conflict") is True:
            name = query.get("serving_name")
            if name is None:
                return error(400, "missing_serving_name", "conflict=true needs serving_name")
            with lock:
                taken = serving_taken(name)
            if taken:
                return error(409, "serving_name_taken", f"serving name {name} is in use")
            return Response(status_code=204)
        sid = query.get("space_id")
        if sid is not None and sid not in spaces:
            return error(404, "space_not_found", f"space {sid} does not exist")
        with lock:
            mine = [r for r in deployments.values() if sid is None or r["doc"]["metadata"]["space_id"] == sid]
            mine.sort(key=lambda r: r["seq"])
            if query.get("stats") is True:
                stats = {}
                for r in mine:
                    space = r["doc"]["metadata"]["space_id"]
                    counts = stats.setdefault(space, {"space_id": space, "online_count": 0, "batch_count": 0})
                    counts["online_count" if "online" in r["doc"]["entity"] else "batch_count"] += 1
                return JSONResponse({"limit": query.get("limit", 100),
                                     "first": {"href": base_href("/ml/v4/deployments", query, ("space_id", "stats"))},
                                     "resources": [], "system": {"stats": list(stats.values())}})
            filters = {"serving_name": serving_name_of,
                       "asset_id": lambda d: (d["entity"].get("asset") or {}).get("id"),
                       "name": lambda d: d["metadata"].get("name"),
                       "type": lambda d: d["entity"]["deployed_asset_type"],
                       "state": lambda d: d["entity"]["status"]["state"]}
            for name, getter in filters.items():
                if name in query:
                    mine = [r for r in mine if getter(r["doc"]) == query[name]]
            if "tag.value" in query:
                mine = [r for r in mine if query["tag.value"] in r["doc"]["metadata"].get("tags", [])]
            items = [deployment_view(request, r, read=False) for r in mine]
        base = base_href("/ml/v4/deployments", query, ("space_id", *filters, "tag.value"))
        answer = page(request, items, query, base, "page")
        return answer if isinstance(answer, Response) else JSONResponse(answer)

    def find_deployment(did: str, sid: str) -> dict | None:
        record = deployments.get(did)
        if record is None or record["doc"]["metadata"]["space_id"] != sid:
            return None
        return record

    async def deployment_item(request: Request) -> Response:
        did = request.path_params["deployment_id"]
        query, body, failure = await parse(request, "/ml/v4/deployments/{deployment_id}", deployment_id=did)
        if failure:
            return failure
        sid, failure = scope_of(query)
        if failure:
            return failure
        with lock:
            record = find_deployment(did, sid)
            if record is None:
                return error(404, "deployment_not_found", f"deployment {did} is not in this space")
            if request.method == "GET":
                return JSONResponse(deployment_view(request, record, read=True))
            if request.method == "DELETE":
                del deployments[did]
                return Response(status_code=204)
            acting, restart = [], False
            for operation in body:
                path = operation.get("path", "")
                top = "/" + path.split("/")[1] if path.count("/") >= 1 else path
                if top == "/online" and not (path == "/online/parameters" or path.startswith("/online/parameters/")):
                    top = None
                if top not in DEPLOYMENT_PATCH_PATHS:
                    return error(400, "patch_not_supported", f"{path} cannot be patched")
                restart = restart or top in RESTARTING
                acting.append({**operation, "path": f"/{DEPLOYMENT_PATCH_PATHS[top]}{path}"})
            try:
                patched = jsonpatch.apply_patch(copy.deepcopy(record["doc"]), acting)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
                return error(400, "patch_failed", str(exc))
            if not isinstance(patched["entity"].get("online", {}), dict) \
                    or not isinstance((patched["entity"].get("online") or {}).get("parameters", {}), dict):
                return error(400, "patch_failed", "online parameters must be an object")
            name = serving_name_of(patched)
            if name is not None and name != serving_name_of(record["doc"]):
                if not isinstance(name, str) or not name or len(name) > 36 \
                        or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in name):
                    return error(400, "invalid_serving_name", "a serving name is [a-z0-9_], 1..36 characters")
                if serving_taken(name, but=did):
                    return error(409, "serving_name_taken", f"serving name {name} is in use")
            if "asset" in patched["entity"]:
                kind, failure = asset_type(patched["entity"]["asset"], sid)
                if failure:
                    return failure
            patched["metadata"]["modified_at"] = now()
            for pointer in ("id", "created_at", "space_id", "owner"):
                patched["metadata"][pointer] = record["doc"]["metadata"][pointer]
            patched["entity"]["status"] = record["doc"]["entity"]["status"]
            patched["entity"]["deployed_asset_type"] = record["doc"]["entity"]["deployed_asset_type"]
            if restart:
                patched["entity"]["status"]["state"] = "updating"
                record["reads"] = 0
            record["doc"] = patched
            return JSONResponse(deployment_view(request, record, read=False), status_code=202)

    async def predictions(request: Request) -> Response:
        ref = request.path_params["deployment_id"]
        query, body, failure = await parse(request, "/ml/v4/deployments/{deployment_id}/predictions",
                                           deployment_id=ref)
        if failure:
            return failure
        with lock:
            record = deployments.get(ref) or next(
                (r for r in deployments.values() if serving_name_of(r["doc"]) == ref), None)
            if record is None:
                return error(404, "deployment_not_found", f"no deployment {ref}")
            online = "online" in record["doc"]["entity"]
        if not online:
            return error(400, "not_online", "only an online deployment scores synchronously")
        out = []
        for block in body["input_data"]:
            rows = block.get("values", [])
            out.append({"fields": ["prediction", "probability"],
                        "values": [[len(row) if isinstance(row, list) else 0, [0.25, 0.75]] for row in rows]})
        return JSONResponse({"predictions": out})

    # ------------------------------------------------------------- deployment jobs

    def job_view(record: dict, include: str | None = None) -> dict:
        doc = record["doc"]
        section = doc["entity"].get("scoring") or doc["entity"].get("decision_optimization")
        status = section["status"]
        if status["state"] not in FINISHED:
            age = time.monotonic() - record["born"]
            state = next((s for limit, s in JOB_STEPS if age < limit), "completed")
            if state != status["state"]:
                status["state"] = state
                if state in ("running", "completed") and "running_at" not in status:
                    status["running_at"] = now()
                if state == "completed":
                    status["completed_at"] = now()
                    if "input_data" in section:
                        section["predictions"] = [
                            {"id": block.get("id", "output"), "fields": ["prediction"],
                             "values": [[0] for _ in block.get("values", [])]} for block in section["input_data"]]
                if state != "queued":
                    doc["entity"]["platform_job"] = {"job_id": record["job_id"], "run_id": record["run_id"]}
        answer = copy.deepcopy(doc)
        if include:
            wanted = {part.strip() for part in include.split(",")} | {"status"}  # the state always shows
            for name in ("scoring", "decision_optimization"):
                if name in answer["entity"]:
                    answer["entity"][name] = {k: v for k, v in answer["entity"][name].items() if k in wanted}
        return answer

    async def job_collection(request: Request) -> Response:
        query, body, failure = await parse(request, "/ml/v4/deployment_jobs")
        if failure:
            return failure
        sid, failure = scope_of(query, body if request.method == "POST" else None)
        if failure:
            return failure
        if request.method == "POST":
            with lock:
                deployment = find_deployment(body["deployment"]["id"], sid)
                if deployment is None:
                    return error(404, "deployment_not_found", f"deployment {body['deployment']['id']} is not here")
                if "batch" not in deployment["doc"]["entity"]:
                    return error(400, "not_batch", "deployment jobs run on batch deployments only")
                metadata, entity = split(body, sid)
                jid = str(uuid.uuid4())
                metadata["id"] = jid
                section = "scoring" if "scoring" in entity else "decision_optimization"
                entity[section] = {**entity[section], "status": {"state": "queued"}}
                record = {"doc": {"metadata": metadata, "entity": entity}, "born": time.monotonic(),
                          "seq": next(seq), "job_id": str(uuid.uuid4()), "run_id": str(uuid.uuid4())}
                jobs[jid] = record
                return JSONResponse(job_view(record), status_code=202)
        with lock:
            mine = [r for r in jobs.values() if r["doc"]["metadata"]["space_id"] == sid]
            mine.sort(key=lambda r: r["seq"], reverse=True)
            views = [(r, job_view(r, query.get("include"))) for r in mine]

        def state(view: dict) -> str | None:
            section = view["entity"].get("scoring") or view["entity"].get("decision_optimization") or {}
            return (section.get("status") or {}).get("state")

        if "state" in query:
            views = [(r, v) for r, v in views if state(job_view(r)) == query["state"]]
        if "deployment_id" in query:
            views = [(r, v) for r, v in views if r["doc"]["entity"]["deployment"]["id"] == query["deployment_id"]]
        if "tag.value" in query:
            wanted = set(str(query["tag.value"]).split(","))
            views = [(r, v) for r, v in views if wanted & set(r["doc"]["metadata"].get("tags", []))]
        base = base_href("/ml/v4/deployment_jobs", {**query, "space_id": sid},
                         ("space_id", "state", "deployment_id", "tag.value", "include"))
        answer = page(request, [v for _, v in views], query, base, "token")
        return answer if isinstance(answer, Response) else JSONResponse(answer)

    async def job_item(request: Request) -> Response:
        jid = request.path_params["job_id"]
        query, _, failure = await parse(request, "/ml/v4/deployment_jobs/{job_id}", job_id=jid)
        if failure:
            return failure
        sid, failure = scope_of(query)
        if failure:
            return failure
        with lock:
            record = jobs.get(jid)
            if record is None or record["doc"]["metadata"]["space_id"] != sid:
                return error(404, "job_not_found", f"deployment job {jid} is not in this space")
            if request.method == "GET":
                return JSONResponse(job_view(record, query.get("include")))
            if query.get("hard_delete") is True:
                del jobs[jid]
                return Response(status_code=204)
            view = job_view(record)
            section = "scoring" if "scoring" in view["entity"] else "decision_optimization"
            status = record["doc"]["entity"][section]["status"]
            if status["state"] not in FINISHED:
                status["state"] = "canceled"
                status["completed_at"] = now()
            return Response(status_code=204)

    # ------------------------------------------------------------- trainings

    def training_view(record: dict, *, read: bool) -> dict:
        if read and record["step"] < len(TRAINING_STEPS) - 1 \
                and record["doc"]["entity"]["status"]["state"] in TRAINING_STEPS:
            record["step"] += 1
            status = record["doc"]["entity"]["status"]
            status["state"] = TRAINING_STEPS[record["step"]]
            if status["state"] == "running":
                status["running_at"] = now()
            if status["state"] == "completed":
                status["completed_at"] = now()
                status["metrics"] = []
        return {**copy.deepcopy(record["doc"]), "system": {"warnings": []}}

    async def training_collection(request: Request) -> Response:
        query, body, failure = await parse(request, "/ml/v4/trainings")
        if failure:
            return failure
        sid, failure = scope_of(query, body if request.method == "POST" else None)
        if failure:
            return failure
        if request.method == "POST":
            metadata, entity = split(body, sid)
            tid = uuid.uuid4().hex
            metadata["id"] = tid
            entity["status"] = {"state": TRAINING_STEPS[0]}
            record = {"doc": {"metadata": metadata, "entity": entity}, "step": 0}
            with lock:
                trainings[tid] = record
                return JSONResponse(training_view(record, read=False), status_code=201)
        with lock:
            mine = sorted((r for r in trainings.values() if r["doc"]["metadata"]["space_id"] == sid),
                          key=lambda r: r["doc"]["metadata"]["id"])
            items = [training_view(r, read=False) for r in mine]
        if "state" in query:
            items = [t for t in items if t["entity"]["status"]["state"] == query["state"]]
        if "type" in query:
            items = [t for t in items if query["type"] in t["entity"]]
        if "parent_id" in query:
            items = [t for t in items if t["metadata"].get("parent_id") == query["parent_id"]]
        if "tag.value" in query:
            items = [t for t in items if query["tag.value"] in t["metadata"].get("tags", [])]
        base = base_href("/ml/v4/trainings", {**query, "space_id": sid},
                         ("space_id", "state", "type", "parent_id", "tag.value"))
        if query.get("total_count") is True:
            base += "&total_count=true"
        answer = page(request, items, query, base, "token")
        return answer if isinstance(answer, Response) else JSONResponse(answer)

    async def training_item(request: Request) -> Response:
        tid = request.path_params["training_id"]
        query, _, failure = await parse(request, "/ml/v4/trainings/{training_id}", training_id=tid)
        if failure:
            return failure
        sid, failure = scope_of(query)
        if failure:
            return failure
        with lock:
            record = trainings.get(tid)
            if record is None or record["doc"]["metadata"]["space_id"] != sid:
                return error(404, "training_not_found", f"training {tid} is not in this space")
            if request.method == "GET":
                return JSONResponse(training_view(record, read=True))
            if query.get("hard_delete") is True:
                del trainings[tid]
                return Response(status_code=204)
            status = record["doc"]["entity"]["status"]
            if status["state"] not in FINISHED:
                status["state"] = "canceled"
                status["completed_at"] = now()
            return Response(status_code=204)

    def forget_space(sid: str) -> None:
        for store in (deployments, jobs, trainings):
            for key in [k for k, r in store.items() if r["doc"]["metadata"].get("space_id") == sid]:
                del store[key]

    return [
        Route("/ml/v4/deployments", deployment_collection, methods=["GET", "POST"]),
        Route("/ml/v4/deployments/{deployment_id}", deployment_item, methods=["GET", "PATCH", "DELETE"]),
        Route("/ml/v4/deployments/{deployment_id}/predictions", predictions, methods=["POST"]),
        Route("/ml/v4/deployment_jobs", job_collection, methods=["GET", "POST"]),
        Route("/ml/v4/deployment_jobs/{job_id}", job_item, methods=["GET", "DELETE"]),
        Route("/ml/v4/trainings", training_collection, methods=["GET", "POST"]),
        Route("/ml/v4/trainings/{training_id}", training_item, methods=["GET", "DELETE"]),
    ], forget_space

