"""ASGI middleware that stands between the network and everything else.

It bounds the request body (413 past the limit, counted while streaming, so a lying or absent
Content-Length changes nothing), and refuses JSON bodies that are not UTF-8, not JSON, nested
too deeply or holding values that cannot round-trip (400), all in the API's own envelope. The
body is then replayed unchanged to the application.

Uploads (the operations ``takes_bytes`` names: every content, attachment, code and archive
upload) are bytes whatever their ``Content-Type``: the IBM client's repository library sends model
tarballs as ``application/json``, and its function code goes untyped. Their body is never parsed;
the application sees them as ``application/octet-stream`` and the declared type is kept in the
scope state (``UPLOAD_TYPE``) for the attachment's metadata.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlmock.spec.media import is_json_media

from ..core import jsonsafety
from ..core.errors import MockError, PayloadTooLarge, answer

RAW_BODY = "mlmock.raw_body"
UPLOAD_TYPE = "mlmock.upload_content_type"
BYTES = "application/octet-stream"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MAX_JSON_BODY = 4 * 1024 * 1024


class Guard:
    def __init__(self, app: ASGIApp, *, dialect_for: Callable[[str], str],
                 max_body: int = DEFAULT_MAX_BODY, max_json_body: int = DEFAULT_MAX_JSON_BODY,
                 max_depth: int = jsonsafety.DEFAULT_MAX_DEPTH,
                 takes_bytes: Callable[[str, str], bool] = lambda _method, _path: False,
                 echoed: Callable[[str, Mapping[str, str]], dict[str, str]] = lambda _path, _headers: {}):
        self.app = app
        self.echoed = echoed  # the request headers an error answer carries (Routes.echoed)
        self.takes_bytes = takes_bytes
        self.dialect_for = dialect_for
        self.max_body = max_body
        self.max_json_body = max_json_body
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "")
        upload = self.takes_bytes(scope["method"], scope.get("path", "/"))
        parsed = is_json_media(content_type) and not upload
        limit = self.max_json_body if parsed else self.max_body
        try:
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise PayloadTooLarge(f"request body of {declared} bytes exceeds the limit of {limit} bytes")
            body = await self._read(receive, limit)
            if body and parsed:
                jsonsafety.loads(body, max_depth=self.max_depth)
        except MockError as error:
            await self._refuse(scope, send, error)
            return
        # The exact bytes, for actions that store uploads as sent (connexion parses JSON bodies).
        scope.setdefault("state", {})[RAW_BODY] = body
        if upload:
            scope["state"][UPLOAD_TYPE] = content_type

        # The body is replayed whole, so tell the application its real length: a chunked upload
        # (no Content-Length) would otherwise look empty to connexion's body validation.
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"]
                            if k.lower() not in (b"content-length", b"transfer-encoding")
                            and not (upload and k.lower() == b"content-type")]
        if upload:
            scope["headers"].append((b"content-type", BYTES.encode()))
        scope["headers"].append((b"content-length", str(len(body)).encode("latin-1")))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive, limit: int) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"request body exceeds the limit of {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _refuse(self, scope: Scope, send: Send, error: MockError) -> None:
        path = scope.get("path", "/")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refused = answer(self.dialect_for(path), error, self.echoed(path, headers))
        await refused.send(send, close=refused.status == 413)
