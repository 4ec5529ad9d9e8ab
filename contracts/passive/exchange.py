"""One observed exchange: a request and its answer, with the parsed views the rules need."""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from mlmock.har import Entry

BODY_LIMIT = 8 * 1024 * 1024  # bodies larger than this are forwarded and recorded, not judged


class Exchange:
    def __init__(self, entry: Entry):
        self.entry = entry
        parts = urlsplit(entry.url)
        self.raw_path = parts.path
        self.path = unquote(parts.path)
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.method = entry.method.upper()
        self.status = entry.status

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def request_header(self, name: str) -> str | None:
        return self.entry.request_header(name)

    def response_header(self, name: str) -> str | None:
        return self.entry.response_header(name)

    @property
    def content_type(self) -> str:
        return (self.response_header("content-type") or "").lower()

    @functools.cached_property
    def request_json(self) -> Any:
        return _json(self.entry.request_body)

    @functools.cached_property
    def response_json(self) -> Any:
        return _json(self.entry.response_body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self, limit: int = 300) -> dict[str, Any]:
        """The request and answer that show a violation (secrets redacted, bodies shortened)."""
        from mlmock.har import redacted

        e = redacted(self.entry)

        def cut(body: bytes) -> str:
            text = body.decode("utf-8", "replace")
            return text if len(text) <= limit else text[:limit] + "..."

        return {"request": {"method": e.method, "url": e.url, "headers": dict(e.request_headers),
                            "body": cut(e.request_body)},
                "response": {"status": e.status, "headers": dict(e.response_headers), "body": cut(e.response_body)}}


def _json(body: bytes) -> Any:
    if not body or len(body) > BODY_LIMIT:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
