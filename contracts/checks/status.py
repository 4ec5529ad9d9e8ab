"""Documented success answers of state-changing operations, exercised on real resources.

Generated requests rarely reach the success path of a delete or a patch (a random id does not
exist), so these rules make the resource first and then judge the answer against the operation's
documented responses: the status is one of the documented 2xx, the body matches that status's
schema (or is empty when the status documents no content), the documented response headers are
sent, and a `201 Created` of an upsert is kept for creations (RFC 9110 15.3.2). Nothing here names
a kind: statuses, schemas and headers come from the OpenAPI responses of each operation.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

import httpx
from openapi_schema_validator import OAS30Validator

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from .conflict import READING_CREATED
from .patch import _scenarios, _send


@functools.lru_cache(maxsize=512)
def _validator(api: ApiDeclaration, operation_id: str, status: str) -> OAS30Validator | None:
    response = api.operations[operation_id].responses.get(status) or {}
    media = (response.get("content") or {}).get("application/json")
    if not media or "schema" not in media:
        return None
    root = {**dict(media["schema"]), "components": api.document.get("components", {})}
    return OAS30Validator(root)


def documented_answer(ctx: Context, op: Operation, response: httpx.Response, what: str) -> Any:
    """Judge ``response`` against the documented success responses of ``op``; returns its JSON body."""
    documented = op.success_statuses
    expect(response.status_code in documented,
           f"{what}: {op.operation_id} documents success as {' or '.join(map(str, documented))}", response)
    declared = op.responses[str(response.status_code)]
    for header in declared.get("headers") or {}:
        expect(header.lower() in response.headers,
               f"{what}: {op.operation_id} documents the header {header} on {response.status_code}", response)
    content = declared.get("content") or {}
    if not content:
        expect(not response.content,
               f"{what}: {op.operation_id} documents {response.status_code} without a body, the server sent one",
               response)
        return None
    expect(response.headers.get("content-type", "").split(";")[0].strip() in content,
           f"{what}: {op.operation_id} answers {response.status_code} as {sorted(content)}", response)
    try:
        body = response.json()
    except ValueError:
        expect(False, f"{what}: {op.operation_id} answered a body that is not JSON", response)
    validator = _validator(ctx.api, op.operation_id, str(response.status_code))
    if validator is not None:
        error = next(iter(validator.iter_errors(body)), None)
        where = "/" + "/".join(str(p) for p in error.absolute_path) if error is not None else ""
        expect(error is None, f"{what}: the {response.status_code} body of {op.operation_id} does not match its "
                              f"documented schema at {where}: {error.message if error else ''}", response)
    return body


def _makeable(api: ApiDeclaration, kind: Kind) -> bool:
    return (api.operation(kind.name, "create") or api.operation(kind.name, "upsert")) is not None


def _created(ctx: Context, kind: Kind) -> tuple[dict, dict]:
    op = ctx.create_op(kind)
    sent = ctx.create_body(kind)
    response = ctx.call(op, json=sent)
    body = documented_answer(ctx, op, response, f"creating a {kind.name}")
    if op.action == "upsert" and "201" in op.responses:
        expect(response.status_code == 201, f"{op.operation_id} created a new {kind.name}: that is 201 Created",
               response, reading=READING_CREATED)
    return body, sent


@rule("status.create", family="status", when=_makeable, provenance="documented",
      source="the 2xx responses of every create, upsert, bulk upsert and revision create "
             "(openmetadata-mlmodels-create: 'Returns the created ML model object', PUT 'it will update the "
             "existing entity'; ibm-wml-v4-api: '201 Created' / '202 Accepted' of each create)")
def create(ctx: Context, kind: Kind) -> None:
    """Create, upsert (new and existing), bulk upsert and revision create answer their documented status and body."""
    entity, sent = _created(ctx, kind)
    id_ = ctx.id_of(kind, entity)
    upsert = ctx.api.operation(kind.name, "upsert")
    if upsert is not None:
        if ctx.create_op(kind) is not upsert:
            new = ctx.call(upsert, json=ctx.create_body(kind))
            documented_answer(ctx, upsert, new, f"upserting a new {kind.name}")
            if "201" in upsert.responses:
                expect(new.status_code == 201, f"{upsert.operation_id} of a new {kind.name} created it: that is "
                                               f"201 Created", new, reading=READING_CREATED)
        again = ctx.call(upsert, json={**sent, "description": "changed by mlmock"})
        updated = documented_answer(ctx, upsert, again, f"upserting the existing {kind.name}")
        if len(upsert.success_statuses) > 1:
            expect(again.status_code != 201, f"{upsert.operation_id} of an existing {kind.name} updated it and "
                                             f"created nothing: not 201 Created", again, reading=READING_CREATED)
        expect(ctx.id_of(kind, updated) == id_, f"{upsert.operation_id} must update the {kind.name} {id_}", again)
    bulk = ctx.api.operation(kind.name, "bulk-upsert")
    if bulk is not None:
        sent_bulk = ctx.call(bulk, json=[ctx.create_body(kind)])
        documented_answer(ctx, bulk, sent_bulk, f"bulk upserting one {kind.name}")
    revision = ctx.api.operation(kind.name, "revision-create")
    if revision is not None:
        body = {"commit_message": "mlmock status"}
        if ctx.space and "space_id" in kind.scope:
            body["space_id"] = ctx.space
        made = ctx.call(revision, path={ctx.id_param(revision): id_}, json=body)
        documented_answer(ctx, revision, made, f"creating a revision of a {kind.name}")


def _patchable(api: ApiDeclaration, kind: Kind) -> bool:
    return _makeable(api, kind) and api.operation(kind.name, "patch") is not None and kind.patch is not None


@rule("status.patch", family="status", when=_patchable, provenance="documented",
      source="the 2xx responses of every update (PATCH): openmetadata JSON Patch answers the patched entity; "
             "ibm-wml-v4-api '200 OK ... patched successfully' / deployments '202 Accepted'")
def patch(ctx: Context, kind: Kind) -> None:
    """A documented patch of a real resource answers the documented status and body."""
    scenarios = _scenarios(ctx, kind)
    if not scenarios:
        raise Skip(f"no documented patch of a {kind.name} to send")
    entity = ctx.create(kind)
    op = ctx.operation(kind, "patch")
    response = _send(ctx, kind, ctx.id_of(kind, entity), scenarios[0])
    body = documented_answer(ctx, op, response, f"patching a {kind.name} with {scenarios[0]}")
    if body is not None:
        expect(ctx.id_of(kind, body) == ctx.id_of(kind, entity), f"{op.operation_id} must answer the patched "
                                                                  f"{kind.name}", response)


def _deletable(api: ApiDeclaration, kind: Kind) -> bool:
    return _makeable(api, kind) and api.operation(kind.name, "delete") is not None


@rule("status.delete", family="status", when=_deletable, provenance="documented",
      source="the 2xx responses of every delete (ibm-wml-v4-api: '204 No Content' on delete and cancel; "
             "openmetadata DELETE /v1/mlmodels/{id}: 200 with the deleted entity) and of restore")
def delete(ctx: Context, kind: Kind) -> None:
    """Delete (soft, hard, cancel) and restore of a real resource answer the documented status and body."""
    op = ctx.operation(kind, "delete")
    hard = kind.delete.hard_param
    modes = [None] if not hard else [{hard: "false"}, {hard: "true"}]
    for params in modes:
        entity = ctx.create(kind)
        id_ = ctx.id_of(kind, entity)
        response = ctx.call(op, path={ctx.id_param(op): id_}, params=params)
        what = f"deleting a {kind.name}" + (f" with {params}" if params else "")
        if kind.delete.cancel_state and not (params and params.get(hard) == "true") \
                and 400 <= response.status_code < 500 and kind.lifecycle is not None:
            state = pointer_get(ctx.fetch(kind, id_).json(), kind.lifecycle.field)
            if not kind.lifecycle.transitions.get(state):
                continue  # it had finished already: a cancel is refused (see deletion.cancel-keeps)
        body = documented_answer(ctx, op, response, what)
        if body is not None and isinstance(body, dict) and kind.id:
            expect(ctx.id_of(kind, body) == id_, f"{what}: {op.operation_id} answers a body of another resource",
                   response)
        if kind.delete.soft and params and params.get(hard) == "false":
            restore = ctx.api.operation(kind.name, "restore")
            if restore is not None:
                back = ctx.call(restore, json={"id": id_})
                restored = documented_answer(ctx, restore, back, f"restoring a soft-deleted {kind.name}")
                expect(isinstance(restored, dict) and restored.get("deleted") is False,
                       f"{restore.operation_id} answers the restored {kind.name} with deleted: false", back)


def _href_pointer(ctx: Context, kind: Kind) -> str | None:
    """Where a kind's representation carries a link to itself: an `href` of its schema (or its metadata)."""
    schema = ctx.api.schema(kind.schema)
    for pointer in ("/href", "/metadata/href"):
        if ctx.api.schema_at(schema, pointer) is not None:
            return pointer
    return None


