"""The WML `version` date is required on every call, not only on lists."""

from __future__ import annotations

from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation

from ..context import Context
from ..registry import rule
from ..results import expect
from .scope import _patch_body

ACTIONS = ("get", "patch", "delete", "revisions", "content-get", "attachments", "create", "revision-create")


def _needs_version(op: Operation) -> bool:
    param = op.parameter("version")
    return bool(param and param.get("required"))


def _operations(api: ApiDeclaration, kind: Kind) -> list[Operation]:
    return [op for action in ACTIONS for op in api.operations_of(kind.name, action) if _needs_version(op)]


def _applies(api: ApiDeclaration, kind: Kind) -> bool:
    return (api.operation(kind.name, "create") is not None and api.operation(kind.name, "get") is not None
            and bool(_operations(api, kind)))


@rule("versioning.version-on-every-call", family="versioning", when=_applies, provenance="documented",
      source="ibm-wml-v4-api, Versioning: 'API requests require a version parameter that takes a date in the "
             "format version=YYYY-MM-DD ... Send the version parameter with every API request.'")
def version_on_every_call(ctx: Context, kind: Kind) -> None:
    """Create, get, patch, delete, revisions, content of a resource without a valid `version` answer 400."""
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    for op in _operations(ctx.api, kind):
        kwargs: dict[str, Any] = {}
        if op.action == "create":
            kwargs = {"json": ctx.create_body(kind)}
        elif op.action == "revision-create":
            kwargs = {"json": {"commit_message": "mlmock", **({"space_id": ctx.space} if "space_id" in kind.scope
                                                              and ctx.space else {})}}
        elif op.action == "patch":
            document = _patch_body(kind)
            if document is None:
                continue
            kwargs = {"json": document, "headers": {"Content-Type": kind.patch.media_type}}
        query = {k: v for k, v in ctx.defaults(op).items() if k != "version"}
        for version in (None, "yesterday"):
            params = {**query, **({"version": version} if version else {})}
            path = {ctx.id_param(op): id_} if "{" in op.path else None
            response = ctx.call(op, path=path, params=params, bare=True, **kwargs)
            said = "without version" if version is None else f"with version={version}"
            expect(response.status_code == 400, f"{op.method} {op.path} {said} must answer 400", response)
    after = ctx.fetch(kind, id_)
    expect(after.status_code == 200, f"the {kind.name} must be intact after calls without a valid version", after)
