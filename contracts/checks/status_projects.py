"""Projects followed through their life: create, read, list, update, members, delete (reading 47, 53).

`/transactional/v2/projects` and `/v2/projects` are the platform's, not the v4 reference's: the
kind declares reading provenance, so every verdict here is a warning unless ``--strict``. The rule
creates its own project (the cleanup ledger records it as soon as the create answers, so a
failure midway leaves nothing behind) and judges each documented answer on it.
"""

from __future__ import annotations

import re
import uuid

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from ..context import Context, answered_id
from ..registry import rule
from ..results import NotServed, Skip, expect
from .status import documented_answer

READING_47 = ("spec/README.md reading 47 (POST /transactional/v2/projects answers 201 with the project's "
              "location, PATCH /v2/projects/{id} merges fields, DELETE answers 204) and reading 53 (members "
              "named by user_name: add 200 then 409, batch update 200, delete 204, then 404)")
ACTIONS = ("create", "get", "list", "merge", "delete", "members", "members-add", "members-update", "member-get",
           "member-delete")


def _project_kind(api: ApiDeclaration, kind: Kind) -> bool:
    return kind.members is not None and kind.contains == "project_id" \
        and all(api.operation(kind.name, action) is not None for action in ACTIONS)


def _member_param(op: Operation) -> str:
    return re.findall(r"\{([^}]+)\}", op.path)[1]


@rule("status.project-flow", family="status", when=_project_kind, provenance="reading", source=READING_47)
def project_flow(ctx: Context, kind: Kind) -> None:
    """A project is created (201, its location), read, listed by name, updated (200), given a member (200, again
    409) that is read, batch-updated and removed (204, then 404), deleted (204), then 404 everywhere."""
    ops = {action: ctx.operation(kind, action) for action in ACTIONS}
    for op in ops.values():
        if not ctx.serves(op):
            raise NotServed(f"not served: {op.method} {op.path} (a project cannot be followed through its life)")
    key = kind.members.key
    if key != "/user_name":
        raise Skip(f"members are keyed by {key}, not /user_name: the rule does not know how to name one")

    create = ops["create"]
    made = ctx.call(create, json=ctx.create_body(kind))  # recorded in the ledger on success
    answer = documented_answer(ctx, create, made, "creating a project")
    project = answered_id(create, answer) if create.answer else ctx.id_of(kind, answer)
    expect(isinstance(project, str), f"{create.operation_id} must say where the new project is "
           f"({', '.join(link.pointer for link in create.answer) or kind.id})", made)
    item = {ctx.id_param(ops["get"]): project}
    got = ctx.call(ops["get"], path=item)
    read = documented_answer(ctx, ops["get"], got, f"reading the new project {project}")
    expect(ctx.id_of(kind, read) == project, f"GET of the project {project} answers another one", got)
    name = pointer_get(read, kind.name_pointer) if kind.name_pointer else None

    if name and any(f.field == kind.name_pointer and f.match == "equals" for f in ops["list"].filters):
        param = next(f.param for f in ops["list"].filters if f.field == kind.name_pointer)
        listed = ctx.call(ops["list"], params={param: name})
        page = documented_answer(ctx, ops["list"], listed, f"listing the projects named {name}")
        found = [ctx.id_of(kind, r) for r in pointer_get(page, kind.pagination.items) or []]
        expect(found == [project], f"the projects named {name} are [{project}], not {found}", listed)

    merge = ops["merge"]
    changed = ctx.call(merge, path=item, json={"description": "changed by mlmock"})
    updated = documented_answer(ctx, merge, changed, f"updating the description of the project {project}")
    reread = ctx.call(ops["get"], path=item).json()
    expect(pointer_get(updated, "/entity/description") == "changed by mlmock"
           and pointer_get(reread, "/entity/description") == "changed by mlmock",
           f"{merge.method} {merge.path} of the description must answer and keep the new one", changed)

    _members(ctx, kind, ops, project)

    delete = ops["delete"]
    removed = ctx.call(delete, path={ctx.id_param(delete): project})
    documented_answer(ctx, delete, removed, f"deleting the project {project}")
    for op, kwargs in ((ops["get"], {}), (merge, {"json": {"description": "gone"}}), (ops["members"], {})):
        gone = ctx.call(op, path={ctx.id_param(op): project}, **kwargs)
        expect(gone.status_code == 404, f"{op.method} {op.path} of the deleted project {project} must answer 404",
               gone)


def _members(ctx: Context, kind: Kind, ops: dict[str, Operation], project: str) -> None:
    key = kind.members.key
    at = {ctx.id_param(ops["members"]): project}
    user = f"mlmock-{ctx.run}-{ctx.random.getrandbits(32):08x}"
    member = {"user_name": user, "id": user, "role": "viewer"}

    def listed() -> list:
        response = ctx.call(ops["members"], path=at)
        body = documented_answer(ctx, ops["members"], response, f"listing the members of the project {project}")
        return [pointer_get(m, key) for m in body.get("resources") or []]

    before = listed()
    add = ops["members-add"]
    response = ctx.call(add, path=at, json={"members": [member]})
    if response.status_code in (400, 404):  # a real platform adds only users it knows
        raise Skip(f"the target refused the made-up member {user} ({response.status_code}): the rule needs a "
                   "server that adds a user name it is given")
    added = documented_answer(ctx, add, response, f"adding the member {user}")
    expect(any(pointer_get(m, key) == user for m in added.get("members") or []),
           f"{add.method} {add.path} must answer the added members, {user} among them", response)
    after = listed()
    expect(after.count(user) == 1 and len(after) == len(before) + 1,
           f"after adding {user} the project lists it, once ({before} before, {after} after)")
    again = ctx.call(add, path=at, json={"members": [member]})
    expect(again.status_code == 409, f"{add.method} {add.path} of a member already in the project must answer 409",
           again)

    one = {ctx.id_param(ops["member-get"]): project, _member_param(ops["member-get"]): user}
    got = ctx.call(ops["member-get"], path=one)
    read = documented_answer(ctx, ops["member-get"], got, f"reading the member {user}")
    expect(pointer_get(read, key) == user, f"GET of the member {user} answers another one", got)
    update = ops["members-update"]
    batch = ctx.call(update, path=at, json={"members": [{"user_name": user, "role": "editor"}]})
    answered = documented_answer(ctx, update, batch, f"updating the role of the member {user}")
    reread = ctx.call(ops["member-get"], path=one)
    expect(any(pointer_get(m, key) == user and m.get("role") == "editor" for m in answered.get("members") or [])
           and reread.status_code == 200 and reread.json().get("role") == "editor",
           f"{update.method} {update.path} setting the role of {user} to editor must answer and keep it", batch)

    delete = ops["member-delete"]
    removed = ctx.call(delete, path=one)
    documented_answer(ctx, delete, removed, f"removing the member {user}")
    for op, kwargs in ((ops["member-get"], {}), (delete, {}),
                       (update, {"path": at, "json": {"members": [{"user_name": user, "role": "viewer"}]}})):
        gone = ctx.call(op, **{"path": one, **kwargs})
        expect(gone.status_code == 404, f"{op.method} {op.path} of the removed member {user} must answer 404", gone)
    expect(user not in listed(), f"the removed member {user} must no longer be listed")

    nowhere = {ctx.id_param(ops["members"]): str(uuid.UUID(int=ctx.random.getrandbits(128)))}
    for op, kwargs in ((ops["members"], {}), (add, {"json": {"members": [member]}})):
        response = ctx.call(op, path=nowhere, **kwargs)
        expect(response.status_code == 404, f"{op.method} {op.path} of a project that does not exist must answer "
               "404", response)