def _linked(api: ApiDeclaration, kind: Kind) -> bool:
    if not _makeable(api, kind) or api.operation(kind.name, "get") is None:
        return False
    schema = api.schema(kind.schema)
    return any(api.schema_at(schema, p) is not None for p in ("/href", "/metadata/href"))


@rule("status.href", family="status", when=_linked, provenance="documented",
      source="openmetadata-mlmodels-create: response example `href` "
             "'http://localhost:8585/api/v1/mlmodels/<id>' (schema Href, format uri)")
def href(ctx: Context, kind: Kind) -> None:
    """The `href` of a created resource is an absolute link that GETs that same resource."""
    pointer = _href_pointer(ctx, kind)
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    for where, doc in (("the create answer", entity), ("GET by id", ctx.fetch(kind, id_).json())):
        link = pointer_get(doc, pointer)
        expect(isinstance(link, str) and link.startswith(("http://", "https://")),
               f"{where} of a {kind.name} must carry an absolute link at {pointer}, not {link!r}")
        # The server builds links from its own idea of its base URL, which the client may not reach
        # (a proxy, a container's host name): the link's path is judged on the target.
        path = urlsplit(link)
        followed = ctx.follow(path.path + (f"?{path.query}" if path.query else ""))
        expect(followed.status_code == 200, f"following {pointer} {link} must GET the {kind.name}", followed)
        expect(ctx.id_of(kind, followed.json()) == id_,
               f"{pointer} {link} leads to another resource than the {kind.name} {id_}", followed)


