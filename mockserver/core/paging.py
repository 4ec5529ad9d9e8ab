"""List paging, once, for both declared styles.

``cursor`` (OpenMetadata: ``after`` and ``before`` tokens) and ``start`` (WML: a ``start`` token in
``next.href``) both walk the store in (sort key, row id) order from a position carried by an
opaque token (``cursors.py``). Every token is fingerprinted against the query it was made for
(kind, scope, deleted state, filter conditions), so a token replayed with another query is a 400.
A page is one index range scan of ``limit + 1`` rows (more only when ``refine`` drops records),
whatever the number stored. ``envelope`` writes a page at the response pointers the kind's
``pagination`` declares (``spec/kinds.py``: defaults per style).

Lists that are not stored resources (a resource's history: WML revisions) page by offset with
:func:`offset_page`, whose tokens are fingerprinted the same way; a page reads only its slice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from mlmock.spec.declarations import Pagination, pointer_set

from . import cursors
from .errors import BadRequest
from .store import Position, Record

# Fetch up to ``limit`` records after (or before) a position: (records ascending, more beyond them).
Batch = Callable[[Position | None, Position | None, int], tuple[list[Record], bool]]
# What becomes of a record read for a page: the record to list, or None to leave it out.
Refine = Callable[[Record], Record | None]
T = TypeVar("T")


@dataclass
class Page:
    records: list[Record]
    after: str | None = None   # the token of the next page (None on the last)
    before: str | None = None  # the token of the previous page (None on the first)


def fingerprint(kind: str, scope: str, deleted: bool | None, conds: Iterable[Any], *parts: Any) -> str:
    return cursors.fingerprint([kind, scope, deleted, sorted(json.dumps(c) for c in conds), *parts])


def fetch(batch: Batch, query: str, *, limit: int, after: str | None = None, before: str | None = None,
          names: tuple[str, str] = ("after", "before"), refine: Refine | None = None) -> Page:
    """A page after the ``after`` token (or before the ``before`` token), and its neighbours' tokens.

    ``refine`` may replace or drop each record read (a WML read advances its lifecycle, which may
    move it out of a state filter); the page is then filled up from the records that follow.
    """
    if after is not None and before is not None:
        raise BadRequest(f"only one of '{names[0]}' and '{names[1]}' may be given")
    start = cursors.decode(after, query, name=names[0]) if after else None
    end = cursors.decode(before, query, name=names[1]) if before else None
    if limit == 0:
        return Page([])
    backwards = end is not None
    items: list[Record] = []
    edge = end if backwards else start  # the last position read, in the walking direction
    more = False
    while len(items) < limit:
        records, more = batch(None if backwards else edge, edge if backwards else None, limit - len(items))
        if not records:
            break
        kept = [r for r in (refine(r) if refine else r for r in records) if r is not None]
        edge = _position(records[0] if backwards else records[-1])
        items = kept + items if backwards else items + kept
        if not more:
            break
    if not items:
        return Page([], cursors.encode(edge, query) if more and not backwards and edge else None)
    first, last = _position(items[0]), _position(items[-1])
    if backwards:  # walking backwards: more means more before, and there is an after
        return Page(items, cursors.encode(last, query), cursors.encode(edge, query) if more else None)
    return Page(items, cursors.encode(edge, query) if more else None,
                cursors.encode(first, query) if start is not None else None)


def _position(record: Record) -> Position:
    return Position(record.sort_key, record.rowid)


def offset_page(size: int, read: Callable[[int, int], list[T]], token: str | None, query: str, *,
                limit: int, name: str = "start") -> tuple[list[T], str | None]:
    """``read(offset, limit)`` of a list of ``size`` items at an offset token, and the next token."""
    offset = 0
    if token:
        position = cursors.decode(token, query, name=name)
        if position.sort_key != "offset" or not 0 <= position.rowid <= size:
            raise BadRequest(f"invalid {name} token {token[:64]!r}", code="invalid_parameter")
        offset = position.rowid
    following = offset + limit
    return read(offset, limit), (cursors.encode(Position("offset", following), query)
                                 if following < size else None)


# What each style's response holds, in the order the keys are written.
_FIELDS = {"cursor": ("items", "total", "after", "before"),
           "start": ("limit", "first", "items", "next", "total"),
           "none": ("total", "items")}


def envelope(pagination: Pagination, **values: Any) -> dict[str, Any]:
    """A list answer: each given value (``items``, ``total``, ``after``, ``before``, ``limit``,
    ``first``, ``next``) at the pointer the kind's pagination declares; None values are left out."""
    out: dict[str, Any] = {}
    for name in _FIELDS[pagination.style]:
        pointer, value = getattr(pagination, name), values.get(name)
        if pointer and value is not None:
            pointer_set(out, pointer, value)
    return out
