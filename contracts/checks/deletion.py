"""Soft and hard delete: visibility afterwards, restore, and use after free."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from .pagination import walk


def _deletable(api: ApiDeclaration, kind: Kind) -> bool:
    return (api.operation(kind.name, "delete") is not None and api.operation(kind.name, "get") is not None
            and (api.operation(kind.name, "create") or api.operation(kind.name, "upsert")) is not None)


def _soft(api: ApiDeclaration, kind: Kind) -> bool:
    return _deletable(api, kind) and kind.delete.soft


def _hard(api: ApiDeclaration, kind: Kind) -> bool:
    return _deletable(api, kind) and kind.delete.hard_param is not None


def _delete(ctx: Context, kind: Kind, id_: str, *, hard: bool):
    op = ctx.operation(kind, "delete")
    params = {kind.delete.hard_param: "true" if hard else "false"} if kind.delete.hard_param else None
    response = ctx.call(op, path={ctx.id_param(op): id_}, params=params)
    expect(200 <= response.status_code < 300, f"{op.operation_id} of an existing resource should succeed",
           response)
    return response


def _include_param(ctx: Context, kind: Kind) -> str | None:
    get = ctx.operation(kind, "get")
    param = get.parameter("include")
    return "include" if param is not None else None


@rule("deletion.soft-delete-hides", family="deletion", when=_soft,
      provenance="documented",
      source='OpenMetadata: soft delete (hardDelete=false) hides the entity unless include=deleted')
def soft_delete_hides(ctx: Context, kind: Kind) -> None:
    """A soft-deleted resource answers 404 and leaves lists, unless deleted ones are asked for."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    _delete(ctx, kind, id_, hard=False)
    hidden = ctx.fetch(kind, id_)
    expect(hidden.status_code == 404, "a soft-deleted resource must answer 404 by default", hidden)
    if _include_param(ctx, kind) is None:
        raise Skip("the get operation has no include parameter")
    shown = ctx.fetch(kind, id_, include="deleted")
    expect(shown.status_code == 200 and shown.json().get("deleted") is True,
           "include=deleted must show the soft-deleted resource with deleted: true", shown)
    list_op = ctx.api.operation(kind.name, "list")
    if list_op is not None and kind.pagination is not None:
        selector = ctx.parent_filter(kind, list_op)
        query = {}
        if selector is not None:
            query[selector[0]] = pointer_get(entity, kind.parent.field + selector[1])
        for listed, _, items in walk(ctx, kind, query, "after"):
            ids = [ctx.id_of(kind, item) for item in items]
            expect(id_ not in ids, "a soft-deleted resource must not be listed by default", listed)


@rule("deletion.hard-delete-removes", family="deletion", when=_hard,
      provenance="documented",
      source=("OpenMetadata: hardDelete=true removes the entity; WML reference: hard_delete 'also delete the job "
              "metadata'"))
def hard_delete_removes(ctx: Context, kind: Kind) -> None:
    """A hard-deleted resource is gone, whatever is asked (use after free answers 404)."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    _delete(ctx, kind, id_, hard=True)
    params = {"include": "all"} if _include_param(ctx, kind) else {}
    gone = ctx.fetch(kind, id_, **params)
    expect(gone.status_code == 404, "a hard-deleted resource must answer 404, even with include=all", gone)
    versions = ctx.api.operation(kind.name, "versions")
    if ctx.serves(versions):
        response = ctx.call(versions, path={ctx.id_param(versions): id_})
        expect(response.status_code == 404, "the versions of a hard-deleted resource must answer 404", response)
    patch_op = ctx.api.operation(kind.name, "patch")
    if ctx.serves(patch_op):
        response = ctx.call(patch_op, path={ctx.id_param(patch_op): id_}, content=b"[]",
                            headers={"Content-Type": kind.patch.media_type})
        expect(response.status_code == 404, "a patch of a hard-deleted resource must answer 404", response)


@rule("deletion.restore", family="deletion",
      when=lambda api, kind: _soft(api, kind) and api.operation(kind.name, "restore") is not None,
      provenance="documented",
      source='OpenMetadata PUT /mlmodels/restore')
def restore(ctx: Context, kind: Kind) -> None:
    """Restoring a soft-deleted resource makes it visible again with deleted: false."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    _delete(ctx, kind, id_, hard=False)
    op = ctx.operation(kind, "restore")
    response = ctx.call(op, json={"id": id_})
    expect(response.status_code == 200, f"{op.operation_id} of a soft-deleted resource must answer 200", response)
    back = ctx.fetch(kind, id_)
    expect(back.status_code == 200 and back.json().get("deleted") is False,
           "a restored resource must be visible with deleted: false", back)


@rule("deletion.delete-removes", family="deletion",
      when=lambda api, kind: _deletable(api, kind) and not kind.delete.soft and not kind.delete.cancel_state,
      provenance="documented",
      source='WML reference: DELETE answers 204 and the resource is deleted')
def delete_removes(ctx: Context, kind: Kind) -> None:
    """After a delete the resource answers 404 (use after free) and is no longer listed."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    present = ctx.fetch(kind, id_)
    expect(present.status_code == 200, "a created resource must be readable", present)
    _delete(ctx, kind, id_, hard=False)
    gone = ctx.fetch(kind, id_)
    expect(gone.status_code == 404, "a deleted resource must answer 404", gone)


@rule("deletion.cancel-keeps", family="deletion",
      when=lambda api, kind: _deletable(api, kind) and kind.delete.cancel_state is not None,
      provenance="documented",
      source=("WML reference: DELETE 'Cancel the specified training and remove it' / cancels a deployment job; 404 "
              'or the cancel state are both accepted'))
def cancel_keeps(ctx: Context, kind: Kind) -> None:
    """A delete without hard delete cancels: the resource stays readable, in its cancel state."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    field = kind.lifecycle.field if kind.lifecycle else None
    before = ctx.fetch(kind, id_)
    state = pointer_get(before.json(), field) if field else None
    op = ctx.operation(kind, "delete")
    response = ctx.call(op, path={ctx.id_param(op): id_})
    resting = state is not None and not kind.lifecycle.transitions.get(state)
    if resting:
        expect(response.status_code < 500, "cancelling a finished resource must not fail the server", response)
        raise Skip(f"the {kind.name} had already finished ({state}) when cancelled")
    expect(200 <= response.status_code < 300, f"{op.operation_id} must cancel a running {kind.name}", response)
    after = ctx.fetch(kind, id_)
    # "Cancel the specified training and remove it" fits a 404; hard_delete "also delete[s] the job
    # metadata", which reads as: without it the job stays readable. So a 404 is a reading verdict.
    expect(after.status_code in (200, 404), f"a cancelled {kind.name} must be gone (404) or readable", after)
    expect(after.status_code == 200, f"a cancelled {kind.name} should stay readable in state "
           f"{kind.delete.cancel_state!r} (only hard_delete=true removes its metadata)", after,
           reading="spec/README.md reading 30: a cancel without hard_delete keeps the job readable")
    if after.status_code == 200:
        expect(pointer_get(after.json(), field) == kind.delete.cancel_state,
               f"a cancelled {kind.name} that stays readable must be in state {kind.delete.cancel_state!r}", after)
