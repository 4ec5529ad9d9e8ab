"""OpenMetadata relations: references name live entities, and containers refuse to lose their children.

The API reference (openmetadata-mlmodels-create.txt) documents the create bodies only; these rules
follow the real server as spec/README.md readings 41 and 42 record it, so every verdict is a
warning unless ``--strict``.

Reading 39 (write answers leave unset relation fields out) has no rule: the reference's own create
example answers ``owners: [], tags: [], followers: [], domains: []``, and the official SDK takes
both (``owners is None or owners.root == []``), so a rule would fault a server that follows the
documentation.
"""

from __future__ import annotations

import uuid
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, Reference, pointer_get, pointer_set

from ..context import Context
from ..registry import rule
from ..results import expect

READING_41 = ("spec/README.md reading 41: a non-recursive delete of a service that still holds ML models is 400; "
              "recursive=true deletes them with it (the real server)")
READING_42 = ("spec/README.md reading 42: owners (a team's users, a user's teams) must name existing entities by id, "
              "404 '<kind> instance for <id> not found' otherwise (the real server)")


# ----------------------------------------------------------------------------- containers


def children_of(api: ApiDeclaration, kind: Kind) -> list[Kind]:
    return [child for child in api.kinds.values() if child.parent is not None and child.parent.kind == kind.name
            and (api.operation(child.name, "create") or api.operation(child.name, "upsert")) is not None
            and api.operation(child.name, "get") is not None]


def _recursive_param(kind: Kind) -> str | None:
    return kind.delete.recursive_param


def _container(api: ApiDeclaration, kind: Kind) -> bool:
    return (_recursive_param(kind) is not None and api.operation(kind.name, "delete") is not None
            and api.operation(kind.name, "get") is not None
            and (api.operation(kind.name, "create") or api.operation(kind.name, "upsert")) is not None
            and bool(children_of(api, kind)))


@rule("deletion.non-empty-parent", family="deletion", when=_container, provenance="reading", source=READING_41)
def non_empty_parent(ctx: Context, kind: Kind) -> None:
    """Deleting a parent that still has children answers 400 and keeps both; with recursive=true both go."""
    child_kind = children_of(ctx.api, kind)[0]
    parent = ctx.create(kind)
    parent_id = ctx.id_of(kind, parent)
    child_id = ctx.id_of(child_kind, ctx.create(child_kind, parent=parent))
    delete = ctx.operation(kind, "delete")
    param = _recursive_param(kind)
    refused = ctx.call(delete, path={ctx.id_param(delete): parent_id})
    expect(refused.status_code == 400, f"a delete of a {kind.name} that still holds a {child_kind.name}, without "
           f"{param}=true, must be refused with 400", refused)
    kept = ctx.fetch(kind, parent_id)
    expect(kept.status_code == 200, f"a {kind.name} whose delete was refused must stay readable", kept)
    child = ctx.fetch(child_kind, child_id)
    expect(child.status_code == 200, f"the {child_kind.name} of a {kind.name} whose delete was refused must stay "
           "readable", child)
    done = ctx.call(delete, path={ctx.id_param(delete): parent_id}, params={param: "true"})
    expect(200 <= done.status_code < 300, f"a delete of a {kind.name} with {param}=true must succeed", done)
    gone = ctx.fetch(child_kind, child_id)
    expect(gone.status_code == 404, f"the {child_kind.name} of a {kind.name} deleted with {param}=true must be "
           "deleted with it (404)", gone)


# ----------------------------------------------------------------------------- references


def id_references(api: ApiDeclaration, kind: Kind) -> list[Reference]:
    """References by id to kinds the API serves (owners: users or teams)."""
    out = []
    for ref in kind.references:
        kinds = list(ref.kind) if isinstance(ref.kind, list | tuple) else [ref.kind]
        if ref.lookup == "/id" and all(k in api.kinds for k in kinds):
            out.append(ref)
    return out


def _referencing(api: ApiDeclaration, kind: Kind) -> bool:
    return bool(id_references(api, kind)) and any(
        op is not None and "404" in op.responses
        for op in (api.operation(kind.name, "create"), api.operation(kind.name, "upsert")))


def _unknown_value(ctx: Context, kind: Kind, ref: Reference, missing: str) -> Any:
    """What the create schema takes at ``ref.field``, naming the unknown id: a reference object or the bare id."""
    schema = ctx.body_schema(ctx.create_op(kind))
    sub = ctx.api.schema_at(schema, ref.field) or {}
    item = ctx.api.resolve(sub.get("items", {})) if ref.many else sub
    kinds = list(ref.kind) if isinstance(ref.kind, list | tuple) else [ref.kind]
    one: Any = {"id": missing, "type": kinds[0]} if item.get("type") == "object" or "properties" in item \
        else missing
    return [one] if ref.many else one


@rule("references.unknown-owner", family="references", when=_referencing, provenance="reading", source=READING_42)
def unknown_owner(ctx: Context, kind: Kind) -> None:
    """A create or upsert naming an unknown entity by id (an owner) answers 404 and stores nothing."""
    ref = id_references(ctx.api, kind)[0]
    missing = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    value = _unknown_value(ctx, kind, ref, missing)
    parent = None
    for action in ("create", "upsert"):
        op = ctx.api.operation(kind.name, action)
        if op is None or "404" not in op.responses:
            continue
        if kind.parent is not None and parent is None:
            parent_kind = ctx.api.kinds[kind.parent.kind]
            parent = ctx.create(parent_kind)
        body = ctx.create_body(kind, parent=parent)
        pointer_set(body, ref.field, value)
        response = ctx.call(op, json=body)
        expect(response.status_code == 404, f"{op.method} {op.path} naming the unknown {ref.field[1:]} {missing} "
               "must answer 404", response)
        by_name = ctx.api.operation(kind.name, "get-by-name")
        name = pointer_get(body, kind.name_pointer) if kind.name_pointer else None
        if by_name is not None and name and kind.fqn and kind.parent is None:
            stored = ctx.call(by_name, path={ctx.id_param(by_name): name})
            expect(stored.status_code == 404, f"a {kind.name} refused for an unknown {ref.field[1:]} must not be "
                   "stored", stored)
