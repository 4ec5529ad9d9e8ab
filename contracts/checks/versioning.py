"""Versioning: the WML `version` date is required and validated; revisions never change."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from .patch import _scenarios, _send


def _requires_version(api: ApiDeclaration, op: Operation) -> bool:
    param = op.parameter("version")
    return bool(param and param.get("required")) and op.action == "list"


@rule("versioning.version-required", family="versioning", per="operation", when=_requires_version,
      provenance="documented",
      source=("WML reference: version 'Required', 'of the form YYYY-MM-DD'; 'Send the version parameter with every "
              "API request'"))
def version_required(ctx: Context, op: Operation) -> None:
    """Without the `version` date, or with one that is not YYYY-MM-DD, the request is refused with 400."""
    defaults = ctx.defaults(op)
    without = {k: v for k, v in defaults.items() if k != "version"}
    response = ctx.call(op, params=without, bare=True)
    expect(response.status_code == 400, f"{op.method} {op.path} without version must answer 400", response)
    for bad in ("yesterday", "2024-13-45x", "20240501"):
        response = ctx.call(op, params={**defaults, "version": bad}, bare=True)
        expect(response.status_code == 400, f"{op.method} {op.path} with version={bad} must answer 400", response)


def _revisioned(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.versioning is not None and kind.versioning.style == "revisions"
            and api.operation(kind.name, "revision-create") is not None
            and api.operation(kind.name, "create") is not None and kind.patch is not None)


@rule("versioning.revisions-immutable", family="versioning", when=_revisioned,
      provenance="documented",
      source=("WML reference, revision create: 'The current metadata and content ... will be taken and a new "
              "revision created'"))
def revisions_immutable(ctx: Context, kind: Kind) -> None:
    """A revision is a snapshot: later patches change the resource, never the revision."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    create_revision = ctx.operation(kind, "revision-create")
    body = {"commit_message": "mlmock snapshot"}
    if ctx.space and "space_id" in kind.scope:
        body["space_id"] = ctx.space
    made = ctx.call(create_revision, path={ctx.id_param(create_revision): id_}, json=body)
    expect(made.status_code in create_revision.success_statuses,
           f"{create_revision.operation_id} must answer {create_revision.success_statuses}", made)
    field = kind.versioning.field
    rev = pointer_get(made.json(), field)
    expect(rev is not None, f"a created revision must carry its number at {field}", made)
    snapshot = ctx.fetch(kind, id_, rev=rev)
    expect(snapshot.status_code == 200, f"GET with rev={rev} must return the revision", snapshot)
    scenarios = _scenarios(ctx, kind)
    if not scenarios:
        raise Skip("no documented patch to change the resource with")
    document = scenarios[0]
    changed = _send(ctx, kind, id_, document)
    expect(200 <= changed.status_code < 300, f"the documented patch {document} must be accepted", changed)
    target = kind.patch.translate(document)[0]["path"]
    current = ctx.fetch(kind, id_)
    again = ctx.fetch(kind, id_, rev=rev)
    expect(pointer_get(again.json(), target) == pointer_get(snapshot.json(), target),
           f"revision {rev} changed at {target} after a patch of the resource: "
           f"{pointer_get(snapshot.json(), target)!r} became {pointer_get(again.json(), target)!r}", again)
    expect(pointer_get(current.json(), target) != pointer_get(snapshot.json(), target),
           f"the patch of {target} must show on the resource itself", current)
