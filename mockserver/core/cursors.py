"""Opaque, URL-safe page tokens.

A token carries the position of the page boundary and a fingerprint of the query it was made
for (filters, scope, include), so a token replayed with other filters is refused with a 400
instead of silently paging through another result set. Base64url without padding: the
OpenMetadata SDK appends cursors to URLs without encoding them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from .errors import BadRequest
from .store import Position


def fingerprint(parts: Iterable[Any]) -> str:
    digest = hashlib.sha256(json.dumps(list(parts), sort_keys=True, default=str).encode())
    return digest.hexdigest()[:12]


def encode(position: Position, query: str) -> str:
    raw = json.dumps([position.sort_key, position.rowid, query], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str, query: str, *, name: str = "cursor") -> Position:
    try:
        padded = token + "=" * (-len(token) % 4)
        sort_key, rowid, made_for = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(sort_key, str) or not isinstance(rowid, int) or not isinstance(made_for, str):
            raise ValueError
    except (ValueError, TypeError, UnicodeError):
        raise BadRequest(f"invalid {name} {token[:64]!r}") from None
    if made_for != query:
        raise BadRequest(f"{name} {token[:64]!r} belongs to a query with other filters")
    return Position(sort_key, rowid)
