"""Space and project members: a list inside the owning record, each member addressed by its key."""

from __future__ import annotations

import re

from mlmock.spec.declarations import Kind, Members, pointer_get, pointer_set

from ...core import jsonsafety, patching, schemadefaults
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
    with engine.transaction():  # a move the lifecycle stores is a read-modify-write (joins the caller's)
        record = advance(engine, request.api, kind,
                         fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind)), read=False)
    return kind, record, settings, list(pointer_get(record.doc, settings.field) or [])


def _member_index(settings: Members, members: list[dict], member_id: str) -> int:
    for i, member in enumerate(members):
        if str(pointer_get(member, settings.key)) == member_id:
            return i
    raise NotFound(f"member '{member_id}' does not exist", code="does_not_exist")


def _member_id(request: Request) -> str:
    """The member named in the path: the operation's second path parameter (`member_id`, `user_name`)."""
    return request.params[re.findall(r"\{([^}]+)\}", request.op.path)[1]]


def _store_members(engine: Engine, request: Request, kind: Kind, record: Record, settings: Members,
                   members: list[dict]) -> None:
    doc = jsonsafety.copy(record.doc)
    pointer_set(doc, settings.field, members)
    validate(request.api, kind.schema, render(request, kind, doc), what=kind.name)
    save(engine, request.api, kind, doc, record.scope)


@WML.action("members")
def members_list(engine: Engine, request: Request) -> Reply:
    _, _, _, members = _members_of(engine, request)
    for selector in request.op.extensions.member_filters:
        if request.params.get(selector.param) is not None:
            members = [m for m in members if pointer_get(m, selector.pointer) == request.params[selector.param]]
    limit = request.params.get("limit")
    shown = members[:limit] if limit else members
    return Reply(200, {"total_count": len(members), "resources": shown})


@WML.action("members-add")
def members_add(engine: Engine, request: Request) -> Reply:
    body = request.body if isinstance(request.body, dict) else {}
    schema = request.op.request_body["content"]["application/json"]["schema"]
    added = schemadefaults.fill(request.api, schema, jsonsafety.copy(body)).get("members", [])
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
    return Reply(200, members[_member_index(settings, members, _member_id(request))])


@WML.action("member-patch")
def member_patch(engine: Engine, request: Request) -> Reply:
    operations = request.body if isinstance(request.body, list) else []
    with engine.collection(request.api, request.kind).transaction():
        kind, record, settings, members = _members_of(engine, request)
        i = _member_index(settings, members, _member_id(request))
        allowed = settings.patch_paths
        for op in operations:
            if op.get("path") not in allowed or op.get("op") not in ("add", "replace"):
                raise BadRequest(f"a member patch may only replace {', '.join(allowed)}", code="invalid_patch")
        patched = patching.apply(members[i], operations)
        members[i] = patching.restore(members[i], patched, (settings.key,))
        _store_members(engine, request, kind, record, settings, members)
    return Reply(200, members[i])


@WML.action("members-update")
def members_update(engine: Engine, request: Request) -> Reply:
    """A batch change: each member of the body, named by its key, gets the values of its patch paths;
    its other fields must be unchanged. An unknown member is a 404 and nothing changes."""
    body = request.body if isinstance(request.body, dict) else {}
    with engine.collection(request.api, request.kind).transaction():
        kind, record, settings, members = _members_of(engine, request)
        changed = []
        for given in body.get("members", []):
            i = _member_index(settings, members, str(pointer_get(given, settings.key)))
            member = jsonsafety.copy(members[i])
            for name, value in given.items():
                pointer = "/" + name
                if pointer in settings.patch_paths:
                    member[name] = value
                elif member.get(name) != value:
                    raise BadRequest(f"a member update may only change {', '.join(settings.patch_paths)}",
                                     code="invalid_patch")
            members[i] = member
            changed.append(member)
        _store_members(engine, request, kind, record, settings, members)
    return Reply(status_for(request), {"members": changed})


@WML.action("member-delete")
def member_delete(engine: Engine, request: Request) -> Reply:
    with engine.collection(request.api, request.kind).transaction():
        kind, record, settings, members = _members_of(engine, request)
        del members[_member_index(settings, members, _member_id(request))]
        _store_members(engine, request, kind, record, settings, members)
    return Reply(status_for(request))
