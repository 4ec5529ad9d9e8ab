"""An id (or name, or version) the server never stored answers 404 on every operation that documents it."""

from __future__ import annotations

import uuid
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_set

from ..context import Context
from ..registry import rule
from ..results import expect
from .scope import _patch_body

ACTIONS = ("get", "get-by-name", "patch", "delete", "versions", "version", "revisions", "revision-create", "restore")


def _operations(api: ApiDeclaration, kind: Kind) -> list[Operation]:
    return [op for action in ACTIONS for op in api.operations_of(kind.name, action) if "404" in op.responses]


def _creates_with_parent(api: ApiDeclaration, kind: Kind) -> list[Operation]:
    if kind.parent is None:
        return []
    return [op for action in ("create", "upsert") for op in api.operations_of(kind.name, action)
            if "404" in op.responses]


def _applies(api: ApiDeclaration, kind: Kind) -> bool:
    return (api.operation(kind.name, "get") is not None
            and bool(_operations(api, kind) + _creates_with_parent(api, kind)))


@rule("deletion.unknown-id", family="deletion", when=_applies, provenance="documented",
      source="the 404 responses of each operation (ibm-wml-v4-api: '404 The specified resource was not found'; "
             "openmetadata: CatalogExceptionMessage.entityNotFound '<kind> instance for <id> not found')")
def unknown_id(ctx: Context, kind: Kind) -> None:
    """Get, get by name, patch, delete, versions, revisions, restore of an unknown id, and a create naming an
    unknown parent, answer 404."""
    missing = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    existing = None
    for op in _operations(ctx.api, kind):
        kwargs: dict[str, Any] = {}
        names = [p["name"] for p in op.parameters if p["in"] == "path"]
        path = {name: missing for name in names}
        what = f"an unknown id {missing}"
        if op.action == "get-by-name":
            path = {names[0]: ctx.name(kind.name[:8])}
            what = f"an unknown name {path[names[0]]}"
        elif op.action == "version":
            if existing is None:
                existing = ctx.id_of(kind, ctx.create(kind))
            path = {names[0]: existing, names[1]: "99.9"}
            what = "an unknown version 99.9 of an existing resource"
        if op.action == "patch":
            document = _patch_body(kind) or []
            headers = {"Content-Type": kind.patch.media_type} if kind.patch else {}
            kwargs = {"json": document, "headers": headers}
        elif op.action == "revision-create":
            kwargs = {"json": {"commit_message": "mlmock", **({"space_id": ctx.space} if "space_id" in kind.scope
                                                              and ctx.space else {})}}
        elif op.action == "restore":
            kwargs = {"json": {"id": missing}}
        response = ctx.call(op, path=path or None, **kwargs)
        expect(response.status_code == 404, f"{op.method} {op.path} of {what} must answer 404", response)
    for op in _creates_with_parent(ctx.api, kind):
        parent: dict[str, Any] = {}
        unknown = missing if kind.parent.lookup.endswith("id") else ctx.name("missing")
        pointer_set(parent, kind.parent.lookup, unknown)
        response = ctx.call(op, json=ctx.create_body(kind, parent=parent))
        expect(response.status_code == 404, f"{op.operation_id} naming an unknown parent {unknown} at "
                                            f"{kind.parent.field} must answer 404", response)
