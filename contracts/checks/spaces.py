"""WML spaces as containers: a space that does not exist holds nothing, and a deleted space takes its assets along.

Both are readings (spec/README.md readings 35 and 36): `/v2/spaces` is the platform's API, not the
v4 reference's, and the reference does not say what a call naming an unknown space answers. So every
verdict here is a warning unless ``--strict``.
"""

from __future__ import annotations

import uuid

import httpx

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation

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
    declared = (api.document.get("x-mlmock-api") or {}).get("scopes", {}).get("space_id")
    return api.kinds.get(declared["kind"]) if isinstance(declared, dict) else None


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
    return (bool(kind.contains) and api.operation(kind.name, "create") is not None
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
