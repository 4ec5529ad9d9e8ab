"""Lists: filters, paging with opaque start tokens, the next/first hrefs, and stats."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get, pointer_set

from ...core import cursors, lifecycle
from ...core.engine import Engine, Reply, Request, stringify
from ...core.errors import BadRequest, Conflict
from ...core.store import Position, Record
from .common import WML, truthy
from .documents import advance, index, render
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
    path = request.api.base_path + request.op.path.format(**{k: v for k, v in request.params.items()})
    out: dict[str, Any] = {"limit": limit,
                           "first": {"href": f"{request.origin}{path}?{_query(request, limit=limit, start=None)}"},
                           "resources": items}
    if next_token is not None:
        out["next"] = {"href": f"{request.origin}{path}?{_query(request, limit=limit, start=next_token)}"}
    if total is not None:
        out["total_count"] = total
    return out


@WML.action("list")
def list_(engine: Engine, request: Request) -> Reply:
    kind, api, op = request.kind, request.api, request.op
    for param in op.parameters:
        probe = param.get("x-mlmock-availability")
        if probe and truthy(request.params.get(param["name"])):
            value = request.params.get(probe["value-param"])
            if not value:
                raise BadRequest(f"{param['name']}=true needs {probe['value-param']}")
            taken = engine.store.find(api.name, kind.name, f"filter:{probe['value-param']}", str(value))
            if taken:
                raise Conflict(f"{probe['value-param']} '{value}' is already in use", code="conflict")
            return Reply(probe.get("available", 204))
        stats = param.get("x-mlmock-stats")
        if stats and truthy(request.params.get(param["name"])):
            return Reply(200, _stats(engine, request, kind, stats))
    pagination = kind.pagination
    if pagination is not None and pagination.style == "none":
        records, _, _ = engine.page(request, scope=scope_of(engine, request, kind, required=False), limit=10_000)
        out: dict[str, Any] = {}
        pointer_set(out, pagination.total, len(records))
        pointer_set(out, pagination.items, [render(request, kind, r.doc) for r in records])
        return Reply(200, out)
    scope = scope_of(engine, request, kind)
    _, _, default = api.limit_bounds(op, pagination.limit_param)
    limit = request.param(pagination.limit_param, default or 100)
    filters = _filters(request)
    query = cursors.fingerprint([kind.name, scope, sorted(json.dumps(f) for f in filters)])
    token = request.param(pagination.start_param)
    position = cursors.decode(token, query, name="start") if token else None
    items: list[Record] = []
    more = False
    with engine.store.transaction():
        _settle(engine, request, kind, scope)
        # A read may move a resource's state: one that no longer matches a state filter is left
        # out, and the page is filled up from the following resources.
        while len(items) < limit:
            records, more = engine.store.page(api.name, kind.name, scope=scope, filters=filters,
                                              after=position, limit=limit - len(items))
            for record in records:
                position = Position(record.sort_key, record.rowid)
                record = advance(engine, api, kind, record, read=True)
                if _matches(index(engine, api, kind, record.doc), filters):
                    items.append(record)
            if not more:
                break
    total = None
    total_param = pagination.total_param
    if total_param is not None and truthy(request.params.get(total_param)):
        total = engine.store.count(api.name, kind.name, scope=scope, filters=filters)
    next_token = cursors.encode(position, query) if more and position is not None else None
    rendered = [render(request, kind, r.doc) for r in items]
    return Reply(200, _page_envelope(request, kind, rendered, limit, next_token, total))


def _filters(request: Request) -> list[tuple[str, str | tuple[str, ...]]]:
    """The store filters of a list request; ``(attribute, (v1, v2))`` matches any of the values.

    ``syntax: or-and`` reads ``a or b`` as any of the tags and ``a and b`` as all of them
    (``a or b and c`` as ``(a or b) and c``); ``syntax: comma-any`` reads ``a,b`` as any of them.
    """
    found: list[tuple[str, str | tuple[str, ...]]] = []
    for param in request.op.parameters:
        spec = param.get("x-mlmock-filter")
        value = request.params.get(param["name"])
        if not spec or value is None:
            continue
        attr, text = f"filter:{param['name']}", stringify(value)
        if spec.get("syntax") == "or-and":
            groups = [tuple(v.strip() for v in re.split(r"\s+or\s+", group) if v.strip())
                      for group in re.split(r"\s+and\s+", text.strip())]
        elif spec.get("syntax") == "comma-any":
            groups = [tuple(v.strip() for v in text.split(",") if v.strip())]
        else:
            groups = [(text,)]
        for group in groups:
            if group:
                found.append((attr, group if len(group) > 1 else group[0]))
    return found


def _matches(attrs: dict[str, list[str]], filters: list[tuple[str, str | tuple[str, ...]]]) -> bool:
    return all(any(v in attrs.get(name, ()) for v in (value if isinstance(value, tuple) else (value,)))
               for name, value in filters)


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
    for param in request.op.parameters:
        spec = param.get("x-mlmock-filter")
        if not spec or request.params.get(param["name"]) is None or spec["field"] not in state_fields:
            continue
        after = None
        while moving:
            records, more = engine.store.page(api.name, kind.name, scope=scope, after=after, limit=500,
                                              filters=[(f"filter:{param['name']}", moving)])
            for record in records:
                advance(engine, api, kind, record, read=False)
            if not more or not records:
                break
            after = Position(records[-1].sort_key, records[-1].rowid)


def _stats(engine: Engine, request: Request, kind: Kind, stats: dict) -> dict:
    """Counts per group (e.g. per space) over every stored resource of the kind."""
    groups: dict[str, dict[str, int]] = {}
    for record in _everywhere(engine, request.api, kind):
        key = pointer_get(record.doc, stats["group-by"]) or ""
        counts = groups.setdefault(key, {name: 0 for name in stats["counts"]})
        for name, pointer in stats["counts"].items():
            counts[name] += pointer_get(record.doc, pointer) is not None
    field = stats["group-by"].rsplit("/", 1)[-1]
    path = request.api.base_path + request.op.path
    return {"limit": 1, "first": {"href": f"{request.origin}{path}?{_query(request)}"}, "resources": [],
            "system": {"stats": [{field: key, **counts} for key, counts in sorted(groups.items())]}}


def _everywhere(engine: Engine, api: ApiDeclaration, kind: Kind) -> list[Record]:
    found: list[Record] = []
    for api_name, kind_name, scope, _ in engine.store.kinds_summary():
        if (api_name, kind_name) != (api.name, kind.name):
            continue
        position = None
        while True:
            records, more = engine.store.page(api_name, kind_name, scope=scope, limit=500, after=position)
            found += records
            if not more:
                break
            position = Position(records[-1].sort_key, records[-1].rowid)
    return found
