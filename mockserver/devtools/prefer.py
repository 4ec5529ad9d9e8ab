"""The ``Prefer`` request header, compatible with Prism's, plus latency.

``Prefer: code=404, example=name, dynamic=true, latency=250`` (or the query parameters
``__code``, ``__example``, ``__dynamic``, ``__latency``). ``code``, ``example`` and ``dynamic``
choose a response *from the spec*, as Prism does, and touch no state:

- ``code=N``: the operation's response for N (else its ``default`` response); an error status
  the operation does not document is still answered, in the API's own error envelope (a client
  must cope with a 503 the reference never mentions); an undocumented success status is a 400;
- ``example=NAME``: that named example of the chosen response (the lowest 2xx without ``code``);
- ``dynamic=true``: a body generated at random from the response schema (``synth``);
- without an example or ``dynamic``, an error status is rendered in the API's envelope and a
  success status gets the static body made from its schema.

``latency=MS`` or ``latency=MIN-MAX`` (milliseconds) delays the request, which is then served
normally unless a response was chosen as well.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.errors import BadRequest, MockError, from_status
from ..http.routes import Match
from .synth import Synth

MAX_LATENCY_MS = 60_000
_KEYS = ("code", "example", "dynamic", "latency")
# Symbols (the WML envelope's errors[].code) of statuses the typed errors do not cover.
_CODES = {408: "request_timeout", 410: "gone", 422: "unprocessable_entity", 429: "too_many_requests",
          500: "internal_error", 501: "not_implemented", 502: "bad_gateway", 503: "service_unavailable",
          504: "gateway_timeout"}


def injected(status: int, message: str) -> MockError:
    """The typed error an injected status is rendered from (in the API's own envelope)."""
    error = from_status(status, message)
    if type(error) is MockError:
        error.code = _CODES.get(status, "client_error" if status < 500 else "server_error")
    return error


@dataclass(frozen=True)
class Preference:
    code: int | None = None
    example: str | None = None
    dynamic: bool | None = None
    latency_ms: tuple[float, float] | None = None

    @property
    def chooses_response(self) -> bool:
        return self.code is not None or self.example is not None or bool(self.dynamic)

    @property
    def empty(self) -> bool:
        return not self.chooses_response and self.latency_ms is None

    def describe(self) -> str:
        parts = [f"code={self.code}" if self.code is not None else "",
                 f"example={self.example}" if self.example is not None else "",
                 "dynamic=true" if self.dynamic else ""]
        return "Prefer: " + ", ".join(p for p in parts if p)


def parse(headers: Iterable[str], query: Iterable[tuple[str, str]] = ()) -> Preference:
    """The preferences of a request; a malformed value of a known key is a 400."""
    raw: dict[str, str] = {}
    for header in headers:
        for item in header.replace(";", ",").split(","):
            key, sep, value = item.strip().partition("=")
            if sep and key.strip().lower() in _KEYS:
                raw[key.strip().lower()] = value.strip().strip('"')
    for key, value in query:
        if key.startswith("__") and key[2:] in _KEYS:
            raw[key[2:]] = value
    if not raw:
        return Preference()
    return Preference(code=_code(raw.get("code")), example=raw.get("example") or None,
                      dynamic=_flag(raw.get("dynamic")), latency_ms=latency(raw.get("latency")))


def _code(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 100 <= int(text) <= 599:
        raise BadRequest(f"Prefer: code must be an HTTP status between 100 and 599, not {text!r}")
    return int(text)


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    if text.lower() not in ("true", "false"):
        raise BadRequest(f"Prefer: dynamic must be true or false, not {text!r}")
    return text.lower() == "true"


def latency(text: str | None) -> tuple[float, float] | None:
    """``MS`` or ``MIN-MAX`` milliseconds, at most a minute."""
    if text is None:
        return None
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        bounds = (-1.0, -1.0)
    if not 0 <= bounds[0] <= bounds[1] <= MAX_LATENCY_MS:
        raise BadRequest(f"Prefer: latency must be MS or MIN-MAX milliseconds within 0..{MAX_LATENCY_MS}, "
                         f"not {text!r}")
    return bounds


@dataclass
class Canned:
    """A response chosen by the header: a body to send, or an error to render in the envelope."""

    status: int
    media_type: str | None = None
    body: bytes = b""
    error: MockError | None = None


def _documented(responses: Mapping[str, Any]) -> str:
    return ", ".join(sorted(responses)) or "none"


def choose(match: Match, pref: Preference, rng: random.Random | None = None) -> Canned:
    """The response ``pref`` asks of ``match``'s operation."""
    op, api = match.op, match.api
    responses = op.responses
    if pref.code is not None:
        key = str(pref.code)
        response = responses.get(key) or responses.get(f"{key[0]}XX") or responses.get("default")
        status = pref.code
        if response is None:
            if status >= 400:
                return Canned(status, error=injected(status, f"{pref.describe()} (mlmock)"))
            raise BadRequest(f"{pref.describe()}: {op.operation_id} documents no {status} response; "
                             f"documented: {_documented(responses)}")
    else:
        successes = sorted(k for k in responses if k.isdigit() and k.startswith("2"))
        if not successes:
            raise BadRequest(f"{pref.describe()}: {op.operation_id} documents no success response")
        status, response = int(successes[0]), responses[successes[0]]
    response = api.resolve(response)
    content = response.get("content") or {}
    if not content:
        if pref.example is not None:
            raise BadRequest(f"{pref.describe()}: the {status} response of {op.operation_id} has no body")
        return Canned(status)
    media_type = "application/json" if "application/json" in content else next(iter(content))
    media = content[media_type]
    examples = {name: api.resolve(ex).get("value") for name, ex in (media.get("examples") or {}).items()}
    if pref.example is not None:
        if pref.example not in examples:
            raise BadRequest(f"{pref.describe()}: the {status} response of {op.operation_id} has no example "
                             f"named {pref.example!r}; named: {', '.join(examples) or 'none'}")
        value = examples[pref.example]
    elif not pref.dynamic and examples:
        value = next(iter(examples.values()))
    elif not pref.dynamic and "example" in media:
        value = media["example"]
    elif not pref.dynamic and status >= 400:
        return Canned(status, error=injected(status, f"{pref.describe()} (mlmock)"))
    else:
        value = Synth(api, dynamic=bool(pref.dynamic), rng=rng).sample(media.get("schema"))
    return Canned(status, media_type, encode(media_type, value))


def encode(media_type: str, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if media_type.endswith("json"):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return str(value).encode()
