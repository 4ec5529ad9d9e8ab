"""The request journal: every request and its response, in a bounded ring buffer.

Each entry holds the method, path, query, request headers (credentials masked) and body, the
status, response headers and body, when it came and how long it took, and the fault applied if
any. Memory is bounded twice: the ring keeps the last ``size`` entries, and each body keeps its
first ``body_limit`` bytes (``truncated`` says when more was sent). Bodies are parsed JSON when
they are whole JSON, text otherwise (binary as base64).

``JournalLayer`` is the outermost ASGI middleware of the data plane: it sees what the client sent
and what it got, faults included. Subscribers (the console request log) get every entry, also
when the ring is disabled (``size=0``).
"""

from __future__ import annotations

import base64
import collections
import contextlib
import fnmatch
import itertools
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import BadRequest
from .faults import NOTES, RAW_SEND
from .routes import Routes

DEFAULT_SIZE = 1000
DEFAULT_BODY_LIMIT = 16 * 1024
MASKED = ("authorization", "proxy-authorization", "cookie", "x-api-key", "apikey")

Entry = dict[str, Any]


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.endswith("/json") or media.endswith("+json")


def _mask(name: str, value: str) -> str:
    if name not in MASKED:
        return value
    scheme, sep, _ = value.partition(" ")
    return f"{scheme} ***" if sep else "***"


def body_view(data: bytes, size: int, content_type: str) -> dict[str, Any]:
    """How a captured body is kept: JSON value, text or base64, with its real size."""
    truncated = size > len(data)
    view: dict[str, Any] = {"size": size, "truncated": truncated}
    if not data:
        view["body"] = None
        return view
    if not truncated and _is_json(content_type):
        with contextlib.suppress(ValueError):
            view["body"] = json.loads(data)
            return view
    try:
        view["body"] = data.decode("utf-8")
    except UnicodeDecodeError:
        view["body"] = base64.b64encode(data).decode("ascii")
        view["encoding"] = "base64"
    return view


def _status_filter(status: Any) -> Callable[[int], bool]:
    text = str(status).strip().lower()
    if len(text) == 3 and text[0] in "12345" and text[1:] == "xx":
        return lambda s: s is not None and s // 100 == int(text[0])
    if text.isdigit():
        return lambda s: s == int(text)
    raise BadRequest(f"journal: status must be a code (404) or a class (4xx), not {status!r}")


class Journal:
    """A thread-safe ring of entries, with filters."""

    def __init__(self, size: int = DEFAULT_SIZE, body_limit: int = DEFAULT_BODY_LIMIT):
        if size < 0 or body_limit < 0:
            raise ValueError("journal size and body limit must not be negative")
        self.size = size
        self.body_limit = body_limit
        self._entries: collections.deque[Entry] = collections.deque(maxlen=size or 1)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.subscribers: list[Callable[[Entry], None]] = []

    def record(self, entry: Entry) -> None:
        with self._lock:
            entry["seq"] = next(self._seq)
            if self.size:
                self._entries.append(entry)
        for subscriber in list(self.subscribers):
            subscriber(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries) if self.size else 0

    def entries(self, *, method: str | None = None, path: str | None = None, status: Any = None,
                api: str | None = None, since: int | None = None, limit: int | None = None) -> list[Entry]:
        """Entries oldest first; ``path`` is a glob, ``status`` a code or a class (``5xx``),
        ``since`` a sequence number (entries after it), ``limit`` keeps the newest ones."""
        if limit is not None and limit < 0:
            raise BadRequest("journal: limit must not be negative")
        accept = _status_filter(status) if status is not None else None
        with self._lock:
            found = list(self._entries) if self.size else []
        found = [e for e in found
                 if (method is None or e["method"] == method.upper())
                 and (path is None or fnmatch.fnmatchcase(e["path"], path))
                 and (accept is None or accept(e["status"]))
                 and (api is None or e["api"] == api)
                 and (since is None or e["seq"] > since)]
        if limit is not None:
            found = found[len(found) - limit:] if limit else []
        return [json.loads(json.dumps(e)) for e in found]  # copies: callers may mutate them


class JournalLayer:
    """ASGI middleware recording every HTTP exchange into a :class:`Journal`."""

    def __init__(self, app: ASGIApp, *, journal: Journal, routes: Routes):
        self.app = app
        self.journal = journal
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.journal.body_limit
        started = time.perf_counter()
        wall = time.time()
        request_chunks: list[bytes] = []
        request_size = 0
        response_chunks: list[bytes] = []
        response_size = 0
        response: dict[str, Any] = {"status": None, "headers": []}
        notes: dict[str, Any] = {}

        async def receive_and_keep() -> Message:
            nonlocal request_size
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                kept = sum(len(c) for c in request_chunks)
                if kept < limit:
                    request_chunks.append(chunk[:limit - kept])
                request_size += len(chunk)
            return message

        async def send_and_keep(message: Message) -> None:
            nonlocal response_size
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                kept = sum(len(c) for c in response_chunks)
                if kept < limit:
                    response_chunks.append(chunk[:limit - kept])
                response_size += len(chunk)
            await send(message)

        inner = dict(scope)
        inner[NOTES] = notes
        inner[RAW_SEND] = scope.get(RAW_SEND, send)
        try:
            await self.app(inner, receive_and_keep, send_and_keep)
        finally:
            self.journal.record(self._entry(scope, wall, time.perf_counter() - started, notes,
                                            b"".join(request_chunks), request_size,
                                            response, b"".join(response_chunks), response_size))

    def _entry(self, scope: Scope, wall: float, elapsed: float, notes: dict, request_body: bytes,
               request_size: int, response: dict, response_body: bytes, response_size: int) -> Entry:
        headers = {}
        for key, value in scope.get("headers", ()):
            name = key.decode("latin-1").lower()
            headers[name] = _mask(name, value.decode("latin-1"))
        out_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        decl = self.routes.api_for(scope["path"])
        client = scope.get("client")
        return {
            "time": datetime.fromtimestamp(wall, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "time_ms": int(wall * 1000),
            "duration_ms": round(elapsed * 1000, 3),
            "api": decl.name if decl is not None else None,
            "method": scope["method"],
            "path": scope["path"],
            "query": query,
            "params": parse_qs(query, keep_blank_values=True),
            "client": f"{client[0]}:{client[1]}" if client else None,
            "status": response["status"],
            "request": {"headers": headers,
                        **body_view(request_body, request_size, headers.get("content-type", ""))},
            "response": {"status": response["status"], "headers": out_headers,
                         **body_view(response_body, response_size, out_headers.get("content-type", ""))},
            "fault": notes.get("fault"),
            "delay_ms": notes.get("delay_ms", 0),
            "dropped": bool(notes.get("dropped", False)),
        }
