"""Typed errors, and the one place where they become each API's error envelope.

The engine raises these; the app's error handlers, the request guard and the auth layer all
render them through :func:`render`, in the envelope its ``Dialect`` owns (``dialect.py``).
"""

from __future__ import annotations

import uuid


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


def render(dialect: str, error: MockError, trace: str | None = None) -> tuple[int, dict, dict]:
    """(status, body, headers) of ``error`` in the envelope of the dialect called ``dialect``."""
    from .dialect import dialect as registered  # the dialects register themselves on import

    found = registered(dialect)
    if found is None:
        raise LookupError(f"no dialect {dialect!r} is registered")
    body, headers = found.envelope(error, trace or uuid.uuid4().hex)
    return error.status, body, headers
