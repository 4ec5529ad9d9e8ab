"""Pagination: page size, limit bounds, walking forwards and backwards, totals, filters."""

from __future__ import annotations

from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, Violation, expect

PAGE = 2
ITEMS = 5
MAX_PAGES = 50


def _paged(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.pagination is not None and kind.pagination.style == "cursor"
            and api.operation(kind.name, "list") is not None
            and (api.operation(kind.name, "create") or api.operation(kind.name, "upsert")) is not None)


def _population(ctx: Context, kind: Kind) -> tuple[list[str], dict[str, Any]]:
    """Create ITEMS resources; returns their ids and the query that selects them (if any)."""
    list_op = ctx.operation(kind, "list")
    query: dict[str, Any] = {}
    parent = None
    selector = ctx.parent_filter(kind, list_op)
    if selector is not None:
        parent = ctx.create(ctx.api.kinds[kind.parent.kind])
        query[selector[0]] = pointer_get(parent, selector[1])
    ids = [ctx.id_of(kind, ctx.create(kind, parent=parent)) for _ in range(ITEMS)]
    return ids, query


def _page(ctx: Context, kind: Kind, query: dict[str, Any], **cursor: Any):
    p = kind.pagination
    list_op = ctx.operation(kind, "list")
    response = ctx.call(list_op, params={p.limit_param: PAGE, **query, **cursor})
    expect(response.status_code == 200, f"{list_op.operation_id} should answer a valid page with 200",
           response)
    body = response.json()
    items = pointer_get(body, p.get("data", "/data"))
    expect(isinstance(items, list), f"a page needs a list at {p.get('data', '/data')}", response)
    return response, body, items


def walk(ctx: Context, kind: Kind, query: dict[str, Any], direction: str, start: Any = None):
    """Follow after (or before) links; yields (response, body, items) per page."""
    p = kind.pagination
    param = p.get("after-param", "after") if direction == "after" else p.get("before-param", "before")
    link = p.get(direction, f"/paging/{direction}")
    cursor = start
    for _ in range(MAX_PAGES):
        response, body, items = _page(ctx, kind, query, **({param: cursor} if cursor else {}))
        yield response, body, items
        cursor = pointer_get(body, link)
        if not cursor:
            return
    raise Violation(f"walking {direction} did not end within {MAX_PAGES} pages of {PAGE}", response)


def _ids(ctx: Context, kind: Kind, items: list) -> list[str]:
    return [ctx.id_of(kind, item) for item in items]


@rule("pagination.page-size", family="pagination", when=_paged)
def page_size(ctx: Context, kind: Kind) -> None:
    """A page never holds more items than the limit asked for."""
    ids, query = _population(ctx, kind)
    response, _, items = _page(ctx, kind, query)
    expect(len(items) <= PAGE, f"a page asked with limit={PAGE} holds {len(items)} items", response)


@rule("pagination.limit-bounds", family="pagination", when=_paged)
def limit_bounds(ctx: Context, kind: Kind) -> None:
    """Limits outside the documented range are rejected with 400; the bounds themselves are accepted."""
    list_op = ctx.operation(kind, "list")
    low, high, _ = ctx.api.limit_bounds(list_op, kind.pagination.limit_param)
    if low is None and high is None:
        raise Skip("the limit parameter declares no bounds")
    param = kind.pagination.limit_param
    for value in (v for v in (low, high) if v is not None):
        response = ctx.call(list_op, params={param: value})
        expect(response.status_code == 200, f"limit={value} is inside the documented range", response)
    for value in ((low - 1) if low is not None else None, (high + 1) if high is not None else None):
        if value is None:
            continue
        response = ctx.call(list_op, params={param: value})
        expect(response.status_code == 400,
               f"limit={value} is outside the documented range {low}..{high} and must be rejected with 400",
               response)


@rule("pagination.walk-forward", family="pagination", when=_paged)
def walk_forward(ctx: Context, kind: Kind) -> None:
    """Walking `after` from the first page yields every item exactly once, and the last page has no `after`."""
    ids, query = _population(ctx, kind)
    seen: list[str] = []
    last = None
    for response, _body, items in walk(ctx, kind, query, "after"):
        seen += _ids(ctx, kind, items)
        last = response
    duplicates = sorted({i for i in seen if seen.count(i) > 1})
    expect(not duplicates, f"walking after returned {duplicates} more than once", last)
    missing = [i for i in ids if i not in seen]
    expect(not missing, f"walking after never returned {missing} (created before the walk)", last)


@rule("pagination.walk-backward", family="pagination", when=_paged)
def walk_backward(ctx: Context, kind: Kind) -> None:
    """Walking `before` from the last page returns to the first, every item exactly once."""
    ids, query = _population(ctx, kind)
    forward: list[str] = []
    last_body, last_items = None, []
    for _, body, items in walk(ctx, kind, query, "after"):
        forward += _ids(ctx, kind, items)
        last_body, last_items = body, _ids(ctx, kind, items)
    start = pointer_get(last_body, kind.pagination.get("before", "/paging/before"))
    if not start:
        raise Skip("the population fits on one page")
    expected = forward[:len(forward) - len(last_items)]
    backward: list[str] = []
    last = None
    for response, _, items in walk(ctx, kind, query, "before", start=start):
        backward = _ids(ctx, kind, items) + backward
        last = response
    expect(backward == expected,
           f"walking before from the last page gave {backward}, expected the earlier pages {expected}", last)


@rule("pagination.total", family="pagination", when=_paged)
def total(ctx: Context, kind: Kind) -> None:
    """The total of a list equals the number of items a full walk yields, on every page."""
    pointer = kind.pagination.get("total")
    if not pointer:
        raise Skip("the list declares no total")
    _, query = _population(ctx, kind)
    pages = list(walk(ctx, kind, query, "after"))
    count = sum(len(items) for _, _, items in pages)
    for response, body, _ in pages:
        expect(pointer_get(body, pointer) == count,
               f"{pointer} is {pointer_get(body, pointer)!r} but the walk yields {count} items", response)


@rule("pagination.filter", family="pagination", when=_paged)
def filtered(ctx: Context, kind: Kind) -> None:
    """A filter holds on every page: each item matches the filter value."""
    list_op = ctx.operation(kind, "list")
    selector = ctx.parent_filter(kind, list_op)
    if selector is None:
        raise Skip("no declared filter selects a parent")
    ids, query = _population(ctx, kind)
    ctx.create(kind)  # a sibling under another parent, which the filter must leave out
    flt = next(f for f in list_op.filters if f.param == selector[0])
    for response, _, items in walk(ctx, kind, query, "after"):
        for item in items:
            expect(pointer_get(item, flt.field) == query[selector[0]],
                   f"{flt.param}={query[selector[0]]!r} returned an item whose {flt.field} is "
                   f"{pointer_get(item, flt.field)!r}", response)
