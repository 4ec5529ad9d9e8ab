"""How a WML list filtered by any of several values (``tag.value=a or b``) scales with the number stored.

Usage: python benchmarks/bench_filters.py [--sizes 1000,10000] [--repeat 31]

Each size fills a fresh in-process mock (``create_app``, validation on) through ``POST /ml/v4/models``
(tags ``a`` on every 2nd model, ``b`` on every 3rd, ``c`` on every 5th), then times
``GET /ml/v4/models?tag.value=a or b&limit=10`` over the in-process ASGI client: median ms.

2026-12-03, 2 cores shared with a zoo run (load about 2): before the per-value range scans
(``value IN (...)``) 6.9 ms at 1,000 and 25.3 ms at 10,000; after, 5.0 ms and 5.8 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from mlmock import DEFAULT_TOKEN, asgi
from mlmock.mockserver import Settings, create_app
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
QUERY = {"version": "2024-05-01", "space_id": DEFAULT_SPACE_ID}


def measure(n: int, repeat: int) -> float:
    client = asgi.client(create_app(settings=Settings()), base_url="http://mlmock.bench")
    for i in range(n):
        tags = [t for t, every in (("a", 2), ("b", 3), ("c", 5)) if i % every == 0]
        body = {"name": f"m{i}", "type": "scikit-learn_1.3", "software_spec": {"name": "runtime-24.1-py3.11"},
                "space_id": DEFAULT_SPACE_ID, "tags": tags}
        created = client.post("/ml/v4/models", params=QUERY, headers=HEADERS, json=body)
        assert created.status_code == 201, created.text
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        page = client.get("/ml/v4/models", params={**QUERY, "tag.value": "a or b", "limit": 10}, headers=HEADERS)
        times.append(time.perf_counter() - started)
        assert page.status_code == 200 and len(page.json()["resources"]) == 10, page.text[:300]
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=31)
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"{n:>7} models: {measure(n, args.repeat):.2f} ms per filtered page")


if __name__ == "__main__":
    main()
