"""Auth: a user without permission is refused with 403 wherever the reference documents one.

Both references document 403: WML on almost every operation ("an authentication error including
trying to access an unauthorized space or project"), OpenMetadata on the creates ("User lacks
permission to create ML models"). Provoking it needs a second principal, one the target knows but
who has no access to the suite's space and no permission to create: ``mlmock check
--limited-token``. Without it the rule is skipped, never failed.

The rule never depends on the order in which a server checks permission, existence and the request
(spec/README.md reading 45): each request is one the suite's own token would have had served, on a
resource that exists in the suite's space, so the only reason left to refuse it is permission.
The platform's asset operations (``/v2/assets``, its attachments and search) ask about an asset the
suite made through the view, with an uploaded attachment, in its space.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from ..context import _PARAM, Context
from ..registry import rule
from ..results import Skip, expect
from . import content
from .auth import expect_refusal
from .scope import _patch_body

SCOPES = ("version", "space_id", "project_id")
ATTACHMENT_ACTIONS = ("attachment-get", "attachment-delete")
VIEW_ACTIONS = ("asset-create", "get", "patch", "delete", "attribute-patch", "attachment-create", "attachment-link",
                "attachment-delete", "attachment-complete", "search")


def _space_holder(api: ApiDeclaration, kind: Kind) -> bool:
    """``kind`` is what the ``space_id`` scope names (a space): the suite's space is one."""
    declared = api.scopes.get("space_id")
    return declared is not None and declared.kind == kind.name


def _creatable(api: ApiDeclaration, kind: Kind) -> bool:
    return api.operation(kind.name, "create") is not None or api.operation(kind.name, "upsert") is not None


def _listed(api: ApiDeclaration, kind: Kind) -> bool:
    return api.operation(kind.name, "list") is not None and kind.pagination is not None


def _view(api: ApiDeclaration, kind: Kind) -> bool:
    """``kind`` is a view the suite creates through (``/v2/assets``): its operations ask about an asset it made."""
    return kind.view_of is not None and bool(kind.view_of.creatable) \
        and api.operation(kind.name, "asset-create") is not None


def _applies(api: ApiDeclaration, op: Operation) -> bool:
    if not op.requires_auth or "403" not in op.responses or op.kind is None:
        return False
    kind = api.kinds[op.kind]
    if _view(api, kind):
        return op.action in VIEW_ACTIONS
    names = _PARAM.findall(op.path)
    if not names:
        return op.action not in ("create", "upsert", "bulk-upsert") or _creatable(api, kind)
    if len(names) == 2:  # an attachment of a resource the suite makes and uploads to
        return op.action in ATTACHMENT_ACTIONS and _creatable(api, kind) \
            and api.operation(kind.name, "content-put") is not None
    # One path parameter, the resource's own id: one the suite can make (or its own space), or, for
    # a read, one the target lists (instances). A member or a run would need its own fixture.
    return len(names) == 1 and (_space_holder(api, kind) or _creatable(api, kind)
                                or (op.method == "GET" and _listed(api, kind)))


def _query(ctx: Context, op: Operation) -> dict[str, Any]:
    """Required query parameters beyond the version and the scope (which ``ctx.call`` adds)."""
    return {p["name"]: ctx.minimal(p.get("schema", {})) for p in op.parameters
            if p["in"] == "query" and p.get("required") and p["name"] not in SCOPES}


def _body(ctx: Context, op: Operation, kind: Kind) -> dict[str, Any]:
    """A body the suite's own token would have had accepted."""
    if not op.request_body:
        return {}
    media, content = next(iter(op.request_body.get("content", {}).items()))
    if "json" not in media:
        return {"content": b"mlmock", "headers": {"Content-Type": media}}
    if op.action in ("create", "upsert"):
        body: Any = ctx.create_body(kind)
    elif op.action == "bulk-upsert":
        body = [ctx.create_body(kind)]
    elif op.action == "patch":
        body = _patch_body(kind) or []
    else:
        body = ctx.minimal(content.get("schema", {}))
        if isinstance(body, dict) and "space_id" in body and ctx.space:
            body["space_id"] = ctx.space
    return {"content": json.dumps(body).encode(), "headers": {"Content-Type": media}}


def _attachment(ctx: Context, kind: Kind, id_: str) -> str:
    """Upload an archive to the resource with the suite's token; the attachment's id."""
    response = content.upload(ctx, kind, id_, content.archive(ctx), "application/gzip")
    found = None
    try:
        found = response.json().get("attachment_id") if response.content else None
    except (ValueError, AttributeError):
        found = None
    listing = ctx.api.operation(kind.name, "attachments")
    if found is None and ctx.serves(listing):
        listed = ctx.call(listing, path={ctx.id_param(listing): id_})
        items = (listed.json().get("attachments") or []) if listed.status_code == 200 else []
        found = next((i.get("attachment_id") for i in items if isinstance(i, dict)), None)
    if not found:
        raise Skip(f"the upload to a {kind.name} named no attachment to ask about ({response.status_code})")
    return str(found)


