"""A platform asset followed through its life, as the official client handles model definitions.

The client (ibm-watsonx-ai 1.8) stores a model definition with `POST /v2/assets`, attaches its
archive (create the attachment, PUT the bytes to the signed `url1` without a token, complete it),
reads it back through the attachment's signed `url`, finds it with a search, updates its metadata
and its attribute, and deletes the attachment and the asset (spec/README.md readings 48-52). The
rule does the same in the suite's space, judging every answer against its documented one; the
asset is in the cleanup ledger from the moment its create answers.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import NotServed, SetupFailed, Skip, expect
from ..target import describe
from .spaces import READING_36, _made_up
from .status import documented_answer

ACTIONS = ("asset-create", "get", "patch", "delete", "attribute-patch", "attachment-create", "attachment-complete",
           "attachment-link", "attachment-delete", "file-put", "file-get", "search")
READING_51 = ("spec/README.md reading 51: a signed link with a wrong signature is 403 (not 401, which the client "
              "retries)")


def _creatable_view(api: ApiDeclaration, kind: Kind) -> bool:
    return kind.view_of is not None and bool(kind.view_of.creatable) \
        and all(api.operation(kind.name, action) is not None for action in ACTIONS)


def _asset_type(name: str) -> str:
    return f"wml_{name}"  # the attribute and asset type of a WML kind (reading 48)


def _create_body(ctx: Context, viewed: Kind) -> dict[str, Any]:
    """What the client sends: the metadata fields under `metadata`, the rest as the attribute."""
    made = ctx.create_body(viewed)
    for scope in viewed.scope:
        made.pop(scope, None)
    metadata = {k: made.pop(k) for k in list(made) if k in (viewed.metadata_fields or ())}
    metadata.setdefault("name", ctx.name(viewed.name))
    type_ = _asset_type(viewed.name)
    return {"metadata": {**metadata, "asset_type": type_}, "entity": {type_: made}}


def view_create(ctx: Context, kind: Kind) -> tuple[str, str]:
    """An asset made through the view ``kind`` in the suite's space with the suite's token: its id, its type."""
    viewed = ctx.api.kinds[kind.view_of.creatable[0]]
    create = ctx.operation(kind, "asset-create")
    made = ctx.call(create, params={"space_id": ctx.space}, json=_create_body(ctx, viewed))
    if made.status_code not in create.success_statuses:
        raise SetupFailed(create.operation_id, f"{create.operation_id} of a valid body should succeed with one of "
                          f"{create.success_statuses} (got {describe(made)})", made)
    return ctx.id_of(kind, made.json()), _asset_type(viewed.name)


def uploaded_attachment(ctx: Context, kind: Kind, asset: str, type_: str) -> str:
    """An attachment of ``asset`` whose bytes were uploaded to its url1 (not completed): its id."""
    create = ctx.operation(kind, "attachment-create")
    made = ctx.call(create, path={ctx.id_param(create): asset}, params={"space_id": ctx.space},
                    json={"asset_type": type_, "name": "mlmock archive"})
    body = made.json() if made.status_code in create.success_statuses else {}
    if not isinstance(body.get("url1"), str) or not body.get("attachment_id"):
        raise SetupFailed(create.operation_id, f"{create.operation_id} should answer an attachment with its url1 "
                          f"(got {describe(made)})", made)
    ctx.target.request("PUT", body["url1"], token=None, content=b"mlmock",
                       headers={"Content-Type": "application/octet-stream"})
    return str(body["attachment_id"])


def _attribute_change(ctx: Context, viewed: Kind) -> tuple[str, Any] | None:
    """A path inside the attribute (the entity) the viewed kind lets a client add, and a value of its type."""
    schema = ctx.api.schema(viewed.schema)
    for patch_rule in viewed.patch.rules if viewed.patch else ():
        if patch_rule.target.startswith("/entity/") and "add" in patch_rule.ops:
            sub = ctx.api.schema_at(schema, patch_rule.target) or {}
            value = {"object": {"mlmock": ctx.run}, "array": ["mlmock"]}.get(sub.get("type"), "mlmock")
            return patch_rule.target[len("/entity"):], value
    return None


def _pair(path: str, asset: str, attachment: str) -> dict[str, str]:
    """The two path parameters of an attachment's operation: the asset's id, the attachment's."""
    first, second = re.findall(r"\{([^}]+)\}", path)
    return {first: asset, second: attachment}


def _signed(link: str, signature: str | None) -> str:
    """``link`` with its signature replaced (None: removed)."""
    base, _, query = link.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("signature=")]
    if signature is not None:
        kept.append(f"signature={signature}")
    return base + ("?" + "&".join(kept) if kept else "")


