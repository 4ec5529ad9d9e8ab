"""The stateful rules, judged on observed exchanges from the ``x-mlmock-*`` declarations.

Each function takes a :class:`Seeing` (the exchange, its operation and kind, the judge's state) and
yields ``(rule, message)`` pairs. They read the same declarations as the active rules of
``contracts/checks`` (pagination pointers and bounds, patch policy, unique fields, versioning,
lifecycle, scope, delete policy), and reuse their helpers where one exists.


The single-resource rules (``single``, ``revision_created``) are in :mod:`.single`; what a rule
is given, :class:`Seeing`, in :mod:`.seeing`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from mlmock.spec.declarations import pointer_get

from . import registry as R
from .seeing import TRUE, Found, Seeing, _id, _int, _items
from .single import revision_created, single
from .state import WALK_IDS, Walk


def auth(s: Seeing) -> Found:
    if s.op.requires_auth and s.ex.ok and not s.ex.request_header("authorization"):
        yield R.AUTH_MISSING, f"{s.op.operation_id} answered {s.ex.status} to a request without credentials"


def _page_key(path: str, query: list[tuple[str, str]]) -> tuple:
    return (path, tuple(sorted(query)))


def _next_request(s: Seeing, body: dict) -> tuple | None:
    """The request that fetches the next page (path and query), as the client will send it."""
    p = s.kind.pagination
    if p.style == "cursor":
        token = pointer_get(body, p.after)
        if not token:
            return None
        skip = (p.after_param, p.before_param)
        query = [(k, v) for k, v in s.ex.query if k not in skip] + [(p.after_param, str(token))]
        return _page_key(s.ex.path, query)
    href = pointer_get(body, p.next) if p.next else None
    if not href:
        return None
    parts = urlsplit(str(href))
    return _page_key(parts.path, parse_qsl(parts.query, keep_blank_values=True))


def pagination(s: Seeing) -> Found:
    kind, ex = s.kind, s.ex
    if kind is None or kind.pagination is None or s.op.action != "list" or not ex.ok:
        return
    body = ex.response_json
    items = _items(kind, body)
    if items is None:
        return
    p = kind.pagination
    sent = ex.param(p.limit_param)
    limit = _int(sent) if sent is not None else s.decl.limit_bounds(s.op, p.limit_param)[2]
    if limit is not None and len(items) > limit:
        yield R.PAGE_SIZE, f"a page of {len(items)} items answered limit={sent if sent is not None else limit}" \
                           + ("" if sent is not None else " (the documented default)")
    ids = [i for i in (_id(kind, item) for item in items) if i is not None]
    yield from _filters(s, items)
    yield from _next_link(s, body)
    after_param = p.after_param if p.style == "cursor" else (p.start_param or "start")
    before_param = p.before_param
    if before_param and ex.param(before_param):
        expected = s.state.before.get((s.api, kind.name, ex.path, ex.param(before_param)))
        if expected is not None and sorted(expected) != sorted(ids):
            yield R.WALK_BACK, (f"{before_param}={ex.param(before_param)} answered {len(ids)} items that are not "
                                f"the {len(expected)} of the page before the one that gave the cursor")
        return
    token = ex.param(after_param) if after_param else None
    here = (s.api, *_page_key(ex.path, ex.query))
    walk = s.state.walks.pop(here)
    if walk is None:
        walk = Walk(complete=token is None)
    repeated = sorted(set(ids) & walk.ids) + sorted(i for i in set(ids) if ids.count(i) > 1)
    if repeated:
        yield R.WALK, f"the walk served {repeated[:5]} twice (at {ex.entry.url})"
    if len(walk.ids) < WALK_IDS:
        walk.ids.update(ids)
    walk.previous, walk.current = walk.current, ids
    before_token = pointer_get(body, p.before) if p.before else None
    if before_token and walk.previous:
        s.state.before.put((s.api, kind.name, ex.path, str(before_token)), walk.previous)
    nxt = _next_request(s, body)
    if nxt:
        s.state.walks.put((s.api, *nxt), walk)
        return
    total = pointer_get(body, p.total) if p.total else None
    if walk.complete and isinstance(total, int) and len(walk.ids) < WALK_IDS and total != len(walk.ids):
        yield R.TOTAL, (f"a walk from the first page to the last yielded {len(walk.ids)} distinct items; "
                        f"the answer says total {total}")


def _filters(s: Seeing, items: list) -> Found:
    for f in s.op.filters:
        value = s.ex.param(f.param)
        compound = f.syntax and ("," in (value or "") or " or " in (value or "") or " and " in (value or ""))
        if value is None or compound or f.alternate_fields:
            continue  # compound values and alternate fields are judged by the active rule only
        for item in items:
            got = pointer_get(item, f.field)
            if f.match == "equals" and got is not None and str(got) != value:
                yield R.FILTER, f"{f.param}={value} listed an item whose {f.field} is {got!r}"
                return
            if f.match == "contains" and isinstance(got, list) and value not in got:
                yield R.FILTER, f"{f.param}={value} listed an item whose {f.field} lacks it"
                return
            if f.match == "has-key" and isinstance(got, dict) and value not in got:
                yield R.FILTER, f"{f.param}={value} listed an item without {f.field}/{value}"
                return


def _next_link(s: Seeing, body: dict) -> Found:
    p = s.kind.pagination
    href = pointer_get(body, p.next) if p.next else None
    if not href:
        return
    start = p.start_param or "start"
    linked = dict(parse_qsl(urlsplit(str(href)).query, keep_blank_values=True))
    lost = [k for k, _ in s.ex.query if k not in linked and k != start]
    if lost:
        yield R.NEXT_LINK, f"the next link {href} drops {lost} of the page's query"


def probe(s: Seeing) -> Found:
    if s.kind is None or s.op.action != "list" or not s.ex.ok:
        return
    spec = s.op.extensions.availability
    if spec is None or s.ex.param(spec.param) not in TRUE:
        return
    name = s.ex.param(spec.value_param)
    if name is None or s.ex.status != spec.available:
        return
    for id_, seen in s.state.resources_of(s.api, s.kind.name):
        if seen.deleted is None and seen.doc is not None and pointer_get(seen.doc, spec.field) == name:
            yield R.PROBE, f"{spec.value_param}={name} answered free while {s.kind.name} {id_} holds it"
            return


def listed_isolation(s: Seeing) -> Found:
    kind = s.kind
    if kind is None or not kind.scope or s.op.action != "list" or not s.ex.ok or kind.pagination is None:
        return
    scope = s.request_scope()
    items = _items(kind, s.ex.response_json) or []
    for item in items:
        id_ = _id(kind, item)
        seen = s.state.seen(s.api, kind.name, id_) if id_ else None
        if seen is not None and scope and seen.scope and seen.scope != scope:
            yield R.ISOLATION, f"the list for {scope} holds {kind.name} {id_} of {seen.scope}"
            return


RULES = (auth, pagination, probe, listed_isolation, revision_created, single)