def _some_listed(ctx: Context, kind: Kind) -> str:
    """The id of the first resource the target lists (a kind the suite cannot create)."""
    listed = ctx.call(ctx.operation(kind, "list"))
    items = pointer_get(listed.json(), kind.pagination.items) if listed.status_code == 200 else None
    found = next((pointer_get(i, kind.id) for i in items or [] if isinstance(i, dict)), None)
    if not found:
        raise Skip(f"the target lists no {kind.name} to ask about")
    return str(found)


@rule("auth.limited-token", family="auth", per="operation", when=_applies, provenance="documented",
      source="WML reference: '403 Forbidden, an authentication error including trying to access an unauthorized "
             "space or project' on every operation that lists it; OpenMetadata reference, Error Handling: "
             "'403 FORBIDDEN User lacks permission to create ML models'")
def limited_token(ctx: Context, op: Operation) -> None:
    """With --limited-token, every operation documenting a 403 refuses that user, in the API's envelope."""
    token = getattr(ctx.target, "limited_token", None)
    if not token:
        raise Skip("needs a second user's token: give --limited-token (a user with no access to the suite's "
                   "space and no permission to create)")
    kind = ctx.api.kinds[op.kind]
    names = _PARAM.findall(op.path)
    path: dict[str, str] = {}
    existing = None
    if _view(ctx.api, kind):
        _ask_about_an_asset(ctx, op, kind, token)
        return
    if names:
        if _space_holder(ctx.api, kind) and (op.method == "GET" or not _creatable(ctx.api, kind)):
            # Reads ask about the suite's own space; a change or a delete gets a space of its own,
            # so that a server that wrongly obeys does not take the suite's (or the user's) space.
            if not ctx.space or op.method != "GET":
                raise Skip("no space of the suite's to ask about" if not ctx.space
                           else f"{op.method} on a space the suite cannot create")
            path[names[0]] = ctx.space
        elif _creatable(ctx.api, kind):
            existing = ctx.id_of(kind, ctx.create(kind))
            path[names[0]] = existing
            if len(names) == 2:
                path[names[1]] = _attachment(ctx, kind, existing)
        else:
            path[names[0]] = _some_listed(ctx, kind)
    response = ctx.call(op, token=token, path=path, params=_query(ctx, op) or None, **_body(ctx, op, kind))
    _refused(ctx, op, response)
    if existing is not None and op.action == "delete" and ctx.serves(ctx.api.operation(kind.name, "get")):
        _kept(ctx, op, kind, ctx.fetch(kind, existing))


def _kept(ctx: Context, op: Operation, kind: Kind, after: httpx.Response) -> None:
    expect(after.status_code == 200, f"{op.method} {op.path} sent with --limited-token was refused, yet the "
           f"{kind.name} is gone (the suite's own token reads it with {after.status_code}, not 200)", after)


def _ask_about_an_asset(ctx: Context, op: Operation, kind: Kind, token: str) -> None:
    """An asset operation, on an asset (and an uploaded attachment) the suite made in its space with its own token;
    the limited user has no access to that space."""
    from .status_assets import _attribute_change, _create_body, uploaded_attachment, view_create

    if not ctx.space:
        raise Skip("no space of the suite's to ask about")
    viewed = ctx.api.kinds[kind.view_of.creatable[0]]
    scope = {"space_id": ctx.space}
    if op.action == "asset-create":
        response = ctx.call(op, token=token, params=scope, json=_create_body(ctx, viewed))
        _refused(ctx, op, response)
        return
    asset, type_ = view_create(ctx, kind)
    values = {"asset_id": asset, "attribute_key": type_, "asset_type": type_}
    names = _PARAM.findall(op.path)
    if "attachment_id" in names:
        values["attachment_id"] = uploaded_attachment(ctx, kind, asset, type_)
    path = {name: values.get(name, asset) for name in names}
    bodies = {"patch": _patch_body(kind), "attachment-create": {"asset_type": type_, "name": "mlmock archive"},
              "search": {"query": "*:*"}}
    change = _attribute_change(ctx, viewed) if op.action == "attribute-patch" else None
    if change is not None:
        bodies["attribute-patch"] = [{"op": "add", "path": change[0], "value": change[1]}]
    body = bodies.get(op.action)
    response = ctx.call(op, token=token, path=path, params=scope, **({"json": body} if body is not None else {}))
    _refused(ctx, op, response)
    if op.action == "delete":
        get = ctx.operation(kind, "get")
        _kept(ctx, op, kind, ctx.call(get, path={ctx.id_param(get): asset}, params=scope))


def _refused(ctx: Context, op: Operation, response: httpx.Response) -> None:
    what = f"{op.method} {op.path} sent with --limited-token (a user without access or permission)"
    expect_refusal(ctx, op, 403, response, what)
