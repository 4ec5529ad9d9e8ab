"""Isolation: a resource created in one space is invisible and untouchable from another."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind

from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from .pagination import ids_of, walk


def _scoped(api: ApiDeclaration, kind: Kind) -> bool:
    return (bool(kind.scope) and "space_id" in kind.scope and api.operation(kind.name, "create") is not None
            and api.operation(kind.name, "get") is not None)


@rule("isolation.other-space", family="isolation", when=_scoped,
      provenance="documented",
      source="WML reference: resources 'belong to this space' (space_id on every call)")
def other_space(ctx: Context, kind: Kind) -> None:
    """Read, patch, delete and list from another space never reach a resource of this space."""
    if not ctx.other_space:
        raise Skip("no second space given (--other-space-id)")
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    response = ctx.fetch(kind, id_, space=ctx.other_space)
    expect(response.status_code == 404, f"a {kind.name} of space A read from space B must answer 404", response)
    patch_op = ctx.api.operation(kind.name, "patch")
    if patch_op is not None and kind.patch.rules:
        rule_ = kind.patch.rules[0]
        response = ctx.call(patch_op, path={ctx.id_param(patch_op): id_}, space=ctx.other_space,
                            json=[{"op": sorted(rule_.ops)[0], "path": rule_.path, "value": "x"}])
        expect(response.status_code == 404, f"a patch of a {kind.name} from another space must answer 404", response)
    delete_op = ctx.api.operation(kind.name, "delete")
    if delete_op is not None:
        response = ctx.call(delete_op, path={ctx.id_param(delete_op): id_}, space=ctx.other_space)
        expect(response.status_code == 404, f"a delete of a {kind.name} from another space must answer 404", response)
    still = ctx.fetch(kind, id_)
    expect(still.status_code == 200, f"the {kind.name} must be intact in its own space", still)
    if ctx.api.operation(kind.name, "list") is not None and kind.pagination is not None \
            and kind.pagination.style == "start":
        original, ctx.space = ctx.space, ctx.other_space
        try:
            for listed, _, items in walk(ctx, kind, {}):
                expect(id_ not in ids_of(ctx, kind, items), f"space B lists a {kind.name} of space A", listed)
        finally:
            ctx.space = original
