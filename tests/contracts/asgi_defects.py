"""The base of the defect zoo: ASGI middleware around the correct mock that breaks one rule.

Each defect imitates a bug a real implementation could ship. Nothing in ``mockserver/`` knows
about them; they change requests on the way in or responses on the way out.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode


class Exchange:
    """A request as the wrapper sees it; hooks may change any field."""

    def __init__(self, scope: dict, body: bytes):
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.query: list[tuple[str, str]] = parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True)
        self.headers: dict[str, str] = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.body = body

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def set_param(self, name: str, value: str | None) -> None:
        self.query = [(k, v) for k, v in self.query if k != name]
        if value is not None:
            self.query.append((name, value))

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Defect:
    """Base wrapper; subclasses override :meth:`request` and/or :meth:`response`."""

    rule = ""
    token = "t"

    def __init__(self, app):
        self.app = app
        self.memory: dict[str, Any] = {}

    async def call(self, ex: Exchange) -> tuple[int, dict[str, str], bytes]:
        scope = {"type": "http", "http_version": "1.1", "method": ex.method, "path": ex.path,
                 "raw_path": ex.path.encode(), "query_string": urlencode(ex.query).encode(),
                 "headers": [(k.encode(), v.encode()) for k, v in ex.headers.items() if k != "content-length"]
                 + [(b"content-length", str(len(ex.body)).encode())],
                 "scheme": "http", "server": ("mlmock.test", 80), "client": ("127.0.0.1", 1), "root_path": ""}
        sent = False

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": ex.body, "more_body": False}
            return {"type": "http.disconnect"}

        status, headers, chunks = 500, {}, []

        async def send(message):
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, headers, b"".join(chunks)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        ex = Exchange(scope, b"".join(chunks))
        short = await self.request(ex)
        if short is None:
            status, headers, body = await self.call(ex)
            status, body = await self.response(ex, status, body)
        elif len(short) == 3:  # relayed from the mock: keep its headers (Allow, Content-Type, ...)
            status, headers, body = short
        else:  # a synthetic answer
            status, body = short
            headers = {"content-type": "application/json"} if body else {}
        headers = {k: v for k, v in headers.items() if k != "content-length"}
        raw = [(k.encode(), v.encode()) for k, v in headers.items()] + [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def request(self, ex: Exchange) -> tuple[int, bytes] | tuple[int, dict, bytes] | None:
        """Return None to pass the request on, or the answer: (status, body) made up by the defect,
        or (status, headers, body) relayed from the mock, so that the defect changes nothing else."""
        return None

    async def response(self, ex: Exchange, status: int, body: bytes) -> tuple[int, bytes]:
        try:
            data = json.loads(body)
        except ValueError:
            return status, body
        changed = self.rewrite(ex, status, data)
        return status, json.dumps(changed).encode()

    def rewrite(self, ex: Exchange, status: int, data: Any) -> Any:
        return data

    async def get_entity(self, ex: Exchange, path: str, **query: str) -> tuple[int, dict, bytes]:
        probe = Exchange({"method": "GET", "path": path, "headers": [], "query_string": b""}, b"")
        probe.headers = {"authorization": ex.headers.get("authorization", "")}
        probe.query = list(query.items())
        return await self.call(probe)

    async def apply_one_at_a_time(self, ex: Exchange) -> tuple[int, dict, bytes]:
        """Send a patch's operations one by one, keeping those before a failing one (not atomic)."""
        answer: tuple[int, dict, bytes] = (200, {}, b"")
        for op in ex.json():
            ex.body = json.dumps([op]).encode()
            answer = await self.call(ex)
            if answer[0] >= 400:
                break
        return answer
