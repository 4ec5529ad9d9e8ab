"""WML spaces as containers: a space that does not exist holds nothing, and a deleted space takes its assets along.

Both are readings (spec/README.md readings 35 and 36): `/v2/spaces` is the platform's API, not the
v4 reference's, and the reference does not say what a call naming an unknown space answers. So every
verdict here is a warning unless ``--strict``.
"""

from __future__ import annotations

import re
import uuid

import httpx

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from .. import sandbox
from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from ..target import CannotRun

READING_35 = ("spec/README.md reading 35: DELETE /v2/spaces/{space_id} deletes everything in the space (the "
              "official client and the CPD platform API)")
READING_36 = ("spec/README.md reading 36: an /ml/v4 call naming a space_id that /v2/spaces does not know answers "
              "404 (does_not_exist)")


def _space_kind(api: ApiDeclaration) -> Kind | None:
    declared = api.scopes.get("space_id")
    return api.kinds.get(declared.kind) if declared is not None else None


def unknown_scope_operations(api: ApiDeclaration, kind: Kind) -> list[Operation]:
    """The list of ``kind`` and, for a kind without a parent, its create: what the rule sends to an unknown space."""
    ops = [api.operation(kind.name, "list")]
    if kind.parent is None:
        ops.append(api.operation(kind.name, "create"))
    return [op for op in ops if op is not None and "404" in op.responses
            and (op.parameter("space_id") is not None or op.action == "create")]


def _unknown_scope_applies(api: ApiDeclaration, kind: Kind) -> bool:
    return ("space_id" in kind.scope and _space_kind(api) is not None
            and api.operation(_space_kind(api).name, "get") is not None and bool(unknown_scope_operations(api, kind)))


def _made_up(ctx: Context, space: str, response: httpx.Response, what: str) -> None:
    """Skip when the target answered by creating the unknown space (``mlmock serve --auto-spaces``)."""
    holder = _space_kind(ctx.api)
    get = ctx.api.operation(holder.name, "get")
    probe = ctx.call(get, path={ctx.id_param(get): space})
    if probe.status_code == 200:
        delete = ctx.api.operation(holder.name, "delete")
        if delete is not None:  # leave nothing behind
            ctx.call(delete, path={ctx.id_param(delete): space})
        raise Skip(f"the target created the unknown space {space} on first use ({what} answered "
                   f"{response.status_code}; `mlmock serve --auto-spaces` does this)")


@rule("isolation.unknown-space", family="isolation", when=_unknown_scope_applies, provenance="reading",
      source=READING_36)
def unknown_space(ctx: Context, kind: Kind) -> None:
    """A list in, and a create into, a space_id no space has answer 404 (not an empty page, not a resource in limbo)."""
    space = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    for op in unknown_scope_operations(ctx.api, kind):
        if op.action == "list":
            response = ctx.call(op, space=space)
            what = f"a list of {kind.name} in the unknown space {space}"
        else:
            response = ctx.call(op, json=ctx.create_body(kind, space=space), space=space)
            what = f"a create of a {kind.name} in the unknown space {space}"
        if response.status_code != 404 and 200 <= response.status_code < 300:
            _made_up(ctx, space, response, f"{op.method} {op.path}")
        expect(response.status_code == 404, f"{what} must answer 404: the space does not exist", response)


# ----------------------------------------------------------------------------- deleting a space


def _asset_view(api: ApiDeclaration) -> tuple[Operation, list[str]] | None:
    """GET of the platform's asset view (``/v2/assets/{id}``: any asset, no space needed) and the kinds it shows."""
    for kind in api.kinds.values():
        view = kind.view_of
        get = api.operation(kind.name, "get")
        if view is not None and get is not None and not kind.scope:
            return get, list(view.kinds)
    return None


def _asset_kind(api: ApiDeclaration, holder: Kind) -> Kind | None:
    """A kind scoped by the space, without a parent, that can be created and read (the asset view's first)."""
    view = _asset_view(api)
    names = (view[1] if view else []) + list(api.kinds)
    scope = holder.contains
    for name in names:
        kind = api.kinds.get(name)
        if kind is not None and scope in kind.scope and kind.parent is None \
                and api.operation(name, "create") is not None and api.operation(name, "get") is not None:
            return kind
    return None


