"""The request journal: every request and its response, in a bounded ring buffer.

Each entry holds the method, path, query, request headers (credentials masked) and body, the
status, response headers and body, when it came and how long it took, and the fault applied if
any. Memory is bounded twice: the ring keeps the last ``size`` entries, and each body keeps its
first ``body_limit`` bytes (``truncated`` says when more was sent). Bodies are parsed JSON when
they are whole JSON, text otherwise (binary as base64).

``JournalLayer`` is the outermost ASGI middleware of the data plane: it sees what the client sent
and what it got, faults included. It keeps raw bytes only; an entry becomes JSON (headers
decoded, bodies parsed, time formatted) when it is read, so a request pays for copying at most
two bounded bodies. Subscribers (the console request log) get every entry, also when the ring
is disabled (``size=0``).
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.errors import BadRequest
from ..http.routes import Routes
from .faults import NOTES, RAW_SEND

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


@dataclass(slots=True)
class Exchange:
    """One request and its response as captured: raw bytes, decoded only when read."""

    method: str
    path: str
    query: bytes = b""
    api: str | None = None
    status: int | None = None
    wall: float = 0.0
    elapsed: float = 0.0
    client: tuple | None = None
    request_headers: list = field(default_factory=list)
    request_body: bytes = b""
    request_size: int = 0
    response_headers: list = field(default_factory=list)
    response_body: bytes = b""
    response_size: int = 0
    notes: dict = field(default_factory=dict)
    seq: int = 0

    def view(self) -> Entry:
        headers = {}
        for key, value in self.request_headers:
            name = key.decode("latin-1").lower()
            headers[name] = _mask(name, value.decode("latin-1"))
        out_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in self.response_headers}
        query = self.query.decode("latin-1")
        stamp = datetime.fromtimestamp(self.wall, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {
            "seq": self.seq,
            "time": stamp,
            "time_ms": int(self.wall * 1000),
            "duration_ms": round(self.elapsed * 1000, 3),
            "api": self.api,
            "method": self.method,
            "path": self.path,
            "query": query,
            "params": parse_qs(query, keep_blank_values=True),
            "client": f"{self.client[0]}:{self.client[1]}" if self.client else None,
            "status": self.status,
            "request": {"headers": headers,
                        **body_view(self.request_body, self.request_size, headers.get("content-type", ""))},
            "response": {"status": self.status, "headers": out_headers,
                         **body_view(self.response_body, self.response_size, out_headers.get("content-type", ""))},
            "fault": self.notes.get("fault"),
            "delay_ms": self.notes.get("delay_ms", 0),
            "dropped": bool(self.notes.get("dropped", False)),
        }


class Journal:
    """A thread-safe ring of exchanges, with filters."""

    def __init__(self, size: int = DEFAULT_SIZE, body_limit: int = DEFAULT_BODY_LIMIT):
        if size < 0 or body_limit < 0:
            raise ValueError("journal size and body limit must not be negative")
        self.size = size
        self.body_limit = body_limit
        self._entries: collections.deque[Exchange] = collections.deque(maxlen=size or 1)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.subscribers: list[Callable[[Entry], None]] = []

    def configure(self, *, size: int | None = None, body_limit: int | None = None) -> None:
        """Change the ring size (keeping the newest entries) or the body limit."""
        if (size is not None and size < 0) or (body_limit is not None and body_limit < 0):
            raise ValueError("journal size and body limit must not be negative")
        with self._lock:
            if size is not None:
                self.size = size
                self._entries = collections.deque(self._entries, maxlen=size or 1)
                if not size:
                    self._entries.clear()
            if body_limit is not None:
                self.body_limit = body_limit

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            exchange.seq = next(self._seq)
            if self.size:
                self._entries.append(exchange)
        if self.subscribers:
            entry = exchange.view()
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
                 if (method is None or e.method == method.upper())
                 and (path is None or fnmatch.fnmatchcase(e.path, path))
                 and (accept is None or accept(e.status))
                 and (api is None or e.api == api)
                 and (since is None or e.seq > since)]
        if limit is not None:
            found = found[len(found) - limit:] if limit else []
        return [e.view() for e in found]


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
        decl = self.routes.api_for(scope["path"])
        exchange = Exchange(method=scope["method"], path=scope["path"], query=scope.get("query_string", b""),
                            api=decl.name if decl is not None else None, wall=time.time(),
                            client=scope.get("client"), request_headers=scope.get("headers", []))
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []
        kept = {"request": 0, "response": 0}
        started = time.perf_counter()
        recorded = False

        def finish() -> None:
            # Before the last byte leaves: a client that got its answer finds it in the journal.
            nonlocal recorded
            if not recorded:
                recorded = True
                exchange.elapsed = time.perf_counter() - started
                exchange.request_body = b"".join(request_chunks)
                exchange.response_body = b"".join(response_chunks)
                self.journal.record(exchange)

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if kept["request"] < limit and chunk:
                    piece = chunk[:limit - kept["request"]]
                    request_chunks.append(piece)
                    kept["request"] += len(piece)
                exchange.request_size += len(chunk)
            return message

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = message.get("headers", [])
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if kept["response"] < limit and chunk:
                    piece = chunk[:limit - kept["response"]]
                    response_chunks.append(piece)
                    kept["response"] += len(piece)
                exchange.response_size += len(chunk)
                if not message.get("more_body", False):
                    finish()
            await send(message)

        inner = dict(scope)
        inner[NOTES] = exchange.notes
        inner[RAW_SEND] = scope.get(RAW_SEND, send)
        try:
            await self.app(inner, receive_and_keep, send_and_keep)
        finally:
            finish()
