"""Fault rules and the ASGI layer that applies them, with the ``Prefer`` header.

A rule matches a method (``*`` for any) and a path glob (``*`` matches anything, ``/`` included;
``?`` one character) and then answers a given status in the API's own error envelope, adds a
fixed (``delay_ms: 200``) or random (``delay_ms: [100, 500]``) delay, or drops the connection;
for the next ``times`` matching calls (unlimited without it), after letting ``skip`` of them
through, with a ``probability``. An exhausted rule disappears; clearing the rules restores normal
behaviour. The first rule (in creation order) that fires wins.

The layer stands outside the guard, so a faulted request never reaches the engine and changes no
state; it drains the request body first, so the journal sees what the client sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import itertools
import random
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.errors import BadRequest, MockError, answer
from ..http.routes import Routes
from . import prefer

METHODS = ("*", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_DELAY_MS = 600_000
MAX_DRAIN = 64 * 1024 * 1024
NOTES = "mlmock.notes"        # scope key: a dict the journal reads back (which fault, which delay)
RAW_SEND = "mlmock.raw_send"  # scope key: the server's own send, whose transport a drop closes
_FIELDS = {"method", "path", "status", "message", "headers", "delay_ms", "drop", "times", "skip", "probability"}


@dataclass
class Rule:
    id: int
    method: str = "*"
    path: str = "*"
    status: int | None = None
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_ms: tuple[float, float] | None = None
    drop: bool = False
    times: int | None = None
    skip: int = 0
    probability: float = 1.0
    matched: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else self.times - self.fired

    def describe(self) -> str:
        what = ["drop" if self.drop else "", f"status {self.status}" if self.status else "",
                f"delay {_bounds(self.delay_ms)} ms" if self.delay_ms else ""]
        return f"rule {self.id}: " + ", ".join(w for w in what if w)

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "method": self.method, "path": self.path, "status": self.status,
               "message": self.message, "headers": dict(self.headers),
               "delay_ms": list(self.delay_ms) if self.delay_ms else None, "drop": self.drop,
               "times": self.times, "skip": self.skip, "probability": self.probability,
               "matched": self.matched, "fired": self.fired, "remaining": self.remaining}
        return out


def _bounds(delay: tuple[float, float]) -> str:
    return f"{delay[0]:g}" if delay[0] == delay[1] else f"{delay[0]:g}-{delay[1]:g}"


def _int(spec: Mapping[str, Any], name: str, low: int, high: int | None = None) -> int | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"fault rule: {name} must be an integer {bound}, not {value!r}")
    return value


def _delay(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        bounds = (float(value), float(value))
    elif (isinstance(value, list | tuple) and len(value) == 2
          and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        bounds = (float(value[0]), float(value[1]))
    else:
        raise BadRequest(f"fault rule: delay_ms must be milliseconds or [min, max], not {value!r}")
    if not 0 <= bounds[0] <= bounds[1] <= MAX_DELAY_MS:
        raise BadRequest(f"fault rule: delay_ms must lie within 0..{MAX_DELAY_MS} with min <= max")
    return bounds


def parse_rule(spec: Any, rule_id: int) -> Rule:
    """A rule from its JSON form; anything malformed is a 400 naming the field."""
    if not isinstance(spec, Mapping):
        raise BadRequest("a fault rule is a JSON object")
    unknown = sorted(set(spec) - _FIELDS)
    if unknown:
        raise BadRequest(f"fault rule: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_FIELDS))}")
    method = spec.get("method", "*")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise BadRequest(f"fault rule: method must be one of {', '.join(METHODS)}, not {method!r}")
    path = spec.get("path", "*")
    if not isinstance(path, str) or not path or len(path) > 2048:
        raise BadRequest("fault rule: path must be a non-empty glob, e.g. /api/v1/mlmodels*")
    message = spec.get("message")
    if message is not None and not isinstance(message, str):
        raise BadRequest("fault rule: message must be a string")
    headers = spec.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and k.isascii() and v.isascii() and k.strip()
            and "\n" not in k + v and "\r" not in k + v for k, v in headers.items()):
        raise BadRequest("fault rule: headers must map ASCII header names to ASCII values")
    drop = spec.get("drop", False)
    if not isinstance(drop, bool):
        raise BadRequest("fault rule: drop must be true or false")
    probability = spec.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 < probability <= 1:
        raise BadRequest("fault rule: probability must be a number in (0, 1]")
    rule = Rule(id=rule_id, method=method.upper(), path=path, status=_int(spec, "status", 400, 599),
                message=message, headers=dict(headers), delay_ms=_delay(spec.get("delay_ms")), drop=drop,
                times=_int(spec, "times", 1), skip=_int(spec, "skip", 0) or 0, probability=float(probability))
    if not (rule.status or rule.delay_ms or rule.drop):
        raise BadRequest("fault rule: give at least one of status, delay_ms and drop")
    if rule.status and rule.drop:
        raise BadRequest("fault rule: a dropped connection has no status; give one of status and drop")
    return rule


class Faults:
    """The active rules (thread-safe: the fixtures add rules while the server thread applies them)."""

    def __init__(self, seed: int | None = None):
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.rng = random.Random(seed)

    def reseed(self, seed: int | None) -> None:
        self.rng = random.Random(seed)

    def add(self, spec: Any) -> Rule:
        with self._lock:
            rule = parse_rule(spec, next(self._ids))
            self._rules.append(rule)
            return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            kept = [r for r in self._rules if r.id != rule_id]
            found = len(kept) != len(self._rules)
            self._rules = kept
            return found

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def reset(self, seed: int | None = None) -> None:
        """No rules, ids from 1 again, the random source reseeded (a full reset of the mock)."""
        with self._lock:
            self._rules = []
            self._ids = itertools.count(1)
            self.rng = random.Random(seed)

    def rules(self) -> list[Rule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, path: str) -> Rule | None:
        """The rule this call fires, counting it (an exhausted rule is removed)."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                rule.matched += 1
                if rule.matched <= rule.skip:
                    continue
                if rule.probability < 1 and self.rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                if rule.times is not None and rule.fired >= rule.times:
                    self._rules.remove(rule)
                return rule
            return None

    def delay_of(self, bounds: tuple[float, float]) -> float:
        with self._lock:
            return bounds[0] if bounds[0] == bounds[1] else self.rng.uniform(*bounds)


