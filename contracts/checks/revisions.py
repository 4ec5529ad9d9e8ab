"""Revisions of a WML resource are listed: every revision created shows up in the revisions list."""

from __future__ import annotations

from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import expect


def _listed(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.versioning is not None and kind.versioning.style == "revisions"
            and api.operation(kind.name, "revision-create") is not None
            and api.operation(kind.name, "revisions") is not None and api.operation(kind.name, "create") is not None)


@rule("versioning.revisions-listed", family="versioning", when=_listed, provenance="documented",
      source="ibm-wml-v4-api: 'Retrieve the revisions of a model/function/...' (GET .../revisions) and "
             "'Create a new ... revision' (POST .../revisions)")
def revisions_listed(ctx: Context, kind: Kind) -> None:
    """Each revision created is listed by the revisions operation, with its own number, once."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    create = ctx.operation(kind, "revision-create")
    field = kind.versioning.field
    made = []
    for message in ("mlmock first", "mlmock second"):
        body: dict[str, Any] = {"commit_message": message}
        if ctx.space and "space_id" in kind.scope:
            body["space_id"] = ctx.space
        response = ctx.call(create, path={ctx.id_param(create): id_}, json=body)
        expect(response.status_code in create.success_statuses,
               f"{create.operation_id} must answer {create.success_statuses}", response)
        made.append(str(pointer_get(response.json(), field)))
    expect(made[0] != made[1], f"two revisions of one {kind.name} got the same number {made[0]!r}")
    listing = ctx.operation(kind, "revisions")
    response = ctx.call(listing, path={ctx.id_param(listing): id_})
    expect(response.status_code == 200, f"{listing.operation_id} must answer 200", response)
    items_at = kind.pagination.items if kind.pagination else "/resources"
    items = pointer_get(response.json(), items_at) or []
    numbers = [str(pointer_get(item, field)) for item in items]
    for rev in made:
        expect(numbers.count(rev) == 1, f"{listing.operation_id} must list revision {rev} once (lists {numbers})",
               response)
    ids = {ctx.id_of(kind, item) for item in items}
    expect(ids <= {id_}, f"{listing.operation_id} of {id_} lists revisions of other resources: {ids - {id_}}",
           response)