def _container(api: ApiDeclaration, kind: Kind) -> bool:
    # Spaces only: the suite creates assets in a space it names (``space=``) and waits for the space
    # to be active; a project (``contains: project_id``, reading 47) is left to the mock's own tests.
    return (kind.contains == "space_id" and api.operation(kind.name, "create") is not None
            and api.operation(kind.name, "delete") is not None and _asset_kind(api, kind) is not None)


@rule("deletion.space-removes-assets", family="deletion", when=_container, provenance="reading", source=READING_35)
def space_removes_assets(ctx: Context, kind: Kind) -> None:
    """Deleting a space deletes its assets: the asset view (GET /v2/assets/{id}, no space needed) loses them."""
    view = _asset_view(ctx.api)
    if view is None or not ctx.serves(view[0]):
        raise Skip("no scope-free read of an asset (GET /v2/assets/{id}) is served: an asset of a deleted space "
                   "cannot be looked for")
    space = ctx.id_of(kind, ctx.create(kind))
    try:
        sandbox._wait_active(ctx.target, space, timeout=60.0, pause=0.2)
    except CannotRun as error:
        raise Skip(f"the new space {space} did not become active: {error}") from None
    asset_kind = _asset_kind(ctx.api, kind)
    asset = ctx.id_of(asset_kind, ctx.create(asset_kind, space=space))
    get_asset = view[0]
    before = ctx.call(get_asset, path={ctx.id_param(get_asset): asset})
    if before.status_code != 200:
        raise Skip(f"{get_asset.method} {get_asset.path} does not find the {asset_kind.name} {asset} of a live space "
                   f"({before.status_code}): it cannot show whether the delete removed it")
    delete = ctx.operation(kind, "delete")
    response = ctx.call(delete, path={ctx.id_param(delete): space})
    expect(200 <= response.status_code < 300, f"{delete.method} {delete.path} of a space holding a "
           f"{asset_kind.name} must succeed", response)
    after = ctx.call(get_asset, path={ctx.id_param(get_asset): asset})
    expect(after.status_code == 404, f"the {asset_kind.name} {asset} of the deleted space {space} must be deleted "
           f"with it ({get_asset.method} {get_asset.path} still finds it)", after)
    direct = ctx.fetch(asset_kind, asset, space=space)
    expect(direct.status_code == 404, f"the {asset_kind.name} {asset} of the deleted space {space} must answer 404",
           direct)


# ----------------------------------------------------------------------------- members of a space

MEMBER_ACTIONS = ("members", "members-add", "member-get", "member-patch", "member-delete")


def _members_served(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.members is not None and api.operation(kind.name, "create") is not None
            and all(api.operation(kind.name, action) is not None for action in MEMBER_ACTIONS))


def _member_param(op: Operation) -> str:
    """The second path parameter of a member operation (the member's id)."""
    return re.findall(r"\{([^}]+)\}", op.path)[1]


