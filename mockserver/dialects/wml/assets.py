"""The platform asset API (``/v2/assets``, CAMS) over the WML resources its view shows.

An asset is the resource of the kind its type names (``wml_model_definition``: a model
definition), stored once: created through the view (``view-of.creatable``), patched in its
metadata or its attribute (the WML entity), given attachments whose bytes go through signed
``/v2/asset_files`` links, and searched by type. spec/README.md readings 48-52.
"""

from __future__ import annotations

import re
from typing import Any

from ...core import paging
from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest, Forbidden, NotFound
from ...core.store import Record
from .common import WML, iso, scope_fields
from .content import _blob_by_id
from .documents import _view, advance, asset_type, viewed_kind
from .resources import apply_patch, store_new
from .scopes import located, scope_of

EVERY_ASSET = ("*:*", "*")  # the Lucene queries the mock knows: every asset of the type


def _viewed_type(request: Request, type_: str, *, creating: bool = False) -> str:
    """The kind shown under the asset type ``type_``; a 400 for a type the view does not (create)."""
    view = request.kind.view_of
    name = viewed_kind(request.kind, type_)
    if name is None or (creating and name not in view.creatable):
        allowed = view.creatable if creating else view.kinds
        raise BadRequest(f"asset type '{type_}' is not supported here (supported: "
                         f"{', '.join(asset_type(k) for k in allowed)})", code="invalid_asset_type")
    return name


@WML.action("asset-create")
def asset_create(engine: Engine, request: Request) -> Reply:
    """A new resource of the kind the asset type names: metadata fields from ``metadata``, the
    entity from ``entity.<asset_type>`` (the CAMS bookkeeping fields are not kept)."""
    body = request.body
    type_ = body["metadata"]["asset_type"]
    kind = request.api.kinds[_viewed_type(request, type_, creating=True)]
    entity = body["entity"].get(type_)
    if not isinstance(entity, dict):
        raise BadRequest(f"entity.{type_} is required for an asset of type {type_}", code="missing_attribute")
    fields = {f: body["metadata"][f] for f in kind.metadata_fields or ()
              if f in body["metadata"] and f not in kind.scope}
    record = store_new(engine, request, kind, {**entity, **fields})
    return Reply(201, _view(engine, request, request.kind, record))


@WML.action("attribute-patch")
def attribute_patch(engine: Engine, request: Request) -> Reply:
    """A JSON Patch relative to the asset's attribute, which is the resource's entity."""
    operations = request.body
    with engine.collection(request.api, request.kind).transaction():
        kind, record = located(engine, request)
        attribute = request.params["attribute_key"]
        if attribute != asset_type(kind.name):
            raise NotFound(f"asset '{record.id}' has no attribute '{attribute}'", code="does_not_exist")
        moved = [{**op, **{k: "/entity" + op[k] for k in ("path", "from") if k in op}} for op in operations]
        record = apply_patch(engine, request, kind, record, moved, [op["path"] for op in moved])
    return Reply(200, {attribute: _view(engine, request, request.kind, record)["entity"][attribute]})


# --------------------------------------------------------------------------- attachments


def _signature(meta: dict) -> str:
    """The secret of an attachment's links (given on upload; older stored attachments have none)."""
    return meta.get("_signature") or meta["attachment_id"].replace("-", "")


def _link(record: Record, meta: dict) -> str:
    return f"/v2/asset_files/{record.id}/{meta['attachment_id']}?signature={_signature(meta)}"


def _attachment(record: Record, meta: dict, **links: str) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in scope_fields(record.scope).items())
    out = {"attachment_id": meta["attachment_id"], "asset_type": asset_type(record.kind),
           "name": meta.get("name", "content"), "mime": meta.get("mime") or "application/octet-stream",
           "size": meta.get("data_size", 0), "transfer_complete": meta.get("transfer_complete", True),
           "href": f"/v2/assets/{record.id}/attachments/{meta['attachment_id']}" + (f"?{query}" if query else "")}
    for key in ("description", "created_at"):
        if meta.get(key):
            out[key] = meta[key]
    return {**out, **links}


