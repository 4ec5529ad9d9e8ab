"""``mlmock proxy``: an ASGI forwarding proxy that judges (and records) the traffic it relays.

The request goes upstream as it came: method, the raw path (its exact percent-encoding, from the
ASGI scope's ``raw_path``), query string, headers (hop-by-hop ones excepted; ``Host`` too is
the client's, so the links the server builds lead back through the proxy) and body bytes, streamed.
The answer comes back the same way (raw bytes, so a compressed body stays compressed).
A copy of each body, up to :data:`~.exchange.BODY_LIMIT`, is kept until the exchange is judged on
a single worker thread (in arrival order, off the client's path) and, with ``--record``, written
to the HAR file. ``GET /_mlmock/api/violations`` answers the report so far.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from mlmock.har import Entry, Recorder

from .exchange import BODY_LIMIT
from .judge import Judge

# RFC 9110 7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-connection"})
VIOLATIONS_PATH = "/_mlmock/api/violations"
# Exchanges answered but not judged yet. Judging costs tens of milliseconds (openapi-core); traffic
# faster than that for long would queue bodies without bound, so beyond this many the exchange is
# forwarded (and recorded) but counted as unjudged.
BACKLOG = 500


class _Tee:
    """Keeps the first BODY_LIMIT bytes of a streamed body (bigger bodies are not judged)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size <= BODY_LIMIT:
            self.parts.append(chunk)

    @property
    def body(self) -> bytes:
        return b"".join(self.parts) if self.size <= BODY_LIMIT else b""


class Proxy:
    def __init__(self, upstream: str, judge: Judge, *, recorder: Recorder | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, verify: bool | str | Any = True,
                 token: str | None = None, timeout: float = 300.0):
        self.upstream = httpx.URL(upstream.rstrip("/"))
        self.judge = judge
        self.recorder = recorder
        self.token = token
        if isinstance(verify, str):  # a CA bundle
            import ssl

            verify = ssl.create_default_context(cafile=verify)
        self._client_options: dict[str, Any] = {"verify": verify, "timeout": timeout, "follow_redirects": False}
        if transport is not None:
            self._client_options["transport"] = transport
        self._client: httpx.AsyncClient | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlmock-judge")
        self._pending: set[asyncio.Future] = set()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(**self._client_options)
        return self._client

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == VIOLATIONS_PATH and scope["method"] == "GET":
            await self._violations(send)
            return
        await self._forward(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        await self.drain()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def drain(self) -> None:
        """Wait until every exchange seen so far is judged."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def wait_judged(self, timeout: float = 30.0) -> None:
        """From another thread: block until every exchange answered so far is judged (the judge
        runs exchanges in order on one worker, so a no-op behind them finishes last)."""
        time.sleep(0.05)  # an answer just sent is handed to the worker right after
        self._worker.submit(lambda: None).result(timeout)

    async def _violations(self, send) -> None:
        await self.drain()
        body = json.dumps(self.judge.report.as_dict()).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def _url(self, scope) -> httpx.URL:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        base = self.upstream.raw_path.rstrip(b"/") if self.upstream.raw_path != b"/" else b""
        target = base + raw_path
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        # A URL built from raw bytes keeps the client's percent-encoding exactly.
        return self.upstream.copy_with(raw_path=target)

    def _headers(self, scope) -> list[tuple[bytes, bytes]]:
        out = []
        for name, value in scope["headers"]:
            lower = name.lower()
            if lower in HOP_BY_HOP:
                continue
            if lower == b"authorization" and self.token is not None:
                value = f"Bearer {self.token}".encode()
            out.append((name, value))
        return out

    async def _forward(self, scope, receive, send) -> None:
        started = time.perf_counter()
        when = dt.datetime.now(dt.UTC).isoformat()
        request_tee, response_tee = _Tee(), _Tee()
        has_body = any(k.lower() in (b"content-length", b"transfer-encoding") for k, _ in scope["headers"])

        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                if chunk:
                    request_tee.add(chunk)
                    yield chunk
                if not message.get("more_body"):
                    return

        request = self.client.build_request(scope["method"], self._url(scope), headers=self._headers(scope),
                                            content=body() if has_body else None)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as error:
            message = json.dumps({"error": f"mlmock proxy: upstream {self.upstream} unreachable: {error}"}).encode()
            await send({"type": "http.response.start", "status": 502,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(message)).encode())]})
            await send({"type": "http.response.body", "body": message})
            return
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
        try:
            await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
            async for chunk in response.aiter_raw():
                response_tee.add(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()
        entry = Entry(
            method=scope["method"], url=_client_url(scope),
            request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            request_body=request_tee.body, status=response.status_code,
            response_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
            response_body=_decoded(response, response_tee.body), started=when,
            time_ms=round((time.perf_counter() - started) * 1000, 3))
        if len(self._pending) >= BACKLOG:
            self.judge.report.unjudged["(judge backlog full)"] += 1
            if self.recorder is not None:
                self._worker.submit(self.recorder.add, entry)
            return
        future = asyncio.get_running_loop().run_in_executor(self._worker, self._judge, entry)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _judge(self, entry: Entry) -> None:
        if self.recorder is not None:
            self.recorder.add(entry)
        try:
            self.judge.observe(entry)
        except Exception as error:  # noqa: BLE001  (a judging bug must not stop the proxy)
            print(f"mlmock proxy: could not judge {entry.method} {entry.url}: {type(error).__name__}: {error}",
                  file=sys.stderr, flush=True)


def _client_url(scope) -> str:
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"host"), "mlmock.proxy")
    raw = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{raw}" + (f"?{query}" if query else "")


def _decoded(response: httpx.Response, raw: bytes) -> bytes:
    """The body as the client reads it (judged and recorded decoded; forwarded raw)."""
    encoding = response.headers.get("content-encoding", "").lower()
    if not raw or encoding in ("", "identity"):
        return raw
    try:
        import zlib

        if encoding == "gzip":
            return zlib.decompress(raw, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(raw)
    except zlib.error:
        return b""
    return b""
