# Results, 2026-12-02, shared 2-core VM (load average ~1), 100,000 models, one run each (deterministic sizes):
#
#   python benchmarks/bench_memory.py --models 100000 --base-tree /tmp/p12_base   (d9e77fd)
#       peak RSS 478 MB, store 320.7 MB (3.2 KB per model), RSS after build 97.7 MB, fill 145 s
#   python benchmarks/bench_memory.py --models 100000
#       peak RSS 382.5 MB, store 238.0 MB (2.4 KB per model), RSS after build 91.0 MB, fill 100 s
#
# What is left per model (dbstat): resources 587 B, attrs and its four indexes ~1.39 KB (api, kind, attribute
# name and value repeated in each), history key rows and indexes ~225 B. The list-page times this prints
# in-process vary 2x between runs on the shared machine; bench_list_pages.py measures them properly.

"""Peak RSS of the mock holding N OpenMetadata ML models, in-process (no socket, no wrk).

What ``bench_vs_prism.py --scale N`` does over HTTP, minus the HTTP server, so that it runs in
minutes rather than a quarter of an hour: the app ``mlmock serve`` builds, a service, N models
stored through ``PUT /api/v1/mlmodels/bulk`` in chunks of 1000, read back in pages of 1000 (as
``bench_vs_prism`` reads them); then VmHWM (peak RSS) and VmRSS, the store's size (SQLite pages)
and the time of a ``GET /api/v1/mlmodels?limit=10`` page at N against at 100 stored.

    python benchmarks/bench_memory.py --models 100000
    python benchmarks/bench_memory.py --models 100000 --base-tree /tmp/base   # another tree, same venv

CI does not run it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUTH = (b"authorization", b"Bearer mlmock-dev-token")
JSON = (b"content-type", b"application/json")


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1


async def call(app, method: str, path: str, query: bytes = b"", body: bytes = b"") -> tuple[int, bytes]:
    scope = {"type": "http", "http_version": "1.1", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": query, "headers": [AUTH, JSON, (b"host", b"bench")], "scheme": "http",
             "server": ("bench", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def list_ms(app, runs: int = 50) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status, _ = await call(app, "GET", "/api/v1/mlmodels", b"limit=10")
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return statistics.median(times)


async def measure(models: int) -> dict:
    from mlmock.mockserver import server

    app = server.build(server.Options(log_level="warning"))
    status, _ = await call(app, "POST", "/api/v1/services/mlmodelServices",
                           body=json.dumps({"name": "svc", "serviceType": "Mlflow"}).encode())
    assert status == 201, status
    out = {"rss_built_mb": status_kb("VmRSS") / 1024}

    async def bulk(names):
        for start in range(0, len(names), 1000):
            chunk = [{"name": name, "service": "svc"} for name in names[start:start + 1000]]
            status, body = await call(app, "PUT", "/api/v1/mlmodels/bulk", body=json.dumps(chunk).encode())
            assert status == 200, (status, body[:300])

    await bulk([f"m{i:04d}" for i in range(100)])
    out["list_ms_100"] = await list_ms(app)
    started = time.perf_counter()
    await bulk([f"s{i:07d}" for i in range(models - 100)])
    out["fill_s"] = time.perf_counter() - started
    after, read = None, 0
    while True:  # read back, as bench_vs_prism does
        status, body = await call(app, "GET", "/api/v1/mlmodels", b"limit=1000" + (f"&after={after}".encode()
                                                                                  if after else b""))
        assert status == 200, status
        page = json.loads(body)
        read += len(page["data"])
        after = page["paging"].get("after")
        if not after:
            break
    assert read == models, read
    out["list_ms_n"] = await list_ms(app)
    db = app.engine.store._db
    out["store_mb"] = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0] / 1e6
    out["rss_mb"] = status_kb("VmRSS") / 1024
    out["peak_rss_mb"] = status_kb("VmHWM") / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--base-tree", default=None, help="measure this source tree of mlmock instead")
    args = parser.parse_args()
    if args.base_tree:
        from bench_vs_prism import BASE_LAUNCHER  # maps the editable install onto the other tree

        launcher = Path(tempfile.mkdtemp(prefix="bench_memory.")) / "launcher.py"
        run_script = "import runpy\nsys.argv.pop(0)\nrunpy.run_path(sys.argv[0], run_name='__main__')"
        launcher.write_text(BASE_LAUNCHER.replace("from mlmock.cli import main\nsys.exit(main())", run_script))
        sys.exit(subprocess.call([sys.executable, str(launcher), str(Path(args.base_tree).resolve()),
                                  __file__, "--models", str(args.models)]))
    result = asyncio.run(measure(args.models))
    result["models"] = args.models
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