@WML.action("attachment-create")
def attachment_create(engine: Engine, request: Request) -> Reply:
    """A pending attachment and its upload link; a kind with one attachment gets it replaced."""
    body = request.body
    with engine.collection(request.api, request.kind).transaction():
        kind, record = located(engine, request)
        if body["asset_type"] != asset_type(kind.name):
            raise BadRequest(f"asset '{record.id}' is of type {asset_type(kind.name)}, not {body['asset_type']}",
                             code="invalid_asset_type")
        attachment_id = engine.ids.new()
        key = attachment_id if kind.attachments.multiple else "content"
        meta = {"attachment_id": attachment_id, "content_format": "native", "persisted": False, "data_size": 0,
                "transfer_complete": False, "name": body["name"], "created_at": iso(engine.clock.now_ms()),
                "_key": key, "_signature": engine.ids.new().replace("-", "")}
        meta.update({k: body[k] for k in ("description", "mime") if body.get(k)})
        engine.collection(request.api, kind).put_blob(record.id, key, meta, b"")
    return Reply(201, _attachment(record, meta, url1=_link(record, meta)))


@WML.action("attachment-complete")
def attachment_complete(engine: Engine, request: Request) -> Reply:
    with engine.collection(request.api, request.kind).transaction():
        kind, record = located(engine, request)
        meta, data = _blob_by_id(engine, request, kind, record, request.params["attachment_id"])
        if not meta.get("persisted"):
            raise BadRequest(f"attachment '{meta['attachment_id']}' has no uploaded content", code="not_uploaded")
        meta = {**meta, "transfer_complete": True}
        engine.collection(request.api, kind).put_blob(record.id, meta["_key"], meta, data)
    return Reply(200, _attachment(record, meta))


@WML.action("attachment-link")
def attachment_link(engine: Engine, request: Request) -> Reply:
    kind, record = located(engine, request)
    meta, _ = _blob_by_id(engine, request, kind, record, request.params["attachment_id"])
    return Reply(200, _attachment(record, meta, url=_link(record, meta)))


def _signed(engine: Engine, request: Request) -> tuple[Any, Record, dict, bytes]:
    kind, record = located(engine, request)
    meta, data = _blob_by_id(engine, request, kind, record, request.params["attachment_id"])
    if request.params.get("signature") != _signature(meta):
        raise Forbidden("the signature of this link is not valid", code="invalid_signature")
    return kind, record, meta, data


def form_file(content_type: str | None, raw: bytes, field: str = "file") -> bytes:
    """The ``field`` part of a ``multipart/form-data`` body, byte for byte; any other body as is."""
    media, _, params = (content_type or "").partition(";")
    if media.strip().lower() != "multipart/form-data":
        return raw
    found = re.search(r'boundary="?([^";]+)"?', params)
    if found is None:
        raise BadRequest("a multipart/form-data body needs a boundary", code="invalid_form")
    for part in raw.split(b"--" + found.group(1).encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, sep, content = part.partition(b"\r\n\r\n")
        if sep and re.search(rb'\bname="?' + re.escape(field.encode()) + rb'"?(;|\s|$)', head):
            return content[:-2] if content.endswith(b"\r\n") else content
    raise BadRequest(f"the form has no part named '{field}'", code="invalid_form")


@WML.action("file-put")
def file_put(engine: Engine, request: Request) -> Reply:
    data = form_file(request.content_type, bytes(request.raw))
    with engine.collection(request.api, request.kind).transaction():
        kind, record, meta, _ = _signed(engine, request)
        meta = {**meta, "persisted": True, "data_size": len(data)}
        engine.collection(request.api, kind).put_blob(record.id, meta["_key"], meta, data)
    return Reply(201, {"status": "Asset created: the file was uploaded"})


@WML.action("file-get")
def file_get(engine: Engine, request: Request) -> Reply:
    _, _, _, data = _signed(engine, request)
    return Reply(200, data, media_type="application/octet-stream")


# --------------------------------------------------------------------------- search


@WML.action("search")
def search(engine: Engine, request: Request) -> Reply:
    """One page of the assets of a type in a space or project; ``next`` is the following search."""
    api, body = request.api, request.body
    kind = api.kinds[_viewed_type(request, request.params["asset_type"])]
    if body["query"].strip() not in EVERY_ASSET:
        raise BadRequest(f"query {body['query']!r} is not supported by the mock (only *:*)", code="invalid_query")
    scope = scope_of(engine, request, kind)
    coll = engine.collection(api, kind)
    with coll.transaction():
        page: paging.Page = coll.page(scope=scope, limit=body.get("limit", 200), after=body.get("bookmark"),
                                      names=("bookmark", "before"),
                                      refine=lambda r: advance(engine, api, kind, r, read=True))
        total = coll.count(scope=scope)
    answer: dict[str, Any] = {"total_rows": total,
                              "results": [_view(engine, request, request.kind, r) for r in page.records]}
    if page.after is not None:
        answer["next"] = {**body, "bookmark": page.after}
    return Reply(200, answer)
