"""Uploads: content put and get, and the attachments they become."""

from __future__ import annotations

import json
from typing import Any

from mlmock.spec.declarations import Kind, pointer_get, pointer_set

from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest, NotFound
from ...core.store import Record
from .common import WML, fetch, path_id, status_for
from .scopes import located, scope_of


def _attachment_meta(request: Request, data: bytes, attachment_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"attachment_id": attachment_id, "persisted": True, "data_size": len(data)}
    for kept in request.op.extensions.attachment_fields:
        if request.params.get(kept.param) is not None:
            pointer_set(meta, kept.pointer, request.params[kept.param])
    meta.setdefault("content_format", "native")
    media = request.content_type
    if media:
        meta["content_type"] = media.split(";")[0]
    return meta


@WML.action("content-put")
def content_put(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    data = request.raw
    scope = scope_of(engine, request, kind)
    settings = kind.attachments
    coll = engine.collection(api, kind)
    with coll.transaction():
        record = fetch(engine, request, kind, path_id(request), scope)
        if settings.multiple:
            probe = _attachment_meta(request, data, "")
            key = json.dumps([probe.get(k) for k in settings.replace_key])
            existing = next((m for m in coll.blobs(record.id) if m.get("_key") == key), None)
            attachment_id = existing["attachment_id"] if existing else engine.ids.new()
        else:
            key, attachment_id = "content", engine.ids.new()
        meta = _attachment_meta(request, bytes(data), attachment_id)
        # _signature: the secret of its signed /v2/asset_files links (reading 51)
        secret = engine.ids.new().replace("-", "")
        coll.put_blob(record.id, key, {**meta, "_key": key, "_signature": secret}, bytes(data))
    return Reply(status_for(request), meta)


def _attachments(engine: Engine, request: Request, kind: Kind, record: Record) -> list[dict]:
    found = [{k: v for k, v in m.items() if not k.startswith("_")}  # _key, _signature: the mock's own
             for m in engine.collection(request.api, kind).blobs(record.id)]
    for flt in request.op.filters:
        value = request.params.get(flt.param)
        if value is not None:
            found = [m for m in found if str(pointer_get(m, flt.field)) == str(value)]
    return found


@WML.action("attachments")
def attachments(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
    found = _attachments(engine, request, kind, record)
    return Reply(200, {"total_count": len(found), "attachments": found})


def _blob_by_id(engine: Engine, request: Request, kind: Kind, record: Record, attachment_id: str):
    coll = engine.collection(request.api, kind)
    for meta in coll.blobs(record.id):
        if meta["attachment_id"] == attachment_id:
            return meta, coll.blob(record.id, meta["_key"])[1]
    raise NotFound(f"attachment '{attachment_id}' does not exist", code="does_not_exist")


@WML.action("attachment-get")
def attachment_get(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
    _, data = _blob_by_id(engine, request, kind, record, request.params["attachment_id"])
    return Reply(200, data, media_type="application/octet-stream")


@WML.action("attachment-delete")
def attachment_delete(engine: Engine, request: Request) -> Reply:
    with engine.collection(request.api, request.kind).transaction():
        kind, record = located(engine, request)  # on /v2/assets, the asset's resource
        meta, _ = _blob_by_id(engine, request, kind, record, request.params["attachment_id"])
        engine.collection(request.api, kind).remove_blob(record.id, meta["_key"])
    return Reply(request.op.success_statuses[0])


@WML.action("content-get")
def content_get(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, kind, path_id(request), scope_of(engine, request, kind))
    found = _attachments(engine, request, kind, record)
    if not found:
        raise NotFound(f"{kind.name} '{record.id}' has no matching content", code="does_not_exist")
    if len(found) > 1:
        raise BadRequest(f"{len(found)} attachments of {kind.name} '{record.id}' match; filter on one of "
                         f"{', '.join(f.param for f in request.op.filters)}", code="ambiguous_content")
    _, data = _blob_by_id(engine, request, kind, record, found[0]["attachment_id"])
    return Reply(200, data, media_type="application/octet-stream")
