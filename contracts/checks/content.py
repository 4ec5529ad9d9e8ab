"""Content (WML model content, function code, model definition archives): what is uploaded comes back.

A kind with a ``content-put`` action takes an upload of bytes; ``attachments`` lists what was
uploaded, ``attachment-get`` downloads one attachment by id, ``content-get`` downloads the content
selected by filters, ``attachment-delete`` removes one. The rules upload a small gzipped tar
archive (what the official client uploads) and read it back byte for byte.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import uuid
from typing import Any

import httpx

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation

from ..context import Context
from ..registry import rule
from ..results import Skip, Violation, expect
from ..target import describe
from .scope import requires_scope

# Preferred media types for the documented round trip, most archive-like first. `application/json`,
# `text/plain` and `application/xml` are documented too, but an archive sent as one of them is the
# subject of reading 34, judged by content.bytes-whatever-type.
ARCHIVE_TYPES = ("application/gzip", "application/octet-stream", "application/zip")
READING_34 = ("spec/README.md reading 34: uploads are bytes whatever their Content-Type (the official client "
              "uploads model tarballs declared application/json)")


def _uploadable(api: ApiDeclaration, kind: Kind) -> bool:
    return (api.operation(kind.name, "content-put") is not None and api.operation(kind.name, "create") is not None
            and (api.operation(kind.name, "content-get") is not None
                 or api.operation(kind.name, "attachment-get") is not None))


def archive(ctx: Context) -> bytes:
    """A small, valid ``.tar.gz`` (deterministic per rule and subject): binary, not UTF-8."""
    payload = bytes(ctx.random.getrandbits(8) for _ in range(64))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("model/mlmock.bin")
        info.size, info.mtime = len(payload), 0
        tar.addfile(info, io.BytesIO(payload))
    return gzip.compress(raw.getvalue(), mtime=0)


def _query(op: Operation) -> dict[str, Any]:
    """Values for the required query parameters of ``op`` that are not the version or the scope."""
    values: dict[str, Any] = {}
    for param in op.parameters:
        if param["in"] != "query" or not param.get("required") or param["name"] in ("version", "space_id",
                                                                                     "project_id"):
            continue
        values[param["name"]] = "native" if param["name"] == "content_format" else param.get("example", "mlmock")
    return values


def upload(ctx: Context, kind: Kind, id_: str, data: bytes, media: str) -> httpx.Response:
    op = ctx.operation(kind, "content-put")
    return ctx.call(op, path={ctx.id_param(op): id_}, params=_query(op), content=data,
                    headers={"Content-Type": media})


def shown(response: httpx.Response) -> str:
    """``STATUS body`` for a JSON or text answer, ``STATUS (N bytes)`` for content (never raw bytes)."""
    media = response.headers.get("content-type", "")
    if "json" in media or media.startswith("text/"):
        return describe(response, 200)
    return f"{response.status_code} ({len(response.content)} bytes of {media or 'no declared type'})"


def expect_status(response: httpx.Response, wanted: bool, message: str) -> None:
    if not wanted:
        raise Violation(f"{message} (got {shown(response)})", response)


def same_bytes(response: httpx.Response, data: bytes, message: str) -> None:
    """``response`` is a 200 carrying exactly ``data``; the message says where they part (never the bytes)."""
    got = response.content
    if response.status_code == 200 and got == data:
        return
    if response.status_code != 200:
        raise Violation(f"{message} (got {shown(response)})", response)
    first = next((n for n, (a, b) in enumerate(zip(got, data, strict=False)) if a != b), min(len(got), len(data)))
    raise Violation(f"{message} (got {len(got)} bytes instead of {len(data)}, differing from byte {first})",
                    response)


def _download_filters(op: Operation, sent: dict[str, Any]) -> dict[str, Any]:
    """The filters of a download that select what was uploaded with ``sent`` (e.g. content_format)."""
    return {f.param: sent[f.param] for f in op.filters if f.param in sent}


def _check_download(ctx: Context, kind: Kind, id_: str, data: bytes, what: str) -> None:
    op = ctx.api.operation(kind.name, "content-get")
    if not ctx.serves(op):
        return
    put = ctx.operation(kind, "content-put")
    response = ctx.call(op, path={ctx.id_param(op): id_}, params=_download_filters(op, _query(put)))
    same_bytes(response, data, f"{op.method} {op.path} after {what} must answer 200 with the {len(data)} bytes "
               "uploaded, byte for byte")


def _created(ctx: Context, kind: Kind) -> str:
    return ctx.id_of(kind, ctx.create(kind))


def _refused(response: httpx.Response, kind: Kind) -> None:
    """A 400 to a valid archive is a server that validates archives per type: the suite has no
    valid archive for every model type, so the rule cannot judge (never a false failure)."""
    if response.status_code in (400, 422):
        raise Skip(f"the target refused the suite's archive as content of a {kind.name} ({response.status_code}): "
                   "it validates archives per type, and the suite has no valid one for each")


def _incomplete(ctx: Context, kind: Kind, op: Operation, path: dict[str, str], **kwargs: Any) -> None:
    """``op`` without each of its required query parameters (the version, content_format, the scope)
    answers 400."""
    full = {**ctx.defaults(op), **(_query(op) if op.action == "content-put" else {})}
    required = [p["name"] for p in op.parameters if p["in"] == "query" and p.get("required")]
    if requires_scope(ctx.api, kind, op) and kind.scope[0] in full:
        required.append(kind.scope[0])
    for name in dict.fromkeys(required):
        left = {k: v for k, v in full.items() if k != name and not (name in kind.scope and k in kind.scope)}
        response = ctx.call(op, path=path, params=left, bare=True, **kwargs)
        expect_status(response, response.status_code == 400, f"{op.method} {op.path} without the required `{name}` "
                      "must be refused with 400")


def _incomplete_uploads(ctx: Context, kind: Kind, put: Operation, id_: str, data: bytes, media: str) -> None:
    """Uploads missing a required parameter answer 400, and an upload to an unknown id 404."""
    _incomplete(ctx, kind, put, {ctx.id_param(put): id_}, content=data, headers={"Content-Type": media})
    missing = str(uuid.UUID(int=ctx.random.getrandbits(128)))
    if "404" in put.responses:
        response = upload(ctx, kind, missing, data, media)
        expect(response.status_code == 404, f"{put.method} {put.path} to an unknown {kind.name} {missing} must "
               "answer 404", response)
    listing = ctx.api.operation(kind.name, "attachments")
    if ctx.serves(listing) and "404" in listing.responses:
        response = ctx.call(listing, path={ctx.id_param(listing): missing})
        expect(response.status_code == 404, f"{listing.method} {listing.path} of an unknown {kind.name} {missing} "
               "must answer 404", response)


@rule("content.round-trip", family="content", when=_uploadable, provenance="documented",
      source=("ibm-wml-v4-api: PUT /ml/v4/models/{model_id}/content 'Upload the model content' (201), "
              "GET .../content 'Retrieve the model content metadata list', GET .../content/{attachment_id} "
              "'Download the model content', GET .../download, DELETE .../content/{attachment_id} (204); "
              "functions and ai_services PUT/GET .../code, model definitions PUT/GET .../model"))
def round_trip(ctx: Context, kind: Kind) -> None:
    """Uploaded content answers 201, is listed as an attachment, downloads byte for byte, and is gone once deleted;
    a call without a required parameter answers 400, an upload to (or a list of) an unknown id 404."""
    put = ctx.operation(kind, "content-put")
    media = next((m for m in ARCHIVE_TYPES if m in put.request_media_types), None)
    if media is None:
        raise Skip(f"{put.operation_id} declares no archive media type ({', '.join(ARCHIVE_TYPES)})")
    id_ = _created(ctx, kind)
    data = archive(ctx)
    _incomplete_uploads(ctx, kind, put, id_, data, media)
    response = upload(ctx, kind, id_, data, media)
    _refused(response, kind)
    expect(response.status_code in put.success_statuses,
           f"{put.method} {put.path} of a {len(data)}-byte {media} archive must answer "
           f"{' or '.join(map(str, put.success_statuses))}", response)
    attachment = None
    if response.content:
        try:
            body = response.json()
            attachment = body.get("attachment_id") if isinstance(body, dict) else None
        except ValueError:
            attachment = None
    listing = ctx.api.operation(kind.name, "attachments")
    if ctx.serves(listing):
        listed = ctx.call(listing, path={ctx.id_param(listing): id_})
        expect(listed.status_code == 200, f"{listing.method} {listing.path} after an upload must answer 200", listed)
        items = listed.json().get("attachments") or []
        ids = [item.get("attachment_id") for item in items if isinstance(item, dict)]
        expect(bool(items), f"{listing.method} {listing.path} after an upload must list the attachment", listed)
        if attachment is not None:
            expect(attachment in ids, f"{listing.method} {listing.path} must list the uploaded attachment "
                   f"{attachment}", listed)
        else:
            attachment = ids[0]
    _check_download(ctx, kind, id_, data, "an upload")
    get_one = ctx.api.operation(kind.name, "attachment-get")
    if ctx.serves(get_one) and attachment is not None:
        path = {ctx.id_param(get_one): id_, "attachment_id": attachment}
        got = ctx.call(get_one, path=path)
        same_bytes(got, data, f"{get_one.method} {get_one.path} of attachment {attachment} must answer 200 with "
                              f"the {len(data)} bytes uploaded, byte for byte")
        _incomplete(ctx, kind, get_one, path)
        remove = ctx.api.operation(kind.name, "attachment-delete")
        if ctx.serves(remove):
            _incomplete(ctx, kind, remove, path)
            kept = ctx.call(get_one, path=path)
            expect_status(kept, kept.status_code == 200, f"attachment {attachment} must survive deletes refused for "
                          "a missing parameter")
            gone = ctx.call(remove, path=path)
            expect(gone.status_code in remove.success_statuses,
                   f"{remove.method} {remove.path} of an existing attachment must answer "
                   f"{' or '.join(map(str, remove.success_statuses))}", gone)
            after = ctx.call(get_one, path=path)
            expect_status(after, after.status_code == 404, f"a deleted attachment {attachment} must answer 404")
            again = ctx.call(remove, path=path)
            expect(again.status_code == 404, f"a second delete of attachment {attachment} must answer 404", again)
            if ctx.serves(listing):
                listed = ctx.call(listing, path={ctx.id_param(listing): id_})
                ids = [i.get("attachment_id") for i in listed.json().get("attachments") or [] if isinstance(i, dict)]
                expect(attachment not in ids, f"a deleted attachment {attachment} must not be listed", listed)
            download = ctx.api.operation(kind.name, "content-get")
            if ctx.serves(download) and "404" in download.responses:
                filters = _download_filters(download, _query(put))
                none = ctx.call(download, path={ctx.id_param(download): id_}, params=filters)
                expect_status(none, none.status_code == 404, f"{download.method} {download.path} with "
                              f"{filters or 'no filter'} must answer 404 once its only matching attachment is deleted")


@rule("content.bytes-whatever-type", family="content", when=_uploadable, provenance="reading", source=READING_34)
def bytes_whatever_type(ctx: Context, kind: Kind) -> None:
    """An archive uploaded with Content-Type application/json (as the official client sends it) is stored as bytes."""
    put = ctx.operation(kind, "content-put")
    id_ = _created(ctx, kind)
    data = archive(ctx)
    response = upload(ctx, kind, id_, data, "application/json")
    expect(response.status_code in put.success_statuses,
           f"{put.method} {put.path} of a {len(data)}-byte archive declared application/json (what the official "
           f"client sends) must answer {' or '.join(map(str, put.success_statuses))}, not parse the body as JSON",
           response)
    if ctx.serves(ctx.api.operation(kind.name, "content-get")):
        _check_download(ctx, kind, id_, data, "an upload declared application/json")
        return
    listing = ctx.api.operation(kind.name, "attachments")
    get_one = ctx.api.operation(kind.name, "attachment-get")
    if not (ctx.serves(listing) and ctx.serves(get_one)):
        raise Skip(f"{kind.name} content cannot be read back (no download or attachment operation served)")
    listed = ctx.call(listing, path={ctx.id_param(listing): id_})
    ids = [i.get("attachment_id") for i in listed.json().get("attachments") or [] if isinstance(i, dict)]
    expect(bool(ids), f"{listing.method} {listing.path} must list the upload", listed)
    got = ctx.call(get_one, path={ctx.id_param(get_one): id_, "attachment_id": ids[0]})
    same_bytes(got, data, f"the upload declared application/json must download as the {len(data)} bytes sent")
