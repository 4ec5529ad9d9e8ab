"""The scope of a WML resource (its space or project) is required on every call that reaches it.

A kind's ``scope`` names the query parameters that partition its resources. An operation requires
the scope when one of them is declared ``required`` on it, or when the kind has more than one and
the operation declares them all ("Either `space_id` or `project_id` query parameter has to be
given", which OpenAPI cannot state; spec/README.md reading 10). An operation that declares its
scope parameter optional (``GET /ml/v4/deployments``: the reference does not require it) is left
alone.
"""

from __future__ import annotations

from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from .pagination import walk

ACTIONS = ("get", "patch", "delete", "list", "revisions", "content-get", "attachments")


def requires_scope(api: ApiDeclaration, kind: Kind, op: Operation) -> bool:
    declared = [op.parameter(name) for name in kind.scope]
    if not kind.scope or any(p is None for p in declared):
        return False
    return any(p.get("required") for p in declared) or len(kind.scope) > 1


def scoped_operations(api: ApiDeclaration, kind: Kind) -> list[Operation]:
    return [op for action in ACTIONS for op in api.operations_of(kind.name, action) if requires_scope(api, kind, op)]


def _applies(api: ApiDeclaration, kind: Kind) -> bool:
    return (bool(kind.scope) and "space_id" in kind.scope and api.operation(kind.name, "create") is not None
            and api.operation(kind.name, "get") is not None and bool(scoped_operations(api, kind)))


def _unscoped(ctx: Context, kind: Kind, op: Operation) -> dict[str, Any]:
    """The default query of ``op`` without any scope parameter."""
    return {k: v for k, v in ctx.defaults(op).items() if k not in kind.scope}


def _patch_body(kind: Kind) -> list[dict] | None:
    if kind.patch is None or not kind.patch.rules:
        return None
    first = kind.patch.rules[0]
    op = "replace" if "replace" in first.ops else sorted(first.ops)[0]
    return [{"op": op, "path": first.path, "value": "mlmock-unscoped"}]


@rule("isolation.scope-required", family="isolation", when=_applies, provenance="documented",
      source="ibm-wml-v4-api: the `space_id`/`project_id` query parameters of every get, update, delete, "
             "list and list-revisions: 'Either `space_id` or `project_id` query parameter has to be given' "
             "(deployments: `space_id` required)")
def scope_required(ctx: Context, kind: Kind) -> None:
    """Get, patch, delete, list (and revisions, content) without space_id or project_id answer 400, touching nothing."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    before = ctx.fetch(kind, id_)
    expect(before.status_code == 200, f"a created {kind.name} must be readable in its space", before)
    for op in scoped_operations(ctx.api, kind):
        kwargs: dict[str, Any] = {}
        if op.action == "patch":
            document = _patch_body(kind)
            if document is None:
                continue
            kwargs = {"json": document, "headers": {"Content-Type": kind.patch.media_type}}
        path = {ctx.id_param(op): id_} if "{" in op.path else None
        response = ctx.call(op, path=path, params=_unscoped(ctx, kind, op), bare=True, **kwargs)
        names = " or ".join(kind.scope)
        expect(response.status_code == 400,
               f"{op.method} {op.path} without {names} must be refused with 400, the reference requires "
               f"the scope on it", response)
    after = ctx.fetch(kind, id_)
    expect(after.status_code == 200, f"the {kind.name} must be intact after calls without a scope", after)
    if kind.delete.cancel_state and kind.lifecycle is not None:
        state = pointer_get(after.json(), kind.lifecycle.field)
        expect(state != kind.delete.cancel_state,
               f"a delete without a scope must not cancel the {kind.name} (it is {state!r})", after)


def _listed_scoped(api: ApiDeclaration, kind: Kind) -> bool:
    list_op = api.operation(kind.name, "list")
    return (_applies(api, kind) and list_op is not None and kind.pagination is not None
            and kind.pagination.style in ("cursor", "start"))


@rule("isolation.lists-one-scope", family="isolation", when=_listed_scoped, provenance="documented",
      source="ibm-wml-v4-api: list operations, `space_id` 'Retrieves the resources that belong to this "
             "space' / 'The space that contains the resource'; resource `metadata.space_id`")
def lists_one_scope(ctx: Context, kind: Kind) -> None:
    """A list of one space holds only resources of that space, on every page."""
    if not ctx.other_space:
        raise Skip("no second space given (--other-space-id)")
    pointer = ctx.representation_pointer(kind, "/space_id")
    list_op = ctx.operation(kind, "list")
    tagged = ctx.tag_filter(kind, list_op)
    query: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    if tagged is not None:  # the same fresh tag in both spaces: a mixed list would show both
        tag = ctx.name("tag").lower()
        query[tagged[0]] = tag
        overrides[tagged[1]] = [tag]
    mine = ctx.id_of(kind, ctx.create(kind, **overrides))
    theirs = ctx.id_of(kind, ctx.create(kind, space=ctx.other_space, **overrides))
    for space, own, other in ((ctx.space, mine, theirs), (ctx.other_space, theirs, mine)):
        seen = False
        original, ctx.space = ctx.space, space
        try:
            pages = walk(ctx, kind, query) if tagged is not None else [next(walk(ctx, kind, query))]
            for response, _, items in pages:
                for item in items:
                    found = pointer_get(item, pointer)
                    expect(found == space, f"a list of space {space} holds a {kind.name} whose {pointer[1:]} is "
                                           f"{found!r}", response)
                    expect(ctx.id_of(kind, item) != other,
                           f"a list of space {space} holds the {kind.name} {other} of another space", response)
                    seen = seen or ctx.id_of(kind, item) == own
        finally:
            ctx.space = original
        if tagged is not None:
            expect(seen, f"a list of space {space} filtered by {query} must hold its {kind.name} {own}")
