"""Profile requests to the mock's ASGI app in-process (no socket, no uvicorn): where the time of a
list and of a create goes inside mlmock itself.

Usage: python benchmarks/profile_mock.py [--op list|create|get|patch] [-n 500] [--top 25] [--tree DIR]

``--tree DIR`` profiles another source tree of mlmock (e.g. ``git archive BASE | tar -x -C DIR``) with
this venv's editable install. ``--top 0`` prints timings only: wall and process CPU time per request,
the CPU time being far less sensitive to a busy machine than req/s.

The app is the one ``mlmock serve`` builds (server.build, validation on, in-memory SQLite), called
directly as an ASGI app from one event loop; cProfile over n sequential requests after a warm-up.
Prints the per-request wall time and the top frames by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time

if "--tree" in sys.argv:  # point the editable install's finder at another tree before importing mlmock
    _tree = sys.argv[sys.argv.index("--tree") + 1]
    for _name, _module in list(sys.modules.items()):
        if _name.startswith("__editable__") and hasattr(_module, "MAPPING"):
            _module.MAPPING.update({"mlmock": f"{_tree}/mlmock", "mlmock.spec": f"{_tree}/spec",
                                    "mlmock.mockserver": f"{_tree}/mockserver",
                                    "mlmock.contracts": f"{_tree}/contracts"})
            _module.NAMESPACES.update(
                {"mlmock.mockserver.devtools.dashboard": [f"{_tree}/mockserver/devtools/dashboard"]})

from mlmock import DEFAULT_TOKEN as TOKEN  # noqa: E402  (the one default token literal)
from mlmock.mockserver.server import Options, build  # noqa: E402


def scope_for(method: str, path: str, query: str = "", content_type: str | None = None, length: int = 0) -> dict:
    headers = [(b"host", b"127.0.0.1:8585"), (b"authorization", f"Bearer {TOKEN}".encode())]
    if content_type:
        headers += [(b"content-type", content_type.encode()), (b"content-length", str(length).encode())]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
            "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8585)}


async def call(app, method, path, query="", body=None, content_type="application/json"):
    data = json.dumps(body).encode() if body is not None else b""
    scope = scope_for(method, path, query, content_type if body is not None else None, len(data))
    sent = {"done": False}

    async def receive():
        if not sent["done"]:
            sent["done"] = True
            return {"type": "http.request", "body": data, "more_body": False}
        await asyncio.sleep(3600)

    out = {}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] = out.get("body", b"") + message.get("body", b"")

    await app(scope, receive, send)
    return out["status"], out.get("body", b"")


async def main_async(args) -> None:
    app = build(Options(log_level="warning"))
    status, _ = await call(app, "POST", "/api/v1/services/mlmodelServices",
                           body={"name": "svc", "serviceType": "Mlflow"})
    assert status == 201, status
    ids = []
    for i in range(100):
        status, body = await call(app, "POST", "/api/v1/mlmodels", body={"name": f"m{i:04d}", "service": "svc"})
        assert status == 201, (status, body)
        ids.append(json.loads(body)["id"])
    counter = iter(range(10**9))

    async def one():
        i = next(counter)
        if args.op == "list":
            status, _ = await call(app, "GET", "/api/v1/mlmodels", "limit=10")
            want = 200
        elif args.op == "get":
            status, _ = await call(app, "GET", f"/api/v1/mlmodels/{ids[i % 100]}")
            want = 200
        elif args.op == "patch":
            status, _ = await call(app, "PATCH", f"/api/v1/mlmodels/{ids[i % 100]}",
                                   body=[{"op": "add", "path": "/description", "value": f"d{i}"}],
                                   content_type="application/json-patch+json")
            want = 200
        else:
            status, _ = await call(app, "POST", "/api/v1/mlmodels", body={"name": f"c{i}", "service": "svc"})
            want = 201
        assert status == want, status

    for _ in range(50):
        await one()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        await one()
    plain = (time.perf_counter() - started) / args.n
    cpu = (time.process_time() - cpu) / args.n
    print(f"{args.op}: {plain * 1000:.2f} ms wall, {cpu * 1000:.2f} ms CPU per request in-process, unprofiled "
          f"({1 / cpu:.0f} req/s of CPU)", flush=True)
    if not args.top:
        return
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        await one()
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--op", default="list", choices=["list", "create", "get", "patch"])
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--tree", default=None, help="profile this source tree of mlmock instead")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