@rule("status.space-members", family="status", when=_members_served, provenance="reading", source=READING_35)
def space_members(ctx: Context, kind: Kind) -> None:
    """A space's members are added (200, once: again is 409), read, patched, removed (204), then 404; an unknown
    space has no members to list or add (404)."""
    settings = kind.members
    ops = {action: ctx.operation(kind, action) for action in MEMBER_ACTIONS}
    for op in ops.values():
        if not ctx.serves(op):
            raise Skip(f"{op.method} {op.path} is not served: the members of a space cannot be followed through "
                       "their life")
    if settings.key != "/id":
        raise Skip(f"members are keyed by {settings.key}, not /id: the rule does not know how to name one")
    space = ctx.id_of(kind, ctx.create(kind))
    try:
        sandbox._wait_active(ctx.target, space, timeout=60.0, pause=0.2)
    except CannotRun as error:
        raise Skip(f"the new space {space} did not become active: {error}") from None
    at = {ctx.id_param(ops["members"]): space}
    member_id = f"mlmock-{ctx.run}-{ctx.random.getrandbits(32):08x}"
    member = {"id": member_id, "type": "user", "role": "viewer", "state": "active"}

    def listed() -> list:
        response = ctx.call(ops["members"], path=at)
        expect(response.status_code == 200, f"{ops['members'].method} {ops['members'].path} of the live space "
               f"{space} must answer 200 with its members", response)
        resources = response.json().get("resources") if isinstance(response.json(), dict) else None
        expect(isinstance(resources, list), "the members of a space are listed under `resources`", response)
        return resources

    before = listed()
    add = ops["members-add"]
    response = ctx.call(add, path=at, json={"members": [member]})
    if response.status_code in (400, 404):  # a real platform adds only users it knows; the suite knows no other
        raise Skip(f"the target refused the made-up member {member_id} ({response.status_code}): the rule needs a "
                   "server that adds a member id it is given, or a second principal the suite does not have")
    expect(response.status_code == 200, f"{add.method} {add.path} of a new member must answer 200 (the official "
           "client requires it)", response)
    added = response.json().get("members") if isinstance(response.json(), dict) else None
    expect(isinstance(added, list) and any(pointer_get(m, settings.key) == member_id for m in added),
           f"{add.method} {add.path} must answer the added members under `members`, {member_id} among them", response)
    after = listed()
    expect(any(pointer_get(m, settings.key) == member_id for m in after) and len(after) == len(before) + 1,
           f"after adding {member_id} the space lists it, once ({len(before)} members before, {len(after)} after)")

    again = ctx.call(add, path=at, json={"members": [member]})
    expect(again.status_code == 409, f"{add.method} {add.path} of a member already in the space must answer 409",
           again)
    expect(len(listed()) == len(after), f"a refused second add of {member_id} must add nothing")

    one = {ctx.id_param(ops["member-get"]): space, _member_param(ops["member-get"]): member_id}
    got = ctx.call(ops["member-get"], path=one)
    expect(got.status_code == 200 and pointer_get(got.json(), settings.key) == member_id,
           f"{ops['member-get'].method} {ops['member-get'].path} of the member {member_id} must answer 200 with it",
           got)
    patch = ops["member-patch"]
    if "/role" in settings.patch_paths:
        patched = ctx.call(patch, path=one, json=[{"op": "replace", "path": "/role", "value": "editor"}])
        expect(patched.status_code == 200 and isinstance(patched.json(), dict)
               and patched.json().get("role") == "editor",
               f"{patch.method} {patch.path} replacing /role with editor must answer 200 with the updated member",
               patched)
        reread = ctx.call(ops["member-get"], path=one)
        expect(reread.status_code == 200 and reread.json().get("role") == "editor",
               f"the member {member_id} must read back with the patched role editor", reread)

    delete = ops["member-delete"]
    removed = ctx.call(delete, path=one)
    expect(removed.status_code == 204, f"{delete.method} {delete.path} of the member {member_id} must answer 204",
           removed)
    for op, what in ((ops["member-get"], "read"), (patch, "patch"), (delete, "delete")):
        kwargs = {"json": [{"op": "replace", "path": "/role", "value": "viewer"}]} if op is patch else {}
        gone = ctx.call(op, path=one, **kwargs)
        expect(gone.status_code == 404, f"a {what} of the removed member {member_id} ({op.method} {op.path}) must "
               "answer 404", gone)
    expect(all(pointer_get(m, settings.key) != member_id for m in listed()),
           f"the removed member {member_id} must no longer be listed")

    nowhere = {ctx.id_param(ops["members"]): str(uuid.UUID(int=ctx.random.getrandbits(128)))}
    for op, kwargs in ((ops["members"], {}), (add, {"json": {"members": [member]}})):
        response = ctx.call(op, path=nowhere, **kwargs)
        expect(response.status_code == 404, f"{op.method} {op.path} of a space that does not exist "
               f"({nowhere[ctx.id_param(op)]}) must answer 404", response)


# ----------------------------------------------------------------------------- the platform's asset view


def _asset_view_kind(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.view_of is not None and not kind.scope and api.operation(kind.name, "get") is not None
            and api.operation(kind.name, "delete") is not None and _asset_view(api) is not None
            and _asset_view(api)[0].kind == kind.name and _viewed_kind(api, kind) is not None)


def _viewed_kind(api: ApiDeclaration, kind: Kind) -> Kind | None:
    """The first kind the view shows that the suite can create and read in a space."""
    for name in kind.view_of.kinds:
        viewed = api.kinds.get(name)
        if viewed is not None and "space_id" in viewed.scope and viewed.parent is None \
                and api.operation(name, "create") is not None and api.operation(name, "get") is not None:
            return viewed
    return None


