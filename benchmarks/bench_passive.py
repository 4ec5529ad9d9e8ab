# Results, 2026-12-02, shared 2-core VM under heavy load from other sessions (load average 8-9),
# `python benchmarks/bench_passive.py --exchanges 2000,20000 --limit 1000` (the 20000 run did not
# finish within the 15-minute timeout at that load):
#
#   exchanges | per s | ms each | peak heap MB | resources kept
#        2000 |    11 |   86.98 |          2.3 |            500
#         400 |     5 |  192.55 |          0.5 |            100   (--limit 500, even busier moment)
#
# cProfile of 200 exchanges: 96% of the time is openapi-core (request validation about 62%,
# response validation about 32%: finding the path and casting parameters dominate); the stateful
# rules cost about 2 ms per exchange. In the proxy, judging runs on a worker thread after the
# answer is sent, so it adds no latency to the client; the backlog is bounded (proxy.BACKLOG).
# The peak heap grows with the resources kept, not with the number of exchanges.

"""How fast the passive judge is, and what it keeps, as traffic grows.

Usage: python benchmarks/bench_passive.py [--exchanges 2000,20000] [--limit 10000]

Synthetic OpenMetadata traffic (no server): per round, a create, a get, a JSON Patch and a list
page, each exchange a real mock answer shape. Measures exchanges judged per second (openapi-core
request and response validation plus the stateful rules) and peak Python heap (tracemalloc) after
the run, to show that memory follows the number of resources kept (--limit), not the traffic.
Each size runs in a fresh subprocess.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc


def _entries(rounds: int, start: int = 0):
    from mlmock.har import Entry

    svc = {"id": "00000000-0000-4000-8000-000000000000", "type": "mlmodelService", "name": "s",
           "fullyQualifiedName": "s"}
    headers = [("Authorization", "Bearer x"), ("Content-Type", "application/json")]
    ct = [("Content-Type", "application/json")]
    for i in range(start, start + rounds):
        id_ = f"00000000-0000-4000-8000-{i:012d}"
        doc = {"id": id_, "name": f"m{i}", "fullyQualifiedName": f"s.m{i}", "algorithm": "a", "service": svc,
               "version": 0.1, "updatedAt": 1, "updatedBy": "admin", "deleted": False,
               "href": f"http://h/api/v1/mlmodels/{id_}"}
        yield Entry("POST", "http://h/api/v1/mlmodels", headers,
                    json.dumps({"name": f"m{i}", "service": "s", "algorithm": "a"}).encode(), 201, ct,
                    json.dumps(doc).encode())
        yield Entry("GET", f"http://h/api/v1/mlmodels/{id_}", headers, b"", 200, ct, json.dumps(doc).encode())
        patched = dict(doc, description="d", version=0.2)
        yield Entry("PATCH", f"http://h/api/v1/mlmodels/{id_}",
                    [("Authorization", "Bearer x"), ("Content-Type", "application/json-patch+json")],
                    b'[{"op": "add", "path": "/description", "value": "d"}]', 200, ct, json.dumps(patched).encode())
        page = {"data": [patched], "paging": {"total": i + 1, "after": f"c{i}"}}
        yield Entry("GET", "http://h/api/v1/mlmodels?limit=1", headers, b"", 200, ct, json.dumps(page).encode())


def one(exchanges: int, limit: int) -> dict:
    from mlmock.contracts.passive.judge import Judge

    judge = Judge("openmetadata", limit=limit)
    judge.observe_all(_entries(1))  # load the spec, warm openapi-core
    tracemalloc.start()
    started = time.perf_counter()
    judge.observe_all(_entries(exchanges // 4, start=1))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    return {"exchanges": exchanges, "per_s": exchanges / seconds, "ms_each": seconds * 1000 / exchanges,
            "peak_mb": peak / 1e6, "resources": len(judge.state.resources),
            "violations": sum(judge.report.counts.values())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exchanges", default="2000,20000")
    parser.add_argument("--limit", type=int, default=10_000)
    parser.add_argument("--one", type=int, default=None)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.limit)))
        return
    print(f"{'exchanges':>9} | {'per s':>7} | {'ms each':>7} | {'peak heap MB':>12} | resources kept | violations")
    for size in (int(s) for s in args.exchanges.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--limit", str(args.limit)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{r['exchanges']:>9} | {r['per_s']:>7.0f} | {r['ms_each']:>7.2f} | {r['peak_mb']:>12.1f} | "
              f"{r['resources']:>14} | {r['violations']}")


if __name__ == "__main__":
    main()