def _served_only(api: ApiDeclaration, kind: Kind) -> bool:
    return (not _makeable(api, kind) and api.operation(kind.name, "list") is not None
            and api.operation(kind.name, "get") is not None)


@rule("status.listed-reads", family="status", when=_served_only, provenance="documented",
      source="the 200 responses of the list and get of resources the API serves but does not create "
             "(ibm-wml-v4-api: software and hardware specifications, instances); where that get requires `version`, "
             "ibm-wml-v4-api Versioning: 'Send the version parameter with every API request'")
def listed_reads(ctx: Context, kind: Kind) -> None:
    """A resource the API only serves is listed with the documented answer, and each listed one GETs 200 (and 400
    without a required `version`)."""
    list_op = ctx.operation(kind, "list")
    listed = ctx.call(list_op)
    body = documented_answer(ctx, list_op, listed, f"listing {kind.name}s")
    items_at = kind.pagination.items if kind.pagination else None
    items = pointer_get(body, items_at or "/resources") or []
    if not items:
        raise Skip(f"the target serves no {kind.name}")
    get = ctx.operation(kind, "get")
    for item in items[:3]:
        id_ = ctx.id_of(kind, item)
        expect(id_ is not None, f"a listed {kind.name} carries its id at {kind.id}", listed)
        got = ctx.call(get, path={ctx.id_param(get): id_})
        fetched = documented_answer(ctx, get, got, f"reading the listed {kind.name} {id_}")
        expect(ctx.id_of(kind, fetched) == id_, f"{get.operation_id} of {id_} answers another {kind.name}", got)
    version = get.parameter("version")
    if version is not None and version.get("required"):  # issue 15: the one way to check it on a served-only kind
        id_ = ctx.id_of(kind, items[0])
        bare = ctx.call(get, path={ctx.id_param(get): id_}, bare=True)
        expect(bare.status_code == 400, f"{get.method} {get.path} of the listed {kind.name} {id_} without version "
               "must answer 400", bare)
