"""Which space or project a request is for, checked to exist (or created on first use)."""

from __future__ import annotations

from mlmock.spec.declarations import Kind, pointer_set

from ...core.engine import Engine, Request
from ...core.errors import BadRequest, NotFound
from ...core.store import Record
from .common import UNSCOPED, fetch, path_id
from .documents import _viewed, build, save


def scope_of(engine: Engine, request: Request, kind: Kind, *, required: bool = True) -> str:
    """``space:<id>`` or ``project:<id>`` from the query or the body; exactly one of them, and
    one that exists (the document's ``scopes`` say which kind each scope parameter names)."""
    if not kind.scope:
        return UNSCOPED
    body = request.body if isinstance(request.body, dict) else {}
    given = [(name, request.params.get(name) or body.get(name)) for name in kind.scope]
    # Given both, the first declared wins (space_id): the reference's own examples send both, and
    # OpenAPI cannot say "not both" of query parameters, so refusing would reject schema-valid calls.
    given = [(name, value) for name, value in given if value]
    if not given:
        if required:
            wanted = f"Either {' or '.join(kind.scope)}" if len(kind.scope) > 1 else kind.scope[0]
            raise BadRequest(f"{wanted} has to be provided.", code="missing_parameter")
        return UNSCOPED
    name, value = given[0]
    ensure_scope(engine, request, name, str(value))
    return f"{name.removesuffix('_id')}:{value}"


def ensure_scope(engine: Engine, request: Request, param: str, value: str) -> None:
    """The space or project a scope parameter names must exist: a 404 otherwise, or, with
    ``auto_spaces`` and a scope declared ``auto-create``, a new one with that id."""
    declared = request.api.scopes.get(param)
    if declared is None:
        return
    holder = request.api.kinds[declared.kind]
    holders = engine.collection(request.api, holder)
    if holders.get(value) is not None:
        return
    if declared.auto_create and engine.settings.auto_spaces:
        with holders.transaction():
            doc = build(engine, request, holder, {"name": f"{holder.name}-{value}"}, UNSCOPED)
            pointer_set(doc, holder.id, value)
            if holder.lifecycle is not None:
                resting = holder.lifecycle.resting or (holder.lifecycle.initial,)
                pointer_set(doc, holder.lifecycle.field, resting[0])
            save(engine, request.api, holder, doc, UNSCOPED)
        return
    raise NotFound(f"{holder.name} with id '{value}' does not exist", code="does_not_exist")


def located(engine: Engine, request: Request) -> tuple[Kind, Record]:
    """The stored resource the path names and its kind: on a view, the resource it shows."""
    kind = request.kind
    if kind.view_of is not None:
        record = _viewed(engine, request, kind)
        return request.api.kinds[record.kind], record
    return kind, fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
