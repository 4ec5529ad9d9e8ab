"""The actions: create, upsert, list, get, patch, delete, restore and the version history."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from mlmock.spec.declarations import Kind, pointer_get, pointer_set

from ...core import jsonsafety, paging, patching
from ...core.collection import PARENT
from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest, Conflict, NotFound
from ...core.store import Record
from .common import (
    OPENMETADATA,
    body_of,
    fetch,
    include_state,
    lookup,
    not_found,
    render,
    requested_fields,
    version_key,
)
from .documents import build, commit, resolve_references


@OPENMETADATA.action("static")
def static(engine: Engine, request: Request) -> Reply:
    document = request.op.options.get("document")
    if document == "version":
        return Reply(200, {"version": engine.settings.openmetadata_version, "revision": "mlmock",
                           "timestamp": engine.clock.now_ms()})
    raise NotFound(f"no static document {document!r}")


@OPENMETADATA.action("create")
def create(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    with engine.collection(request.api, request.kind).transaction():
        record, _ = commit(engine, request, None, build(engine, request, body_of(request), None))
    return Reply(201, render(request, kind, record.doc))


def _upsert(engine: Engine, request: Request, body: dict) -> tuple[int, Record]:
    kind = request.kind
    with engine.collection(request.api, request.kind).transaction():
        probe = build(engine, request, body, None)
        existing = lookup(engine, request, kind.name, pointer_get(probe, kind.fqn), deleted=None) \
            if kind.fqn else None
        if existing is None:
            record, _ = commit(engine, request, None, probe)
            return 201, record
        record, _ = commit(engine, request, existing, build(engine, request, body, existing))
        return 200, record


@OPENMETADATA.action("upsert")
def upsert(engine: Engine, request: Request) -> Reply:
    status, record = _upsert(engine, request, body_of(request))
    return Reply(status, render(request, request.kind, record.doc))


@OPENMETADATA.action("bulk-upsert")
def bulk_upsert(engine: Engine, request: Request) -> Reply:
    passed, failed = [], []
    for item in body_of(request):
        try:
            status, record = _upsert(engine, request, item)
        except (BadRequest, Conflict, NotFound) as error:
            failed.append({"request": item, "message": error.message, "status": error.status})
        else:
            passed.append({"request": item, "status": status,
                           "message": "Entity created" if status == 201 else "Entity updated"})
    total = len(passed) + len(failed)
    status = "success" if not failed else ("failure" if not passed else "partialSuccess")
    return Reply(200, {"dryRun": False, "status": status, "numberOfRowsProcessed": total,
                       "numberOfRowsPassed": len(passed), "numberOfRowsFailed": len(failed),
                       "successRequest": passed, "failedRequest": failed})


@OPENMETADATA.action("list")
def list_(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    fields = requested_fields(request, kind)
    deleted = include_state(request)
    pagination = kind.pagination
    _, _, default = request.api.limit_bounds(request.op, pagination.limit_param)
    coll = engine.collection(request.api, kind)
    conds = coll.conditions(request.op, request.params)
    page = coll.page(deleted=deleted, conds=conds, limit=request.param(pagination.limit_param, default),
                     after=request.param(pagination.after_param), before=request.param(pagination.before_param),
                     names=(pagination.after_param, pagination.before_param))
    return Reply(200, paging.envelope(pagination, items=[render(request, kind, r.doc, fields=fields)
                                                         for r in page.records],
                                      total=coll.count(deleted=deleted, conds=conds),
                                      after=page.after, before=page.before))


@OPENMETADATA.action("get")
def get(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    fields = requested_fields(request, kind)
    record = fetch(engine, request, request.params["id"], deleted=include_state(request))
    return Reply(200, render(request, kind, record.doc, fields=fields))


@OPENMETADATA.action("get-by-name")
def get_by_name(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    fields = requested_fields(request, kind)
    fqn = request.params["fqn"]
    record = lookup(engine, request, kind.name, fqn, deleted=include_state(request))
    if record is None:
        raise not_found(kind.name, fqn)
    return Reply(200, render(request, kind, record.doc, fields=fields))


@OPENMETADATA.action("patch")
def patch(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    operations = body_of(request)
    patching.check_policy(kind, operations)
    with engine.collection(request.api, request.kind).transaction():
        record = fetch(engine, request, request.params["id"])
        every = set(kind.relation_fields.names) if kind.relation_fields else None
        patched = patching.apply(render(request, kind, record.doc, fields=every), operations)
        if not isinstance(patched, dict):
            raise BadRequest("patch must leave an entity (a JSON object)")
        patched = patching.restore(record.doc, patched, kind.immutable + kind.server_managed)
        changed: dict[str, Any] = {}  # references a patch sets must name existing entities too
        for ref in kind.references:
            value = pointer_get(patched, ref.field)
            if value is not None and value != pointer_get(record.doc, ref.field):
                pointer_set(changed, ref.field, value)
        resolve_references(engine, request, kind, patched, changed)
        record, _ = commit(engine, request, record, patched, deleted=False)
    return Reply(200, render(request, kind, record.doc))


def children(engine: Engine, request: Request, kind: Kind, record: Record) -> list[tuple[Kind, Record]]:
    """The entities whose declared parent is ``record`` (a service's models), deleted ones too."""
    found = []
    for child in request.api.kinds.values():
        if child.parent is not None and child.parent.kind == kind.name:
            found += [(child, r) for r in engine.collection(request.api, child).find(PARENT, record.id)]
    return found


def _delete(engine: Engine, request: Request, kind: Kind, record: Record, *, hard: bool, recursive: bool) -> dict:
    contained = children(engine, request, kind, record)
    if contained and not recursive:
        # The real server refuses a non-recursive delete of a container that still holds any
        # entity, soft-deleted ones included (its CONTAINS relationships remain): a 400.
        raise BadRequest(f"Entity {kind.name} is not empty; delete its {contained[0][0].name} entities "
                         "first or use recursive=true")
    for child_kind, child in contained:
        if hard or not child.deleted:
            child_request = replace(request, op=request.api.operation(child_kind.name, "delete") or request.op)
            _delete(engine, child_request, child_kind, child, hard=hard, recursive=True)
    if hard or not kind.delete.soft:
        engine.collection(request.api, kind).remove(record.id)
        return dict(record.doc, deleted=True)
    record, _ = commit(engine, request, record, jsonsafety.copy(record.doc), deleted=True)
    return record.doc


@OPENMETADATA.action("delete")
def delete(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    hard = bool(request.param(kind.delete.hard_param, False)) if kind.delete.hard_param else False
    recursive_param = kind.delete.recursive_param
    recursive = bool(request.param(recursive_param, False)) if recursive_param else False
    with engine.collection(request.api, request.kind).transaction():
        record = fetch(engine, request, request.params["id"], deleted=None if hard or not kind.delete.soft else False)
        doc = _delete(engine, request, kind, record, hard=hard, recursive=recursive)
    return Reply(200, render(request, kind, doc))


@OPENMETADATA.action("restore")
def restore(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    with engine.collection(request.api, request.kind).transaction():
        record = fetch(engine, request, body_of(request)["id"], deleted=True)
        record, _ = commit(engine, request, record, jsonsafety.copy(record.doc), deleted=False)
    return Reply(200, render(request, kind, record.doc))


@OPENMETADATA.action("versions")
def versions(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, request.params["id"], deleted=None)
    history = engine.collection(request.api, kind).history(record.id, newest_first=True)
    return Reply(200, {"entityType": kind.name,
                       "versions": [json.dumps(render(request, kind, doc), separators=(",", ":"))
                                    for _, doc in history]})


@OPENMETADATA.action("version")
def version(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, request.params["id"], deleted=None)
    key = version_key(request.params["version"])
    doc = engine.collection(request.api, kind).history_entry(record.id, key)
    if doc is None:
        raise not_found(kind.name, f"{record.id} version {request.params['version']}")
    return Reply(200, render(request, kind, doc))
