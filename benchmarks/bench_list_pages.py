# Results, 2026-11-23, on the shared 2-core build VM (AMD EPYC, 2 cores, Python 3.11.7; other
# sessions were busy, load average 2-3), `python benchmarks/bench_list_pages.py --repeat 51`:
#
#   2026-11-23, Python 3.11.7, AMD EPYC, 2 cores; median of 51 requests
#     models |  fill s | first page ms | deep page ms | filtered ms | peak RSS MB
#   ------------------------------------------------------------------------------
#        100 |     0.1 |         10.39 |        10.07 |       10.53 |          82
#      10000 |     3.8 |          7.17 |         6.63 |        6.82 |         130
#     100000 |    65.0 |          6.02 |         5.95 |        6.16 |         497
#
# An earlier run at a quieter moment gave 4.6-6.0 ms in every cell (fill 30.8 s at 100,000):
# the spread above is machine noise, not size. A page costs the same at 100 and at 100,000
# models, deep or filtered: a page is an index range scan and paging.total comes from the counts
# table. The engine's own share is under 1 ms; most of the rest is connexion's response
# validation (create_app(validate_responses=False) brings a request to about 2 ms).
# Peak RSS is the in-memory SQLite database (each document is stored twice: the resource and its
# version 0.1 in history) plus the interpreter with connexion and the mock loaded (about 80 MB).

"""How listing ML models scales with the number stored.

Usage: python benchmarks/bench_list_pages.py [--sizes 100,10000,100000] [--repeat 31]

Each size runs in a fresh subprocess, so its peak RSS is its own. The store is filled directly
(10 services and one model per service through the engine, the rest cloned from those models and
indexed as the engine indexes them); the measured requests go through the whole ASGI app (guard,
connexion, auth, validation, engine, store) over httpx's ASGI transport:

- first page:    GET /api/v1/mlmodels                       (default limit 10)
- deep page:     GET /api/v1/mlmodels?after=<middle>        (cursor reached by walking `after`)
- filtered page: GET /api/v1/mlmodels?service=svc-3         (1 service of 10)

Times are medians of --repeat requests, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

SERVICES = 10
PAGE = 10


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fill(app, n: int) -> None:
    """Store ``n`` models spread over ten services."""
    from mlmock.mockserver.core.engine import Request

    engine = app.engine
    api = app.apis["openmetadata"]
    kind = api.kinds["mlmodel"]
    create_service = api.operation("mlmodelService", "create")
    create_model = api.operation("mlmodel", "create")

    def handle(op, body):
        return engine.handle(Request(api=api, op=op, params={}, body=body)).body

    templates = []
    with engine.store.transaction():
        for s in range(SERVICES):
            handle(create_service, {"name": f"svc-{s}", "serviceType": "Mlflow"})
        for i in range(min(n, SERVICES)):
            templates.append(handle(create_model, {
                "name": f"model-{i:07d}", "service": f"svc-{i % SERVICES}", "algorithm": "KMeans",
                "description": "a benchmark model", "target": "churn",
                "mlFeatures": [{"name": "age", "dataType": "numerical"},
                               {"name": "plan", "dataType": "categorical"}],
                "mlHyperParameters": [{"name": "k", "value": "5"}]}))
        for template in templates:
            template.pop("href")
        for i in range(len(templates), n):
            doc = copy.deepcopy(templates[i % SERVICES])
            name = f"model-{i:07d}"
            fqn = f"{doc['service']['fullyQualifiedName']}.{name}"
            doc.update(id=engine.ids.new(), name=name, fullyQualifiedName=fqn)
            for feature in doc["mlFeatures"]:
                feature["fullyQualifiedName"] = f"{fqn}.{feature['name']}"
            keys = engine.unique_keys(kind, doc, parent=doc["service"]["id"])
            attrs = engine.attrs(api, kind, doc, {k: [v] for k, v in keys.items()})
            attrs["fqn"] = [fqn]
            engine.store.put(api.name, kind.name, doc["id"], doc, sort_key=name, attrs=attrs)
            engine.store.add_history(api.name, kind.name, doc["id"], "0.1", doc)


async def measure(app, n: int, repeat: int) -> dict[str, float]:
    import httpx

    headers = {"Authorization": f"Bearer {app.token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1",
                                 headers=headers) as client:

        async def get(params: dict) -> dict:
            r = await client.get("/mlmodels", params=params)
            assert r.status_code == 200, r.text
            return r.json()

        # Sanity: the cloned models are what the engine would have stored.
        first = await get({})
        assert first["paging"]["total"] == n and len(first["data"]) == min(PAGE, n)
        last = f"model-{n - 1:07d}"
        probe = await client.get(f"/mlmodels/name/svc-{(n - 1) % SERVICES}.{last}")
        assert probe.status_code == 200 and probe.json()["name"] == last

        # Walk `after` (untimed, in large pages) to the middle of the list.
        walked, after = 0, None
        while walked < n // 2:
            step = min(1000, n // 2 - walked)
            page = await get({"limit": step, **({"after": after} if after else {})})
            walked += len(page["data"])
            after = page["paging"]["after"]
        deep = await get({"after": after})
        assert deep["data"][0]["name"] == f"model-{n // 2:07d}"
        filtered = await get({"service": "svc-3"})
        assert filtered["paging"]["total"] == len(range(3, n, SERVICES))
        assert {m["service"]["name"] for m in filtered["data"]} == {"svc-3"}

        # Round-robin, so that a noisy moment on a shared machine hits every query alike.
        queries = {"first": {}, "deep": {"after": after}, "filtered": {"service": "svc-3"}}
        times: dict[str, list[float]] = {name: [] for name in queries}
        for _ in range(3):  # warm-up, untimed
            for params in queries.values():
                await get(params)
        for _ in range(repeat):
            for name, params in queries.items():
                start = time.perf_counter()
                await get(params)
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def run_one(n: int, repeat: int) -> dict:
    from mlmock.mockserver import Engine, Store, create_app

    app = create_app(apis=["openmetadata"], engine=Engine(Store()))
    start = time.perf_counter()
    fill(app, n)
    fill_s = time.perf_counter() - start
    gc.collect()
    gc.freeze()  # the filled store's objects are permanent: keep them out of timed collections
    result = asyncio.run(measure(app, n, repeat))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"n": n, "fill_s": fill_s, **result, "rss_mb": peak_kb / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.repeat)))
        return 0

    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--repeat", str(args.repeat)],
                             check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {_cpu()}, "
          f"{len(os.sched_getaffinity(0))} cores; median of {args.repeat} requests")
    print(f"{'models':>8} | {'fill s':>7} | {'first page ms':>13} | {'deep page ms':>12} | "
          f"{'filtered ms':>11} | {'peak RSS MB':>11}")
    print("-" * 78)
    for row in rows:
        print(f"{row['n']:>8} | {row['fill_s']:>7.1f} | {row['first']:>13.2f} | "
              f"{row['deep']:>12.2f} | {row['filtered']:>11.2f} | {row['rss_mb']:>11.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