@rule("status.asset-view", family="status", when=_asset_view_kind, provenance="client",
      source="the official client (spec/wml.yaml assets_get, assets_delete): it reads GET /v2/assets/{id} before a "
             "deployment job and deletes models with DELETE /v2/assets/{id}?purge_on_delete=true, accepting 200 or 204")
def asset_view(ctx: Context, kind: Kind) -> None:
    """A model the suite made is served by the asset view (GET /v2/assets/{id}, 200) and deleted through it (2xx),
    after which the model itself answers 404."""
    get, delete = ctx.operation(kind, "get"), ctx.operation(kind, "delete")
    for op in (get, delete):
        if not ctx.serves(op):
            raise Skip(f"{op.method} {op.path} is not served: the asset view of a model cannot be followed")
    viewed = _viewed_kind(ctx.api, kind)
    if not ctx.space:
        raise Skip(f"no space to create a {viewed.name} in (the suite was given none)")
    asset = ctx.id_of(viewed, ctx.create(viewed))
    scope = {"space_id": ctx.space}
    got = ctx.call(get, path={ctx.id_param(get): asset}, params=scope)
    expect(got.status_code == 200, f"{get.method} {get.path} of the live {viewed.name} {asset} must answer 200 "
           "with its asset", got)
    expect(ctx.id_of(kind, got.json()) == asset, f"{get.method} {get.path} of {asset} must answer that asset "
           f"(its id at {kind.id})", got)
    removed = ctx.call(delete, path={ctx.id_param(delete): asset}, params={**scope, "purge_on_delete": "true"})
    expect(removed.status_code in (200, 204), f"{delete.method} {delete.path} of the {viewed.name} {asset} must "
           "answer 204 (the official client also takes 200)", removed)
    gone = ctx.fetch(viewed, asset)
    expect(gone.status_code == 404, f"the {viewed.name} {asset} deleted through {delete.path} must answer 404", gone)
    again = ctx.call(get, path={ctx.id_param(get): asset}, params=scope)
    expect(again.status_code == 404, f"{get.method} {get.path} of the deleted {viewed.name} {asset} must answer 404",
           again)


# ----------------------------------------------------------------------------- the platform's job runs


def _run_view(api: ApiDeclaration, kind: Kind) -> bool:
    delete = api.operation(kind.name, "delete")
    return (kind.view_of is not None and not kind.scope and delete is not None and len(_PATH.findall(delete.path)) == 2
            and api.operation(kind.name, "get") is None and len(kind.view_of.kinds) == 1
            and api.operation(kind.view_of.kinds[0], "create") is not None)


_PATH = re.compile(r"\{([^}]+)\}")


@rule("status.job-run-delete", family="status", when=_run_view, provenance="client",
      source="the official client (spec/wml.yaml jobs_runs_delete): on CPD 5.1 and earlier it deletes a deployment "
             "job with DELETE /v2/jobs/{deployment job id}/runs/{entity.platform_job.run_id}; a 204 ends the deletion")
def job_run_delete(ctx: Context, kind: Kind) -> None:
    """The platform run of a deployment job the suite made deletes with 204; a run id no job has answers 404."""
    delete = ctx.operation(kind, "delete")
    if not ctx.serves(delete):
        raise Skip(f"{delete.method} {delete.path} is not served: no platform run to delete")
    owner = ctx.api.kinds[kind.view_of.kinds[0]]
    if "space_id" in owner.scope and not ctx.space:
        raise Skip(f"no space to create a {owner.name} in (the suite was given none)")
    made = ctx.create(owner)
    job, run = ctx.id_of(owner, made), pointer_get(made, kind.view_of.lookup)
    if not run:
        raise Skip(f"the new {owner.name} {job} names no platform run at {kind.view_of.lookup} (a server after "
                   "CPD 5.1 need not)")
    job_param, run_param = _PATH.findall(delete.path)
    scope = {"space_id": ctx.space} if "space_id" in owner.scope else {}
    unknown = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    stray = ctx.call(delete, path={job_param: job, run_param: unknown}, params=scope)
    expect(stray.status_code == 404, f"{delete.method} {delete.path} of a run id no job has ({unknown}) must answer "
           "404", stray)
    response = ctx.call(delete, path={job_param: job, run_param: run}, params=scope)
    expect(response.status_code == 204, f"{delete.method} {delete.path} of the run {run} of the {owner.name} {job} "
           "must answer 204 (the official client ends its deletion on it)", response)
