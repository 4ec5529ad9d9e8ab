"""Typed errors, and the one place where they become each API's error answer.

The engine raises these; every layer that refuses a request (the app's error handlers, the
request guard, the fault layer, the control plane) turns one into its HTTP answer through
:func:`answer`, in the envelope the API's ``Dialect`` owns (``dialect.py``), and sends it as it is
(:meth:`Answer.send`, bare ASGI) or wrapped in its framework's response object.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmock.spec.declarations import pointer_set


class MockError(Exception):
    """A request the mock refuses. ``status`` is the HTTP status, ``code`` a short symbol."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class BadRequest(MockError):
    status, code = 400, "invalid_request"


class Unauthorized(MockError):
    status, code = 401, "authorization_rejected"


class Forbidden(MockError):
    status, code = 403, "forbidden"


class NotFound(MockError):
    status, code = 404, "not_found"


class MethodNotAllowed(MockError):
    status, code = 405, "method_not_allowed"


class Conflict(MockError):
    status, code = 409, "conflict"


class PayloadTooLarge(MockError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(MockError):
    status, code = 415, "unsupported_media_type"


_BY_STATUS = {cls.status: cls for cls in (BadRequest, Unauthorized, Forbidden, NotFound,
                                           MethodNotAllowed, Conflict, PayloadTooLarge,
                                           UnsupportedMediaType)}


def from_status(status: int, message: str) -> MockError:
    """The typed error for an HTTP status raised by a lower layer (routing, validation)."""
    cls = _BY_STATUS.get(status)
    return cls(message) if cls else MockError(message, status=status)


# ------------------------------------------------------------------------- envelopes


def render(dialect: str, error: MockError, echoed: Mapping[str, str] | None = None) -> tuple[int, dict, dict]:
    """(status, body, headers) of ``error`` in the envelope of the dialect called ``dialect``, with a
    fresh random trace; ``echoed`` ({pointer: value}) writes the request headers the API declares
    echoed (``x-mlmock-echoed-in``) into the body."""
    from .dialect import dialect as registered  # the dialects register themselves on import

    found = registered(dialect)
    if found is None:
        raise LookupError(f"no dialect {dialect!r} is registered")
    body, headers = found.envelope(error, uuid.uuid4().hex)
    for pointer, value in (echoed or {}).items():
        pointer_set(body, pointer, value)
    return error.status, body, headers


MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class Answer:
    """An error answer: status, JSON body bytes and the envelope's own headers (plus any extra)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = MEDIA_TYPE

    def raw_headers(self, *, close: bool = False) -> list[tuple[bytes, bytes]]:
        """ASGI headers: the entity headers first, ``Connection: close`` if asked, then the rest."""
        raw = [(b"content-type", self.media_type.encode("latin-1")),
               (b"content-length", str(len(self.body)).encode())]
        if close:
            raw.append((b"connection", b"close"))
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        return raw

    async def send(self, send: Callable[[dict[str, Any]], Awaitable[None]], *, close: bool = False) -> None:
        """Send the answer on a bare ASGI ``send`` (layers in front of any framework)."""
        await send({"type": "http.response.start", "status": self.status, "headers": self.raw_headers(close=close)})
        await send({"type": "http.response.body", "body": self.body})


def answer(dialect: str, error: MockError, echoed: Mapping[str, str] | None = None, *,
           extra: Mapping[str, str] | None = None, ensure_ascii: bool = True) -> Answer:
    """The one way any layer turns ``error`` into its HTTP answer, in the envelope of the dialect
    called ``dialect``; ``echoed`` ({pointer: value}, ``Routes.echoed``) the request's headers the API
    writes back (WML: the client's transaction id as ``trace``), ``extra`` headers (a fault rule's)
    win over the envelope's."""
    status, body, headers = render(dialect, error, echoed)
    payload = json.dumps(body, ensure_ascii=ensure_ascii).encode()
    return Answer(status, payload, {**headers, **(extra or {})})