class FaultLayer:
    """ASGI middleware: fault rules first, then the ``Prefer`` header, then the application."""

    def __init__(self, app: ASGIApp, *, faults: Faults, routes: Routes,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        self.app = app
        self.faults = faults
        self.routes = routes
        self.sleep = sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        notes = scope.get(NOTES)
        if notes is None:
            notes = {}
        method, path = scope["method"], scope["path"]
        headers = scope.get("headers", ())
        try:
            pref = prefer.parse([v.decode("latin-1") for k, v in headers if k.lower() == b"prefer"],
                                parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        except MockError as error:
            await self._refuse(scope, receive, send, error)
            return
        rule = self.faults.pick(method, path)
        if rule is not None:
            notes["fault"] = rule.describe()
            if rule.delay_ms:
                await self._delay(rule.delay_ms, notes)
            if rule.drop:
                notes["dropped"] = True
                await _drain(receive)
                await _drop(scope, send)
                return
            if rule.status:
                message = rule.message or f"{rule.status} injected by mlmock fault rule {rule.id}"
                await self._refuse(scope, receive, send, prefer.injected(rule.status, message), rule.headers)
                return
        if pref.empty:
            await self.app(scope, receive, send)
            return
        if pref.latency_ms:
            await self._delay(pref.latency_ms, notes)
        match = self.routes.match(method, path) if pref.chooses_response else None
        if match is None:
            await self.app(scope, receive, send)
            return
        notes["fault"] = pref.describe()
        try:
            canned = prefer.choose(match, pref, self.faults.rng)
        except MockError as error:
            await self._refuse(scope, receive, send, error)
            return
        if canned.error is not None:
            await self._refuse(scope, receive, send, canned.error)
            return
        await _drain(receive)
        raw = [(b"content-length", str(len(canned.body)).encode())]
        if canned.media_type:
            raw.append((b"content-type", canned.media_type.encode("latin-1")))
        await send({"type": "http.response.start", "status": canned.status, "headers": raw})
        await send({"type": "http.response.body", "body": canned.body})

    async def _delay(self, bounds: tuple[float, float], notes: dict) -> None:
        ms = self.faults.delay_of(bounds)
        notes["delay_ms"] = round(notes.get("delay_ms", 0) + ms, 3)
        await self.sleep(ms / 1000.0)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: MockError,
                      extra: Mapping[str, str] | None = None) -> None:
        await _drain(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        await answer(self.routes.dialect_for(scope["path"]), error, self.routes.echoed(scope["path"], headers),
                     extra=extra).send(send)


async def _drain(receive: Receive) -> None:
    """Read the request body to its end (kept by nobody here; the journal sees it pass)."""
    size = 0
    while size <= MAX_DRAIN:
        message = await receive()
        if message["type"] != "http.request":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _drop(scope: Scope, send: Send) -> None:
    """Close the connection without a response. Under uvicorn the socket is aborted; elsewhere
    (in-process transports) the caller sees ``ConnectionResetError``."""
    raw = scope.get(RAW_SEND, send)
    cycle = getattr(raw, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise ConnectionResetError("connection dropped by an mlmock fault rule")
    transport.abort()
    # Let the server see the connection go, so that it does not answer 500 for the app.
    for _ in range(20):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
    with contextlib.suppress(AttributeError):
        cycle.disconnected = True
