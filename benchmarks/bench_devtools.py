# Results, 2026-11-23, on the shared 2-core build VM (AMD EPYC, Python 3.11.7; other sessions
# were busy, load average 2.6-2.8), `python benchmarks/bench_devtools.py --requests 300 --rounds 5`:
#
#   request  | stack   | us/request | overhead us        (whole app; in-process ASGI calls)
#   page     | guard   |     3981.1 |         0.0
#   page     | full    |     4170.3 |       189.2
#   version  | guard   |      555.7 |         0.0
#   version  | full    |      671.7 |       116.0
#
#   the same layers around a stub app answering the recorded response:
#   page     | stub    |        8.1 |         0.0
#   page     | faults  |       13.8 |         5.7
#   page     | journal |       25.6 |        17.5      (FaultLayer included)
#   page     | full    |       26.4 |        18.3
#   version  | stub    |        6.2 |         0.0
#   version  | faults  |       12.7 |         6.5
#   version  | journal |       28.1 |        22.0
#   version  | full    |       29.9 |        23.7
#
# The development-tool layers cost about 20 us per request (the journal about 12-16 of them: it
# copies at most two bounded bodies and decodes nothing until read; the fault layer with no rule
# about 6, parsing the Prefer header and the query), under 5% of a 0.5 ms request and well under
# the machine noise of the whole-app table, whose other rows (faults, journal) wander by +-250 us
# from run to run. An earlier version that parsed JSON bodies and formatted times at record time
# cost 55-210 us per request.

"""What the development-tool layers cost per request: the journal, the fault layer, the dispatch.

Usage: python benchmarks/bench_devtools.py [--requests 2000] [--rounds 7] [--body-limit 16384]

One app (both APIs, 100 ML models). The same requests are driven through four entry points of
that app, in process (a bare ASGI call, no HTTP client, so that the layers are not lost in
the client's own cost), in alternating rounds so that machine noise hits each alike:

- guard:    the guarded app alone (no development tool);
- faults:   FaultLayer -> guard, with no rule (the ``Prefer`` header parsed, nothing else);
- journal:  JournalLayer -> FaultLayer -> guard (every exchange recorded, bodies kept);
- full:     ControlPlane -> JournalLayer -> FaultLayer -> guard (what ``create_app`` returns).

Requests: GET /api/v1/mlmodels?limit=10 (a 10-model page, about 6 KB of JSON) and
GET /api/v1/system/version (a tiny answer, where fixed costs show most). Reported: the median of
the per-round mean, in microseconds per request, and the overhead of each stack over ``guard``.

A request through the whole app costs milliseconds (connexion validates every response), so the
layers' share drowns in noise on a busy machine. The second table isolates it: the same layers
around a stub app that answers the recorded bytes of each response at once.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time

from mlmock.asgi import call
from mlmock.mockserver import Engine, Store, create_app
from mlmock.mockserver.devtools.control_http import ControlPlane
from mlmock.mockserver.devtools.faults import FaultLayer
from mlmock.mockserver.devtools.journal import JournalLayer

REQUESTS = {"page": ("/api/v1/mlmodels", {"limit": "10"}), "version": ("/api/v1/system/version", {})}


async def _drive(asgi, path: str, query: dict, n: int, headers: dict) -> float:
    started = time.perf_counter()
    for _ in range(n):
        status, _ = await call(asgi, "GET", path, query, b"", headers, "http://bench")
        assert status == 200, status
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--body-limit", type=int, default=16 * 1024)
    args = parser.parse_args()

    app = create_app(engine=Engine(Store()))
    app.journal.configure(body_limit=args.body_limit)
    services = [{"name": "svc", "serviceType": "Mlflow"}]
    app.control.seed({"openmetadata": {"mlmodelService": services,
                                       "mlmodel": [{"name": f"model-{i:03d}", "service": "svc",
                                                    "description": "x" * 200} for i in range(100)]}})
    full = app.asgi                    # ControlPlane
    journaled = full.app               # JournalLayer
    faulted = journaled.app            # FaultLayer
    guarded = faulted.app              # Guard
    assert isinstance(journaled, JournalLayer)
    stacks = {"guard": guarded, "faults": faulted, "journal": journaled, "full": full}
    headers = {"authorization": f"Bearer {app.token}"}

    async def run() -> dict[tuple[str, str], list[float]]:
        found: dict[tuple[str, str], list[float]] = {}
        for path, query in REQUESTS.values():  # warm up every path once
            for asgi in stacks.values():
                await _drive(asgi, path, query, 50, headers)
        for _ in range(args.rounds):
            for name, (path, query) in REQUESTS.items():
                for stack, asgi in stacks.items():
                    found.setdefault((name, stack), []).append(
                        await _drive(asgi, path, query, args.requests, headers))
                    app.journal.clear()
        return found

    found = asyncio.run(run())
    stubs = asyncio.run(_stubbed(app, stacks, headers, args))
    print(f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {platform.machine()}, "
          f"{args.requests} requests x {args.rounds} rounds, journal body limit {args.body_limit} B")
    print(f"{'request':<9}| {'stack':<8}| {'us/request':>10} | {'overhead us':>11}")
    print("-" * 47)
    for name in REQUESTS:
        base = statistics.median(found[(name, "guard")])
        for stack in stacks:
            value = statistics.median(found[(name, stack)])
            print(f"{name:<9}| {stack:<8}| {value:>10.1f} | {value - base:>11.1f}")
    print()
    print("the same layers around a stub app answering the recorded response:")
    print(f"{'request':<9}| {'stack':<8}| {'us/request':>10} | {'overhead us':>11}")
    print("-" * 47)
    for name in REQUESTS:
        base = statistics.median(stubs[(name, "stub")])
        for stack in ("stub", "faults", "journal", "full"):
            value = statistics.median(stubs[(name, stack)])
            print(f"{name:<9}| {stack:<8}| {value:>10.1f} | {value - base:>11.1f}")


class Stub:
    """Answers fixed bytes: what the layers cost with nothing behind them."""

    def __init__(self, body: bytes):
        self.body = body

    async def __call__(self, scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(self.body)).encode())]})
        await send({"type": "http.response.body", "body": self.body})


async def _stubbed(app, stacks, headers, args) -> dict[tuple[str, str], list[float]]:
    found: dict[tuple[str, str], list[float]] = {}
    faulted, journaled = stacks["faults"], stacks["journal"]
    for name, (path, query) in REQUESTS.items():
        _, body = await call(stacks["guard"], "GET", path, query, b"", headers, "http://bench")
        stub = Stub(body)
        layer = FaultLayer(stub, faults=faulted.faults, routes=faulted.routes)
        recorded = JournalLayer(layer, journal=journaled.journal, routes=journaled.routes)
        chain = {"stub": stub, "faults": layer, "journal": recorded, "full": ControlPlane(recorded, app.control)}
        for asgi in chain.values():
            await _drive(asgi, path, query, 200, headers)
        for _ in range(args.rounds):
            for stack, asgi in chain.items():
                found.setdefault((name, stack), []).append(
                    await _drive(asgi, path, query, args.requests * 5, headers))
                app.journal.clear()
    return found


if __name__ == "__main__":
    main()
