"""Uniqueness holds on update too: a patch that would give a resource a taken unique value answers 409."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from .patch import _send


def _patch_paths(kind: Kind) -> list[tuple[str, str, str]]:
    """(unique field, patch path, op) for each unique field a documented patch path reaches."""
    found = []
    for unique in kind.unique:
        for pointer in unique.fields:
            for patch_rule in kind.patch.rules:
                if pointer == patch_rule.target or pointer.startswith(patch_rule.target + "/"):
                    op = "replace" if "replace" in patch_rule.ops else "add"
                    found.append((pointer, patch_rule.path + pointer[len(patch_rule.target):], op))
    return found


def _applies(api: ApiDeclaration, kind: Kind) -> bool:
    patch = api.operation(kind.name, "patch")
    return (bool(kind.unique) and patch is not None and "409" in patch.responses and kind.patch is not None
            and api.operation(kind.name, "create") is not None and bool(_patch_paths(kind)))


@rule("conflict.patch-unique", family="conflict", when=_applies, provenance="documented",
      source="ibm-wml-v4-api PATCH /ml/v4/deployments/{deployment_id}: '409 The serving name is already used "
             "by another deployment'")
def patch_unique(ctx: Context, kind: Kind) -> None:
    """Patching a unique field to another resource's value answers 409 and changes nothing."""
    first = ctx.create(kind)
    second = ctx.create(kind)
    id_ = ctx.id_of(kind, second)
    for pointer, path, op in _patch_paths(kind):
        taken = pointer_get(first, pointer)
        if taken is None:
            raise Skip(f"the created {kind.name} has no value at {pointer}")
        response = _send(ctx, kind, id_, [{"op": op, "path": path, "value": taken}])
        expect(response.status_code == 409, f"a patch setting {path} to {taken!r}, which another {kind.name} "
                                            f"holds, must answer 409", response)
        after = ctx.fetch(kind, id_)
        expect(pointer_get(after.json(), pointer) == pointer_get(second, pointer),
               f"a refused patch must leave {pointer} as it was", after)
