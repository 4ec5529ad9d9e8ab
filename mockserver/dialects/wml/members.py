"""Space and project members: a list inside the owning record, each member addressed by id."""

from __future__ import annotations

import copy

from mlmock.spec.declarations import Kind, Members, pointer_get, pointer_set

from ...core import patching, schemadefaults
from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest, Conflict, NotFound
from ...core.store import Record
from ...core.validation import validate
from .common import WML, fetch, path_id, status_for
from .documents import advance, render, save
from .scopes import scope_of


def _members_of(engine: Engine, request: Request) -> tuple[Kind, Record, dict, list[dict]]:
    kind = request.kind
    settings = kind.members
    record = advance(engine, request.api, kind,
                     fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind)), read=False)
    return kind, record, settings, list(pointer_get(record.doc, settings.field) or [])


def _member_index(settings: Members, members: list[dict], member_id: str) -> int:
    for i, member in enumerate(members):
        if str(pointer_get(member, settings.key)) == member_id:
            return i
    raise NotFound(f"member '{member_id}' does not exist", code="does_not_exist")


def _store_members(engine: Engine, request: Request, kind: Kind, record: Record, settings: Members,
                   members: list[dict]) -> None:
    doc = copy.deepcopy(record.doc)
    pointer_set(doc, settings.field, members)
    validate(request.api, kind.schema, render(request, kind, doc), what=kind.name)
    save(engine, request.api, kind, doc, record.scope)


@WML.action("members")
def members_list(engine: Engine, request: Request) -> Reply:
    _, _, _, members = _members_of(engine, request)
    for param in request.op.parameters:
        pointer = param.get("x-mlmock-member-filter")
        if pointer and request.params.get(param["name"]) is not None:
            members = [m for m in members if pointer_get(m, pointer) == request.params[param["name"]]]
    limit = request.params.get("limit")
    shown = members[:limit] if limit else members
    return Reply(200, {"total_count": len(members), "resources": shown})


@WML.action("members-add")
def members_add(engine: Engine, request: Request) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    schema = request.op.request_body["content"]["application/json"]["schema"]
    added = schemadefaults.fill(request.api, schema, copy.deepcopy(body)).get("members", [])
    with engine.collection(request.api, request.kind).transaction():
        kind, record, settings, members = _members_of(engine, request)
        known = {str(pointer_get(m, settings.key)) for m in members}
        for member in added:
            key = str(pointer_get(member, settings.key))
            if key in known:
                raise Conflict(f"member '{key}' is already in this {kind.name}", code="conflict")
            known.add(key)
        _store_members(engine, request, kind, record, settings, members + added)
    return Reply(status_for(request), {"members": added})


@WML.action("member-get")
def member_get(engine: Engine, request: Request) -> Reply:
    _, _, settings, members = _members_of(engine, request)
    return Reply(200, members[_member_index(settings, members, request.params["member_id"])])


@WML.action("member-patch")
def member_patch(engine: Engine, request: Request) -> Reply:
    operations = request.body if isinstance(request.body, list) else []
    with engine.collection(request.api, request.kind).transaction():
        kind, record, settings, members = _members_of(engine, request)
        i = _member_index(settings, members, request.params["member_id"])
        allowed = settings.patch_paths
        for op in operations:
            if op.get("path") not in allowed or op.get("op") not in ("add", "replace"):
                raise BadRequest(f"a member patch may only replace {', '.join(allowed)}", code="invalid_patch")
        patched = patching.apply(members[i], operations)
        members[i] = patching.restore(members[i], patched, (settings.key,))
        _store_members(engine, request, kind, record, settings, members)
    return Reply(200, members[i])


@WML.action("member-delete")
def member_delete(engine: Engine, request: Request) -> Reply:
    with engine.collection(request.api, request.kind).transaction():
        kind, record, settings, members = _members_of(engine, request)
        del members[_member_index(settings, members, request.params["member_id"])]
        _store_members(engine, request, kind, record, settings, members)
    return Reply(status_for(request))
