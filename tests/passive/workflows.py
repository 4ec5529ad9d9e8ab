"""Scripted client workflows (httpx) run through the proxy, and the in-process stack they run on.

The stack: a client -> :class:`Proxy` -> the upstream ASGI app (the mock, or a defect wrapping it),
all in process (httpx's ASGI transport), judged by a :class:`Judge`.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from mlmock.contracts.passive.judge import Judge
from mlmock.contracts.passive.proxy import Proxy
from mlmock.mockserver import Settings, create_app
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID

TOKEN = "t"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
OM = "/api/v1"
V = {"version": "2024-05-01"}


def mock():
    return create_app(settings=Settings(token=TOKEN, progression="reads:1"))


class Surprises(list):
    """Answers a workflow did not expect (a defective upstream gives some; the correct mock none)."""


SURPRISES = Surprises()


def run(workflow, upstream, *, api="auto", recorder=None, strict: bool = True) -> Judge:
    """Run ``workflow(client)`` through a proxy in front of ``upstream``; the judge once all is judged.

    ``strict``: an unexpected status fails at once (the correct mock); otherwise the workflow goes on
    like a client that does not check, and stops only where it cannot (a defect under observation)."""
    judge = Judge(api)
    SURPRISES.clear()
    SURPRISES.strict = strict

    async def main():
        proxy = Proxy("http://upstream.test", judge, recorder=recorder, transport=httpx.ASGITransport(app=upstream))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://proxy.test",
                                     headers=AUTH, timeout=30) as client:
            try:
                await workflow(client)
            except (KeyError, TypeError, ValueError, IndexError) as error:
                if strict:
                    raise
                SURPRISES.append(f"workflow stopped: {type(error).__name__}: {error}")
        await proxy.aclose()

    asyncio.run(main())
    return judge


def _ok(response: httpx.Response, *codes: int) -> httpx.Response:
    if response.status_code not in (codes or (200, 201, 202, 204)):
        message = f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:300]}"
        assert not SURPRISES.strict, message
        SURPRISES.append(message)
    return response


async def anonymous(client: httpx.AsyncClient, method: str, url: str, **kwargs) -> httpx.Response:
    """A request without any Authorization header."""
    request = client.build_request(method, url, **kwargs)
    del request.headers["authorization"]
    return await client.send(request)


async def openmetadata(client: httpx.AsyncClient) -> None:
    """Create, list in pages (forward and back), read, patch, upsert, duplicate, delete, restore, hard delete."""
    run_id = uuid.uuid4().hex[:6]
    service = f"svc_{run_id}"
    _ok(await client.post(f"{OM}/services/mlmodelServices", json={"name": service, "serviceType": "Mlflow"}))
    ids = []
    for i in range(7):
        created = _ok(await client.post(f"{OM}/mlmodels", json={"name": f"m{i}_{run_id}", "service": service,
                                                                 "algorithm": "KMeans"}))
        ids.append(created.json()["id"])
    other = f"other_{run_id}"
    _ok(await client.post(f"{OM}/services/mlmodelServices", json={"name": other, "serviceType": "Mlflow"}))
    _ok(await client.post(f"{OM}/mlmodels", json={"name": f"o_{run_id}", "service": other, "algorithm": "KMeans"}))
    pages, after, cursors = [], None, []
    for _ in range(10):
        page = _ok(await client.get(f"{OM}/mlmodels", params={"limit": 2, "service": service,
                                                                **({"after": after} if after else {})}))
        pages.append(page.json())
        cursors.append(page.json()["paging"].get("before"))
        after = page.json()["paging"].get("after")
        if not after:
            break
    if len(cursors) > 2 and cursors[2]:
        _ok(await client.get(f"{OM}/mlmodels", params={"limit": 2, "service": service, "before": cursors[2]}))
    _ok(await client.get(f"{OM}/mlmodels", params={"limit": 1000001}), 400)  # out of bounds
    _ok(await anonymous(client, "GET", f"{OM}/mlmodels", params={"limit": 2}), 401)
    first = ids[0]
    fetched = _ok(await client.get(f"{OM}/mlmodels/{first}", params={"fields": "tags,owners"})).json()
    _ok(await client.patch(f"{OM}/mlmodels/{first}", content=b'[{"op": "add", "path": "/description", '
                           b'"value": "patched"}]', headers={"Content-Type": "application/json-patch+json"}))
    _ok(await client.patch(f"{OM}/mlmodels/{first}", content=b'[{"op": "replace", "path": "/name", "value": "x"}]',
                           headers={"Content-Type": "application/json-patch+json"}))
    _ok(await client.patch(f"{OM}/mlmodels/{first}", content=b'{"not": "a patch"}',
                           headers={"Content-Type": "application/json-patch+json"}), 400)
    _ok(await client.patch(f"{OM}/mlmodels/{first}", content=b'[{"op": "add", "path": "/description", '
                           b'"value": "half"}, {"op": "test", "path": "/description", "value": "never"}]',
                           headers={"Content-Type": "application/json-patch+json"}), 400)
    _ok(await client.get(f"{OM}/mlmodels/{first}"))
    _ok(await client.patch(f"{OM}/mlmodels/{first}", content=b'[{"op": "replace", "path": "/version", '
                           b'"value": 7.5}]', headers={"Content-Type": "application/json-patch+json"}))
    _ok(await client.get(f"{OM}/mlmodels/{first}"))
    body = {"name": fetched["name"], "service": service, "algorithm": "KMeans"}
    _ok(await client.put(f"{OM}/mlmodels", json=dict(body, description="upserted")), 200)
    _ok(await client.post(f"{OM}/mlmodels", json=body), 409)
    _ok(await client.delete(f"{OM}/mlmodels/{ids[1]}"))
    _ok(await client.get(f"{OM}/mlmodels/{ids[1]}"), 404)
    _ok(await client.get(f"{OM}/mlmodels/{ids[1]}", params={"include": "all"}))
    _ok(await client.put(f"{OM}/mlmodels/restore", json={"id": ids[1]}))
    _ok(await client.get(f"{OM}/mlmodels/{ids[1]}"))
    _ok(await client.delete(f"{OM}/mlmodels/{ids[2]}", params={"hardDelete": "true"}))
    _ok(await client.get(f"{OM}/mlmodels/{ids[2]}", params={"include": "all"}), 404)
    _ok(await client.get(f"{OM}/mlmodels", params={"limit": "lots"}), 400)
    _ok(await client.get(f"{OM}/mlmodels/{ids[3]}", params={"include": "everything"}), 400)
    for i in range(10):  # versions 0.1 to 1.1
        _ok(await client.patch(f"{OM}/mlmodels/{ids[3]}", content=json.dumps(
            [{"op": "add", "path": "/description", "value": f"change {i}"}]).encode(),
            headers={"Content-Type": "application/json-patch+json"}))


__all__ = ["mock", "openmetadata", "run", "wml"]


WML_V = "2024-05-13"
SW = {"name": "runtime-24.1-py3.11"}
ROWS = [[1, "a", 0.5], [2, "b", 1.5], [3, "c", 2.5]]


def _q(space: str = DEFAULT_SPACE_ID, **more) -> dict:
    return {"version": WML_V, "space_id": space, **more}


async def wml(client: httpx.AsyncClient) -> None:
    """Models (pages, revisions, patches, other space), deployments (serving names, probe, states), jobs, deletes."""
    S, OTHER = DEFAULT_SPACE_ID, OTHER_SPACE_ID
    run_id = uuid.uuid4().hex[:6]
    models = []
    for i in range(5):
        created = _ok(await client.post("/ml/v4/models", params={"version": WML_V},
                                        json={"name": f"m{i}_{run_id}", "type": "scikit-learn_1.3",
                                              "software_spec": SW, "space_id": S, "tags": [run_id]}))
        models.append(created.json()["metadata"]["id"])
    _ok(await client.post("/ml/v4/models", params={"version": WML_V},
                          json={"name": f"untagged_{run_id}", "type": "scikit-learn_1.3", "software_spec": SW,
                                "space_id": S}))
    _ok(await client.get("/ml/v4/models", params=_q(**{"tag.value": run_id})))
    _ok(await client.post("/ml/v4/models", params={"version": WML_V},
                          json={"name": f"other_{run_id}", "type": "scikit-learn_1.3", "software_spec": SW,
                                "space_id": OTHER}))
    url, params = "/ml/v4/models", _q(limit=2)
    for _ in range(10):  # a client that would loop forever on a cyclic next link stops somewhere
        if not url:
            break
        page = _ok(await client.get(url, params=params)).json()
        nxt = page.get("next", {}).get("href") if isinstance(page, dict) else None
        url, params = (nxt, None) if nxt else (None, None)
    for i in range(3):
        _ok(await client.post("/ml/v4/trainings", params={"version": WML_V},
                              json={"name": f"t{i}_{run_id}", "space_id": S,
                                    "results_reference": {"type": "container", "location": {"path": "results"}}}))
    url, params = "/ml/v4/trainings", _q(limit=2, total_count="true")
    for _ in range(10):
        if not url:
            break
        page = _ok(await client.get(url, params=params)).json()
        nxt = page.get("next", {}).get("href") if isinstance(page, dict) else None
        url, params = (nxt, None) if nxt else (None, None)
    _ok(await client.get("/ml/v4/models", params=_q(limit=0)), 400)
    _ok(await client.get("/ml/v4/models", params=_q(limit="many")), 400)
    _ok(await client.get("/ml/v4/models", params={"space_id": S}), 400)
    _ok(await anonymous(client, "GET", "/ml/v4/models", params=_q()), 401)
    first = models[0]
    _ok(await client.get(f"/ml/v4/models/{first}", params=_q()))
    _ok(await client.get(f"/ml/v4/models/{first}", params=_q(OTHER)), 404)
    _ok(await client.post(f"/ml/v4/models/{first}/revisions", params={"version": WML_V},
                          json={"space_id": S, "commit_message": "first"}))
    _ok(await client.get(f"/ml/v4/models/{first}", params=_q(rev="1")))
    _ok(await client.patch(f"/ml/v4/models/{first}", params=_q(),
                           json=[{"op": "replace", "path": "/name", "value": f"renamed_{run_id}"}]))
    _ok(await client.patch(f"/ml/v4/models/{first}", params=_q(),
                           json=[{"op": "replace", "path": "/type", "value": "tensorflow_2.14"}]), 400)
    _ok(await client.patch(f"/ml/v4/models/{first}", params=_q(),
                           json=[{"op": "add", "path": "/description", "value": "half"},
                                 {"op": "replace", "path": "/type", "value": "tensorflow_2.14"}]), 400)
    _ok(await client.get(f"/ml/v4/models/{first}", params=_q(rev="1")))
    _ok(await client.get(f"/ml/v4/models/{first}", params=_q()))
    # deployments
    body = {"name": f"d_{run_id}", "online": {"parameters": {"serving_name": f"s_{run_id}"}},
            "asset": {"id": models[1]}, "space_id": S}
    deployment = _ok(await client.post("/ml/v4/deployments", params={"version": WML_V}, json=body)).json()
    dep = deployment["metadata"]["id"]
    _ok(await client.post("/ml/v4/deployments", params={"version": WML_V}, json=dict(body, name="again")), 409)
    _ok(await client.get("/ml/v4/deployments", params={"version": WML_V, "conflict": "true",
                                                       "serving_name": f"s_{run_id}"}), 409)
    for _ in range(4):
        _ok(await client.get(f"/ml/v4/deployments/{dep}", params=_q()))
    _ok(await client.post("/ml/v4/deployments", params={"version": WML_V},
                          json={"name": f"d2_{run_id}", "online": {}, "asset": {"id": models[2]}, "space_id": S}))
    _ok(await client.get("/ml/v4/deployments", params=_q(asset_id=models[1])))
    _ok(await client.post(f"/ml/v4/deployments/{dep}/predictions", params={"version": WML_V},
                          json={"input_data": [{"values": ROWS}]}))
    batch = _ok(await client.post("/ml/v4/deployments", params={"version": WML_V},
                                  json={"name": f"b_{run_id}", "batch": {}, "asset": {"id": models[1]},
                                        "space_id": S})).json()["metadata"]["id"]
    jobs = []
    for i in range(2):
        job = _ok(await client.post("/ml/v4/deployment_jobs", params={"version": WML_V},
                                    json={"name": f"job{i}", "deployment": {"id": batch}, "space_id": S,
                                          "scoring": {"input_data": [{"fields": ["id", "name", "x"],
                                                                      "values": ROWS}]}})).json()
        jobs.append(job["metadata"]["id"])
    _ok(await client.delete(f"/ml/v4/deployment_jobs/{jobs[0]}", params=_q()))
    _ok(await client.get(f"/ml/v4/deployment_jobs/{jobs[0]}", params=_q()))
    _ok(await client.delete(f"/ml/v4/deployment_jobs/{jobs[1]}", params=_q(hard_delete="true")))
    _ok(await client.get(f"/ml/v4/deployment_jobs/{jobs[1]}", params=_q()), 404)
    _ok(await client.delete(f"/ml/v4/models/{models[4]}", params=_q()))
    _ok(await client.get(f"/ml/v4/models/{models[4]}", params=_q()), 404)