@rule("status.asset-flow", family="status", when=_creatable_view, provenance="client",
      source="the official client 1.8 (model_definition.py, wml_resource.py; spec/README.md readings 48-52): "
             "POST /v2/assets 201, attachment 201 + url1, PUT url1 201, complete 200, GET url the bytes, search 200, "
             "PATCH 200, attachment and asset DELETE 204; a wrong signature 403, a deleted one 404")
def asset_flow(ctx: Context, kind: Kind) -> None:
    """An asset is created (201), given an attachment whose bytes go up and come back through signed links
    (a wrong signature is 403), found by a search, patched in its metadata and attribute (200), and its
    attachment and itself deleted (204), after which each answers 404."""
    ops = {action: ctx.operation(kind, action) for action in ACTIONS}
    for op in ops.values():
        if not ctx.serves(op):
            raise NotServed(f"not served: {op.method} {op.path} (an asset cannot be followed through its life)")
    if not ctx.space:
        raise Skip("no space to create an asset in (the suite was given none)")
    viewed = ctx.api.kinds[kind.view_of.creatable[0]]
    type_ = _asset_type(viewed.name)
    scope = {"space_id": ctx.space}
    create = ops["asset-create"]
    made = ctx.call(create, params=scope, json=_create_body(ctx, viewed))  # in the ledger on success
    asset = ctx.id_of(kind, documented_answer(ctx, create, made, f"creating a {type_} asset"))
    item = {ctx.id_param(ops["get"]): asset}
    got = ctx.call(ops["get"], path=item, params=scope)
    expect(ctx.id_of(kind, documented_answer(ctx, ops["get"], got, f"reading the asset {asset}")) == asset,
           f"GET of the asset {asset} answers another one", got)

    attachment, link = _attach(ctx, ops, asset, type_, scope)
    _search(ctx, ops, kind, asset, type_, scope)

    patch = next((r for r in kind.patch.rules if "replace" in r.ops), None) if kind.patch else None
    if patch is not None:
        value = ctx.name(viewed.name)
        sent = ctx.call(ops["patch"], path=item, params=scope, json=[{"op": "replace", "path": patch.path,
                                                                     "value": value}])
        patched = documented_answer(ctx, ops["patch"], sent, f"replacing {patch.path} of the asset {asset}")
        expect(pointer_get(patched, patch.path) == value, f"the patched asset {asset} answers {patch.path} "
               f"{value!r}", sent)
    attribute = ops["attribute-patch"]
    names = re.findall(r"\{([^}]+)\}", attribute.path)
    change = _attribute_change(ctx, viewed)
    if change is not None:
        sent = ctx.call(attribute, path={names[0]: asset, names[1]: type_}, params=scope,
                        json=[{"op": "add", "path": change[0], "value": change[1]}])
        answered = documented_answer(ctx, attribute, sent, f"adding {change[0]} to the attribute {type_}")
        expect(pointer_get(answered.get(type_) or {}, change[0]) == change[1],
               f"the patched attribute {type_} answers {change[0]} {change[1]!r}", sent)
    other = ctx.call(attribute, path={names[0]: asset, names[1]: "mlmock_no_such_attribute"}, params=scope,
                     json=[{"op": "add", "path": "/mlmock", "value": 1}])
    expect(other.status_code == 404, f"{attribute.method} {attribute.path} of an attribute the asset does not have "
           "must answer 404", other)

    _detach(ctx, ops, asset, attachment, link, scope)
    delete = ops["delete"]
    removed = ctx.call(delete, path=item, params={**scope, "purge_on_delete": "true"})
    documented_answer(ctx, delete, removed, f"deleting the asset {asset}")
    gone = ctx.call(ops["get"], path=item, params=scope)
    expect(gone.status_code == 404, f"GET of the deleted asset {asset} must answer 404", gone)
    again = ctx.call(ops["attachment-create"], path=item, params=scope, json={"asset_type": type_, "name": "late"})
    expect(again.status_code == 404, f"an attachment of the deleted asset {asset} must answer 404", again)

    nowhere = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    stray = ctx.call(create, params={"space_id": nowhere}, json=_create_body(ctx, viewed))
    if 200 <= stray.status_code < 300:
        _made_up(ctx, nowhere, stray, f"{create.method} {create.path}")
    expect(stray.status_code == 404, f"{create.method} {create.path} in a space that does not exist ({nowhere}) "
           "must answer 404", stray, reading=READING_36)


