# Results, 2026-12-02, shared 2-core VM under heavy load (load average 11: three other sessions
# and a contract-suite run), `python benchmarks/bench_uploads_and_spaces.py --repeat 11 --mb 10`:
#
#   upload 10 MB as application/octet-stream         207.67 ms
#   upload 10 MB as application/json                  97.92 ms
#   GET model (space checked)                         42.73 ms
#   GET /v2/spaces?limit=200 (102 spaces)            232.65 ms
#
# The two upload types take the same path (the JSON-typed one is not parsed); the difference is
# load noise. The figures are an upper bound on this machine, not a quiet-machine measurement.

"""What issue 10 added to the WML hot paths: uploads taken as bytes whatever their Content-Type,
and the space check on every /ml/v4 call (a space must exist in /v2/spaces).

Usage: python benchmarks/bench_uploads_and_spaces.py [--repeat 21] [--mb 10]

In process over httpx's ASGI transport (guard, connexion, auth, validation, engine, store):
- upload:  PUT /ml/v4/models/{id}/content?content_format=native with an N MB body, sent as
           application/octet-stream and as application/json (what the IBM client sends);
- get:     GET /ml/v4/models/{id}?space_id=S (one space lookup more than before);
- spaces:  GET /v2/spaces?limit=200 with 100 spaces.
Medians of --repeat requests, milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time

import httpx

from mlmock.mockserver import Engine, Settings, Store, create_app
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID as S

V = "2024-05-13"


async def main(repeat: int, mb: int) -> None:
    app = create_app(apis=["wml"], engine=Engine(Store(), settings=Settings(progression="immediate")))
    headers = {"Authorization": f"Bearer {app.token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://wml.test",
                                 headers=headers, timeout=120) as client:
        model = (await client.post("/ml/v4/models", params={"version": V}, json={
            "name": "m", "type": "scikit-learn_1.3", "software_spec": {"name": "runtime-24.1-py3.11"},
            "space_id": S})).json()["metadata"]["id"]
        body = os.urandom(mb * 1024 * 1024)

        async def timed(call) -> float:
            start = time.perf_counter()
            response = await call()
            assert response.status_code < 300, response.text[:200]
            return (time.perf_counter() - start) * 1000

        results = {}
        for media in ("application/octet-stream", "application/json"):
            results[f"upload {mb} MB as {media}"] = [await timed(lambda media=media: client.put(
                f"/ml/v4/models/{model}/content", params={"version": V, "space_id": S, "content_format": "native"},
                content=body, headers={"Content-Type": media})) for _ in range(repeat)]
        results["GET model (space checked)"] = [await timed(lambda: client.get(
            f"/ml/v4/models/{model}", params={"version": V, "space_id": S})) for _ in range(repeat)]
        for i in range(100):
            await client.post("/v2/spaces", json={"name": f"space-{i}"})
        results["GET /v2/spaces?limit=200 (102 spaces)"] = [await timed(lambda: client.get(
            "/v2/spaces", params={"limit": 200})) for _ in range(repeat)]
    print(f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {os.cpu_count()} cores; "
          f"median of {repeat}")
    for name, values in results.items():
        print(f"  {name:45s} {statistics.median(values):9.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--mb", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.repeat, args.mb))
