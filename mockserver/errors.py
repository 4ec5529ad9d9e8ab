"""Typed errors, and the one place where they become each API's error envelope.

The engine raises these; the app's error handlers, the request guard and the auth layer all
render them through :func:`render`, so an API's error shape is defined exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any


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

Envelope = Callable[[MockError, str], tuple[dict[str, Any], dict[str, str]]]
_ENVELOPES: dict[str, Envelope] = {}


def envelope(dialect: str) -> Callable[[Envelope], Envelope]:
    """Register the renderer of a dialect's error body."""

    def register(fn: Envelope) -> Envelope:
        _ENVELOPES[dialect] = fn
        return fn

    return register


@envelope("openmetadata")
def _openmetadata(error: MockError, trace: str) -> tuple[dict[str, Any], dict[str, str]]:
    # dropwizard's ErrorMessage: the SDK reads an integer "code" and a "message".
    headers = {"WWW-Authenticate": "om-auth"} if error.status in (401, 403) else {}
    return {"code": error.status, "message": error.message}, headers


@envelope("wml")
def _wml(error: MockError, trace: str) -> tuple[dict[str, Any], dict[str, str]]:
    body = {
        "trace": trace,
        "errors": [{"code": error.code, "message": error.message,
                    "more_info": "https://cloud.ibm.com/apidocs/machine-learning"}],
        "status_code": error.status,
    }
    return body, {}


def render(dialect: str, error: MockError, trace: str | None = None) -> tuple[int, dict, dict]:
    """(status, body, headers) of ``error`` in ``dialect``'s envelope."""
    body, headers = _ENVELOPES[dialect](error, trace or uuid.uuid4().hex)
    return error.status, body, headers
