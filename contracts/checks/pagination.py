"""Pagination: page size, limit bounds, walking forwards and backwards, totals, filters.

Two styles are declared in the specs: ``cursor`` (OpenMetadata: ``after``/``before`` tokens in
``paging``) and ``start`` (WML: an opaque ``start`` token inside ``next.href``, which clients
follow verbatim). The population a rule walks is made fresh and selected by a filter: the
children of a fresh parent, or resources carrying a fresh tag.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import provenance_reading, rule
from ..results import Skip, Violation, expect

PAGE = 2
ITEMS = 5
MAX_PAGES = 50


def _paged(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.pagination is not None and kind.pagination.style in ("cursor", "start")
            and api.operation(kind.name, "list") is not None
            and (api.operation(kind.name, "create") or api.operation(kind.name, "upsert")) is not None)


def _items_pointer(kind: Kind) -> str:
    return kind.pagination.items


def population(ctx: Context, kind: Kind, count: int = ITEMS) -> tuple[list[str], dict[str, Any], str | None]:
    """Create ``count`` resources; returns their ids, the query selecting them, and the filter's pointer."""
    list_op = ctx.operation(kind, "list")
    query: dict[str, Any] = {}
    parent, overrides, pointer = None, {}, None
    selector = ctx.parent_filter(kind, list_op)
    if selector is not None:
        parent = ctx.create_parent(kind)
        query[selector[0]] = pointer_get(parent, selector[1])
        pointer = ctx.representation_pointer(kind, kind.parent.field)
    else:
        tagged = ctx.tag_filter(kind, list_op)
        if tagged is not None:
            tag = ctx.name("tag").lower()
            query[tagged[0]] = tag
            overrides[tagged[1]] = [tag]
            pointer = ctx.representation_pointer(kind, tagged[1])
    ids = [ctx.id_of(kind, ctx.create(kind, parent=parent, **overrides)) for _ in range(count)]
    return ids, query, pointer


def first_page(ctx: Context, kind: Kind, query: dict[str, Any], **extra: Any):
    p = kind.pagination
    list_op = ctx.operation(kind, "list")
    response = ctx.call(list_op, params={p.limit_param: PAGE, **query, **extra})
    return _checked(kind, response, list_op.operation_id)


def _checked(kind: Kind, response: httpx.Response, what: str):
    expect(response.status_code == 200, f"{what} should answer a valid page with 200", response)
    body = response.json()
    items = pointer_get(body, _items_pointer(kind))
    expect(isinstance(items, list), f"a page needs a list at {_items_pointer(kind)}", response)
    return response, body, items


def walk(ctx: Context, kind: Kind, query: dict[str, Any], direction: str = "after", start: Any = None,
         **extra: Any) -> Iterator[tuple[httpx.Response, dict, list]]:
    """Follow the list's links forwards (``after``/next) or backwards (``before``), page by page."""
    p = kind.pagination
    if p.style == "start":
        response, body, items = first_page(ctx, kind, query, **extra)
        for _ in range(MAX_PAGES):
            yield response, body, items
            href = pointer_get(body, p.next)
            if not href:
                return
            response, body, items = _checked(kind, ctx.follow(href), f"the next link {href}")
        raise Violation(f"following next did not end within {MAX_PAGES} pages of {PAGE}", response)
    param = (p.after_param or "after") if direction == "after" else (p.before_param or "before")
    link = (p.after or "/paging/after") if direction == "after" else (p.before or "/paging/before")
    cursor = start
    response = None
    for _ in range(MAX_PAGES):
        response, body, items = first_page(ctx, kind, query, **({param: cursor} if cursor else {}), **extra)
        yield response, body, items
        cursor = pointer_get(body, link)
        if not cursor:
            return
    raise Violation(f"walking {direction} did not end within {MAX_PAGES} pages of {PAGE}", response)


def ids_of(ctx: Context, kind: Kind, items: list) -> list[str]:
    return [ctx.id_of(kind, item) for item in items]


@rule("pagination.page-size", family="pagination", when=_paged,
      provenance="documented",
      source="OpenMetadata list `limit`; WML reference: limit 'How many resources should be returned'")
def page_size(ctx: Context, kind: Kind) -> None:
    """A page never holds more items than the limit asked for."""
    _, query, _ = population(ctx, kind)
    for response, _, items in walk(ctx, kind, query):
        expect(len(items) <= PAGE, f"a page asked with limit={PAGE} holds {len(items)} items", response)


@rule("pagination.limit-bounds", family="pagination", when=_paged,
      provenance="documented",
      source=("WML reference: 'Max limit allowed is 200' (minimum 1); OpenMetadata bounds are reading 27 (x-mlmock-"
              'provenance on the parameter)'))
def limit_bounds(ctx: Context, kind: Kind) -> None:
    """Limits outside the documented range are rejected with 400; the bounds themselves are accepted."""
    list_op = ctx.operation(kind, "list")
    low, high, _ = ctx.api.limit_bounds(list_op, kind.pagination.limit_param)
    if low is None and high is None:
        raise Skip("the limit parameter declares no bounds")
    param = kind.pagination.limit_param
    reading = provenance_reading(list_op.parameter(param))
    for value in (v for v in (low, high) if v is not None):
        response = ctx.call(list_op, params={param: value})
        expect(response.status_code == 200, f"limit={value} is inside the documented range", response,
               reading=reading)
    for value in ((low - 1) if low is not None else None, (high + 1) if high is not None else None):
        if value is None:
            continue
        response = ctx.call(list_op, params={param: value})
        expect(response.status_code == 400,
               f"limit={value} is outside the documented range {low}..{high} and must be rejected with 400",
               response, reading=reading)


