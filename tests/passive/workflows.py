"""Scripted client workflows (httpx) run through the proxy, and the in-process stack they run on.

The stack: a client -> :class:`Proxy` -> the upstream ASGI app (the mock, or a defect wrapping it),
all in process (httpx's ASGI transport), judged by a :class:`Judge`.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx

from mlmock.contracts.passive.judge import Judge
from mlmock.contracts.passive.proxy import Proxy
from mlmock.mockserver import Settings, create_app
from mlmock.mockserver.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID

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
    while True:
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


def run_sync(workflow, upstream, **kwargs) -> Judge:
    return run(workflow, upstream, **kwargs)


__all__ = ["DEFAULT_SPACE_ID", "OTHER_SPACE_ID", "mock", "openmetadata", "run"]
