"""The one way the project calls an ASGI app in process (no socket), sync or async.

- :func:`client`: an ``httpx.Client`` whose requests go straight to the app (starlette's
  ``TestClient``, configured once: the app's own errors come back as answers, never raised).
  Used by the in-process mocks (``mlmock.inprocess``) and in-process contract targets
  (``contracts/target.py``).
- :func:`call`: one request from code already inside an event loop (seeding, HAR replay,
  benchmarks), returning ``(status, body)``.

It imports neither the mock nor the contract suite, so both may use it (``tests/test_layering.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

DEFAULT_BASE_URL = "http://testserver"


def client(app: Any, *, base_url: str = DEFAULT_BASE_URL, follow_redirects: bool = False) -> Any:
    """A synchronous ``httpx.Client`` bound to ``app`` in process (close it when done)."""
    from starlette.testclient import TestClient

    return TestClient(app, base_url=base_url, raise_server_exceptions=False, follow_redirects=follow_redirects)


async def call(app: Any, method: str, path: str, query: Mapping[str, str], body: bytes,
               headers: Mapping[str, str], origin: str) -> tuple[int, bytes]:
    """One request to an ASGI app, in process; returns (status, body)."""
    parts = urlsplit(origin)
    host = parts.netloc or "localhost"
    raw = [(b"host", host.encode("latin-1")), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": parts.scheme or "http", "path": path, "raw_path": path.encode(),
             "query_string": urlencode(query).encode(), "root_path": "", "headers": raw,
             "server": (parts.hostname or "localhost", parts.port or 80), "client": ("127.0.0.1", 0)}
    sent, done = False, asyncio.Event()
    status, chunks = 500, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    done.set()
    return status, b"".join(chunks)
