"""Lists: filters, paging with opaque start tokens, the next/first hrefs, and stats."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mlmock.spec.declarations import Kind, Stats, pointer_get

from ...core import filtering, lifecycle, paging
from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest, Conflict
from ...core.store import Record
from .common import WML, truthy
from .documents import advance, render
from .scopes import scope_of


def _query(request: Request, **changes: Any) -> str:
    """The request's whole query with ``changes`` applied: clients follow ``next.href`` verbatim and
    re-add nothing, so parameters the spec does not declare (the IBM client's ``summary`` on spaces)
    are carried too."""
    params = {p["name"]: request.params[p["name"]] for p in request.op.parameters
              if p["in"] == "query" and p["name"] in request.params}
    params.update(changes)
    shown = {k: ("true" if v is True else "false" if v is False else v) for k, v in params.items() if v is not None}
    extra = [(k, v) for k, v in request.query if k not in shown and k not in changes]
    return urlencode([*shown.items(), *extra])


def _page_envelope(request: Request, kind: Kind, items: list[dict], limit: int, next_token: str | None,
                   total: int | None) -> dict:
    """A ``start`` page: the links carry the whole query, ``start`` and ``limit`` set."""
    p = kind.pagination
    path = request.api.base_path + request.op.path.format(**{k: v for k, v in request.params.items()})

    def href(token: str | None) -> str:
        return f"{request.origin}{path}?{_query(request, **{p.limit_param: limit, p.start_param: token})}"

    return paging.envelope(p, limit=limit, first=href(None), items=items,
                           next=href(next_token) if next_token is not None else None, total=total)


@WML.action("list")
def list_(engine: Engine, request: Request) -> Reply:
    kind, api, op = request.kind, request.api, request.op
    coll = engine.collection(api, kind)
    probe, stats = op.extensions.availability, op.extensions.stats
    if probe is not None and truthy(request.params.get(probe.param)):
        value = request.params.get(probe.value_param)
        if not value:
            raise BadRequest(f"{probe.param}=true needs {probe.value_param}")
        if coll.by_filter(probe.value_param, str(value)):
            raise Conflict(f"{probe.value_param} '{value}' is already in use", code="conflict")
        return Reply(probe.available)
    if stats is not None and truthy(request.params.get(stats.param)):
        return Reply(200, _stats(engine, request, kind, stats))
    pagination = kind.pagination
    conds = coll.conditions(op, request.params)
    if pagination is not None and pagination.style == "none":
        records = coll.page(scope=scope_of(engine, request, kind, required=False), conds=conds,
                            limit=10_000).records
        return Reply(200, paging.envelope(pagination, total=len(records),
                                          items=[render(request, kind, r.doc) for r in records]))
    scope = scope_of(engine, request, kind)
    _, _, default = api.limit_bounds(op, pagination.limit_param)
    limit = request.param(pagination.limit_param, default or 100)

    def refine(record: Record) -> Record | None:
        # A read may move a resource's state: one that no longer matches a state filter is left
        # out, and the page is filled up from the following resources.
        record = advance(engine, api, kind, record, read=True)
        return record if filtering.matches(coll.filter_values(record.doc), conds) else None

    with coll.transaction():
        _settle(engine, request, kind, scope)
        page = coll.page(scope=scope, conds=conds, limit=limit, after=request.param(pagination.start_param),
                         names=(pagination.start_param, "before"), refine=refine)
    total = None
    total_param = pagination.total_param
    if total_param is not None and truthy(request.params.get(total_param)):
        total = coll.count(scope=scope, conds=conds)
    rendered = [render(request, kind, r.doc) for r in page.records]
    return Reply(200, _page_envelope(request, kind, rendered, limit, page.after, total))


def _settle(engine: Engine, request: Request, kind: Kind, scope: str) -> None:
    """Under time pacing, move the in-flight resources on before filtering on their state.

    The index holds the state of the last write: a resource whose time has come must be found
    under the state it has now, not only left out of the state it had.
    """
    api = request.api
    if kind.lifecycle is None or engine.lifecycles.policy(api.name, kind.name).mode != "time":
        return
    state_fields = set(kind.lifecycle.fields)
    moving = tuple(s for s in api.lifecycle_states(kind) if lifecycle.happy_next(kind, s) is not None)
    coll = engine.collection(api, kind)
    for flt in request.op.filters:
        if request.params.get(flt.param) is None or flt.field not in state_fields or not moving:
            continue
        for record in coll.scan(scope=scope, conds=[(flt.param, moving)]):
            advance(engine, api, kind, record, read=False)


def _stats(engine: Engine, request: Request, kind: Kind, stats: Stats) -> dict:
    """Counts per group (e.g. per space) over every stored resource of the kind."""
    groups: dict[str, dict[str, int]] = {}
    for record in engine.collection(request.api, kind).scan(scope=None):
        key = pointer_get(record.doc, stats.group_by) or ""
        counts = groups.setdefault(key, {name: 0 for name, _ in stats.counts})
        for name, pointer in stats.counts:
            counts[name] += pointer_get(record.doc, pointer) is not None
    field = stats.group_by.rsplit("/", 1)[-1]
    path = request.api.base_path + request.op.path
    return {"limit": 1, "first": {"href": f"{request.origin}{path}?{_query(request)}"}, "resources": [],
            "system": {"stats": [{field: key, **counts} for key, counts in sorted(groups.items())]}}