def _attach(ctx: Context, ops: dict, asset: str, type_: str, scope: dict) -> tuple[str, str]:
    """Create an attachment, upload through url1 (a wrong and a missing signature first), complete it, read it
    back through url; its id and its url."""
    create = ops["attachment-create"]
    made = ctx.call(create, path={ctx.id_param(create): asset}, params=scope,
                    json={"asset_type": type_, "name": "mlmock archive", "mime": "application/octet-stream"})
    body = documented_answer(ctx, create, made, f"creating an attachment of the asset {asset}")
    attachment, url1 = body.get("attachment_id"), body.get("url1")
    expect(isinstance(attachment, str) and isinstance(url1, str) and "signature=" in url1,
           f"{create.method} {create.path} must answer attachment_id and a signed url1", made)
    data = b"\x1f\x8b\x08\x00mlmock\x00\xff" + bytes(range(256)) + ctx.run.encode()
    upload = ops["file-put"]
    raw = {"content": data, "headers": {"Content-Type": "application/octet-stream"}}
    forged = ctx.target.request("PUT", _signed(url1, "mlmock-forged"), token=None, **raw)
    expect(forged.status_code == 403, f"PUT {url1.partition('?')[0]} with a wrong signature must answer 403",
           forged, reading=READING_51)
    unsigned = ctx.target.request("PUT", _signed(url1, None), token=None, **raw)
    expect(unsigned.status_code == 400, f"PUT {url1.partition('?')[0]} without its required signature must answer "
           "400", unsigned)
    sent = ctx.target.request("PUT", url1, token=None, **raw)
    documented_answer(ctx, upload, sent, f"uploading the bytes of the attachment {attachment} to url1")
    complete = ops["attachment-complete"]
    one = _pair(complete.path, asset, attachment)
    done = ctx.call(complete, path=one, params=scope)
    completed = documented_answer(ctx, complete, done, f"completing the attachment {attachment}")
    expect(completed.get("transfer_complete") is True, f"the completed attachment {attachment} answers "
           "transfer_complete: true", done)
    got = ctx.call(ops["attachment-link"], path=one, params=scope)
    read = documented_answer(ctx, ops["attachment-link"], got, f"reading the attachment {attachment}")
    url = read.get("url")
    expect(isinstance(url, str) and "signature=" in url, f"the attachment {attachment} answers a signed url", got)
    fetched = ctx.target.request("GET", url, token=None)
    expect(fetched.status_code in ops["file-get"].success_statuses, f"GET {url.partition('?')[0]} (the signed url "
           f"of the attachment {attachment}) must answer 200 with its bytes", fetched)
    expect(fetched.content == data, f"the attachment {attachment} downloads as uploaded ({len(data)} bytes sent, "
           f"{len(fetched.content)} read back)", fetched)
    for signature, status, what in (("mlmock-forged", 403, "a wrong signature"), (None, 400, "no signature")):
        refused = ctx.target.request("GET", _signed(url, signature), token=None)
        expect(refused.status_code == status, f"GET {url.partition('?')[0]} with {what} must answer {status}",
               refused, reading=READING_51 if status == 403 else None)
    return attachment, url


def _search(ctx: Context, ops: dict, kind: Kind, asset: str, type_: str, scope: dict) -> None:
    search = ops["search"]
    at = {ctx.id_param(search): type_}
    body: dict[str, Any] | None = {"query": "*:*"}
    found: list = []
    for _ in range(20):  # the suite's space may hold many; a page is 200 by default
        response = ctx.call(search, path=at, params=scope, json=body)
        page = documented_answer(ctx, search, response, f"searching the {type_} assets")
        found += [ctx.id_of(kind, r) for r in page.get("results") or []]
        body = page.get("next")
        if asset in found or not body:
            break
    expect(asset in found, f"a search of the {type_} assets of the space must find the asset {asset}")
    nowhere = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    stray = ctx.call(search, path=at, params={"space_id": nowhere}, json={"query": "*:*"})
    expect(stray.status_code == 404, f"{search.method} {search.path} in a space that does not exist ({nowhere}) "
           "must answer 404", stray, reading=READING_36)


def _detach(ctx: Context, ops: dict, asset: str, attachment: str, url: str, scope: dict) -> None:
    delete = ops["attachment-delete"]
    one = _pair(delete.path, asset, attachment)
    removed = ctx.call(delete, path=one, params=scope)
    documented_answer(ctx, delete, removed, f"deleting the attachment {attachment}")
    for op in (ops["attachment-link"], delete, ops["attachment-complete"]):
        gone = ctx.call(op, path=one, params=scope)
        expect(gone.status_code == 404, f"{op.method} {op.path} of the deleted attachment {attachment} must answer "
               "404", gone)
    for method, kwargs in (("GET", {}), ("PUT", {"content": b"late"})):
        gone = ctx.target.request(method, url, token=None, **kwargs)
        expect(gone.status_code == 404, f"{method} {url.partition('?')[0]} of the deleted attachment {attachment} "
               "must answer 404", gone)
