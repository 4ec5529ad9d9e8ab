"""The single-resource actions: create, get, static, patch, delete."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ...core import jsonsafety, lifecycle, patching
from ...core.catalogue import SERVICE_VERSION
from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest, NotFound
from ...core.store import Record
from ...core.validation import validate
from .common import WML, fetch, iso, path_id, status_for, truthy
from .documents import _view, _viewed, advance, answer, build, on_enter, render, save
from .scopes import located, scope_of


@WML.action("create")
def create(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    if not isinstance(request.body, dict):
        raise BadRequest("the request body must be a JSON object")
    record = store_new(engine, request, kind, request.body)
    if request.op.answer:  # where the resource is, not the resource (a project's `location`)
        return Reply(status_for(request, request.body), answer(request, kind, record.doc))
    return Reply(status_for(request, request.body), render(request, kind, record.doc))


def store_new(engine: Engine, request: Request, kind: Kind, body: dict) -> Record:
    """Build, check, validate and save a new resource of ``kind`` from a create body."""
    api = request.api
    scope = scope_of(engine, request, kind)
    coll = engine.collection(api, kind)
    with coll.transaction():
        doc = build(engine, request, kind, body, scope)
        coll.check_unique(coll.unique_keys(doc))
        engine.lifecycles.begin(api.name, kind, doc, engine.clock.now_ms(), on_enter=on_enter)
        validate(api, kind.schema, render(request, kind, doc), what=kind.name)
        return save(engine, api, kind, doc, scope)


@WML.action("get")
def get(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    if kind.view_of is not None:
        return Reply(200, _view(engine, request, kind, _viewed(engine, request, kind)))
    id_ = path_id(request)
    scope = scope_of(engine, request, kind)
    coll = engine.collection(api, kind)
    with coll.transaction():
        record = advance(engine, api, kind, fetch(engine, request, kind, id_, scope), read=True)
    versioning = kind.versioning
    if versioning is not None and versioning.style == "revisions":
        rev = request.params.get(versioning.param)
        if rev and rev != "latest":
            snapshot = coll.history_entry(id_, str(rev))
            if snapshot is None:
                raise NotFound(f"revision '{rev}' of {kind.name} '{id_}' does not exist", code="does_not_exist")
            return Reply(200, render(request, kind, snapshot))
    return Reply(200, render(request, kind, record.doc))


@WML.action("static")
def static(engine: Engine, request: Request) -> Reply:
    return Reply(200, {"version": SERVICE_VERSION})


@WML.action("patch")
def patch(engine: Engine, request: Request) -> Reply:
    """A JSON Patch on the documented paths; on a view (``/v2/assets``) the view's paths, applied
    to the resource it shows, which answers in the view."""
    return _patch(engine, request, lambda record: request.body)


@WML.action("merge")
def merge(engine: Engine, request: Request) -> Reply:
    """A partial update: each top-level member of the body replaces the field of that path (``null``
    removes it), under the kind's patch policy; a member equal to the stored value is no change
    (clients send back the whole entity they read)."""
    if not isinstance(request.body, dict):
        raise BadRequest("the request body must be a JSON object")
    kind = request.kind

    def operations(record: Record) -> list[dict]:
        ops = []
        for name, value in request.body.items():
            path = "/" + name.replace("~", "~0").replace("/", "~1")
            rule = kind.patch.rule_for(path) if kind.patch is not None else None
            current = pointer_get(record.doc, rule.target if rule is not None else f"/entity{path}", _ABSENT)
            if current == value or (value is None and current is _ABSENT):
                continue
            ops.append({"op": "remove", "path": path} if value is None else {"op": "add", "path": path, "value": value})
        return ops

    return _patch(engine, request, operations)


_ABSENT = object()


def _patch(engine: Engine, request: Request, operations_of) -> Reply:
    policy, api = request.kind, request.api
    if request.op.action == "patch":
        patching.check_policy(policy, request.body)
    with engine.collection(api, policy).transaction():
        kind, record = located(engine, request)
        operations = operations_of(record)
        if request.op.action != "patch":
            patching.check_policy(policy, operations)
        record = apply_patch(engine, request, kind, record, policy.patch.translate(operations),
                             [op["path"] for op in operations])
    if policy.view_of is not None:
        return Reply(status_for(request), _view(engine, request, policy, record))
    return Reply(status_for(request), render(request, kind, record.doc))


def apply_patch(engine: Engine, request: Request, kind: Kind, record: Record, operations: list[dict],
                touched: list[str]) -> Record:
    """Apply translated ``operations`` to a stored resource (server-managed fields restored), let a
    patch of ``touched`` paths move its lifecycle, validate and save it."""
    api = request.api
    coll = engine.collection(api, kind)
    before = record.doc
    patched = patching.apply(before, operations)
    patched = patching.restore(before, patched, kind.server_managed + (kind.id,))
    patched["metadata"][kind.metadata_names.modified_at] = iso(engine.clock.now_ms())
    coll.check_unique(coll.unique_keys(patched), exclude=record.id)
    lc = kind.lifecycle
    if lc is not None and lc.on_patch and any(p == q or p.startswith(q + "/") for p in touched
                                              for q in lc.on_patch_paths):
        engine.lifecycles.begin(api.name, kind, patched, engine.clock.now_ms(), state=lc.on_patch,
                                on_enter=on_enter)
    validate(api, kind.schema, render(request, kind, patched), what=kind.name)
    return save(engine, api, kind, patched, record.scope)


def _cancel(engine: Engine, api: ApiDeclaration, kind: Kind, record: Record) -> None:
    state = lifecycle.state_of(kind, record.doc)
    if state is not None and lifecycle.happy_next(kind, state) is None:
        raise BadRequest(f"Job already completed with state {state}", code="invalid_state")
    doc = jsonsafety.copy(record.doc)
    engine.lifecycles.force(api, kind, doc, kind.delete.cancel_state, engine.clock.now_ms(), on_enter=on_enter)
    save(engine, api, kind, doc, record.scope)


@WML.action("delete")
def delete(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    if kind.view_of is not None:
        with engine.collection(api, kind).transaction():
            viewed = _viewed(engine, request, kind)
            target = api.kinds[viewed.kind]
            if target.delete.cancel_state:
                state = lifecycle.state_of(target, viewed.doc)
                # Deleting a platform job run stops a running job; a finished run is deleted with the
                # deployment job it ran: the official client on CPD <= 5.1 deletes jobs this way only
                # (a 204 here and it never calls DELETE /ml/v4/deployment_jobs).
                if state is None or lifecycle.happy_next(target, state) is not None:
                    _cancel(engine, api, target, viewed)
                else:
                    engine.collection(api, target).remove(viewed.id)
            else:
                engine.collection(api, target).remove(viewed.id)
        return Reply(request.op.success_statuses[0])
    scope = scope_of(engine, request, kind)
    hard = truthy(request.params.get(kind.delete.hard_param)) if kind.delete.hard_param else False
    coll = engine.collection(api, kind)
    with coll.transaction():
        record = fetch(engine, request, kind, path_id(request), scope)
        if kind.delete.cancel_state and not hard:
            _cancel(engine, api, kind, record)
        else:
            coll.remove(record.id)
            contains = kind.contains
            if contains:  # a space: everything in it goes with it
                coll.remove_where(scope=f"{contains.removesuffix('_id')}:{record.id}")
    return Reply(status_for(request))