@rule("pagination.walk-forward", family="pagination", when=_paged,
      provenance="documented",
      source="OpenMetadata paging.after; WML reference: next.href 'the uri of the next set of resources'")
def walk_forward(ctx: Context, kind: Kind) -> None:
    """Walking forwards from the first page yields every item exactly once, and the last page links no further."""
    ids, query, _ = population(ctx, kind)
    seen: list[str] = []
    last = None
    for response, _body, items in walk(ctx, kind, query):
        seen += ids_of(ctx, kind, items)
        last = response
    duplicates = sorted({i for i in seen if seen.count(i) > 1})
    expect(not duplicates, f"walking the pages returned {duplicates} more than once", last)
    missing = [i for i in ids if i not in seen]
    expect(not missing, f"walking the pages never returned {missing} (created before the walk)", last)


@rule("pagination.walk-backward", family="pagination",
      when=lambda api, kind: _paged(api, kind) and kind.pagination.style == "cursor",
      provenance="documented",
      source="OpenMetadata paging.before (the real server's list API)")
def walk_backward(ctx: Context, kind: Kind) -> None:
    """Walking `before` from the last page returns to the first, every item exactly once."""
    _, query, _ = population(ctx, kind)
    forward: list[str] = []
    last_body, last_items = None, []
    for _, body, items in walk(ctx, kind, query, "after"):
        forward += ids_of(ctx, kind, items)
        last_body, last_items = body, ids_of(ctx, kind, items)
    start = pointer_get(last_body, kind.pagination.before or "/paging/before")
    if not start:
        raise Skip("the population fits on one page")
    expected = forward[:len(forward) - len(last_items)]
    backward: list[str] = []
    last = None
    for response, _, items in walk(ctx, kind, query, "before", start=start):
        backward = ids_of(ctx, kind, items) + backward
        last = response
    expect(backward == expected,
           f"walking before from the last page gave {backward}, expected the earlier pages {expected}", last)


@rule("pagination.total", family="pagination", when=_paged,
      provenance="documented",
      source='OpenMetadata paging.total; WML reference: total_count with total_count=true')
def total(ctx: Context, kind: Kind) -> None:
    """The total of a list equals the number of items a full walk yields, on every page."""
    pointer = kind.pagination.total
    total_param = kind.pagination.total_param
    if not pointer or (kind.pagination.style == "start" and not total_param):
        raise Skip("the list reports no total")
    _, query, _ = population(ctx, kind)
    extra = {total_param: "true"} if total_param else {}
    pages = list(walk(ctx, kind, query, **extra))
    count = sum(len(items) for _, _, items in pages)
    for response, body, _ in pages:
        expect(pointer_get(body, pointer) == count,
               f"{pointer} is {pointer_get(body, pointer)!r} but the walk yields {count} items", response)
    if total_param:
        response, body, _ = first_page(ctx, kind, query)
        expect(pointer_get(body, pointer) is None,
               f"{pointer} must be left out unless {total_param}=true is asked", response)


@rule("pagination.filter", family="pagination", when=_paged,
      provenance="documented",
      source='the filter parameters of each list (OpenMetadata service=, WML tag.value)')
def filtered(ctx: Context, kind: Kind) -> None:
    """A filter holds on every page: each item matches the filter value, and nothing else is listed."""
    ids, query, pointer = population(ctx, kind)
    if not query:
        raise Skip("no declared filter selects a fresh population")
    list_op = ctx.operation(kind, "list")
    other = ctx.create(kind)  # outside the population: another parent, or no tag
    param, value = next(iter(query.items()))
    flt = next(f for f in list_op.filters if f.param == param)
    seen = []
    for response, _, items in walk(ctx, kind, query):
        for item in items:
            found = pointer_get(item, flt.field)
            matches = value in found if isinstance(found, list) else found == value
            expect(matches, f"{param}={value!r} returned an item whose {flt.field} is {found!r}", response)
        seen += ids_of(ctx, kind, items)
    expect(ctx.id_of(kind, other) not in seen, f"{param}={value!r} listed a resource outside the filter")
    expect(sorted(seen) == sorted(ids), f"{param}={value!r} should list exactly {sorted(ids)}, got {sorted(seen)}")
    del pointer


@rule("pagination.next-link-complete", family="pagination",
      when=lambda api, kind: _paged(api, kind) and kind.pagination.style == "start",
      provenance="client",
      source='ibm-watsonx-ai follows next.href verbatim (official-clients.md: lists)')
def next_link_complete(ctx: Context, kind: Kind) -> None:
    """`next.href` carries the whole query (version, scope, limit, filters), so clients can follow it verbatim."""
    _, query, _ = population(ctx, kind, count=PAGE + 1)
    response, body, _ = first_page(ctx, kind, query)
    href = pointer_get(body, kind.pagination.next or "/next/href")
    expect(bool(href), f"a first page of {PAGE} out of {PAGE + 1} items must link to the next page", response)
    wanted = {**ctx.defaults(ctx.operation(kind, "list")), kind.pagination.limit_param: PAGE, **query}
    parsed = httpx.URL(href)
    missing = {k: v for k, v in wanted.items() if parsed.params.get(k) != str(v)}
    expect(not missing, f"next.href {href} lacks {missing}", response)
