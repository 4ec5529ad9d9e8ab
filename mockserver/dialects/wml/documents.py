"""A WML document written and read: built from a request, indexed, saved, advanced through its lifecycle, rendered."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get, pointer_set

from ...core import jsonsafety, lifecycle
from ...core.engine import Engine, Request
from ...core.errors import NotFound
from ...core.store import Record
from .common import iso, path_id, scope_fields
from .predictions import predict


def on_enter(kind: Kind, state: str, doc: dict) -> None:
    """Run what the lifecycle declares on entering ``state`` (e.g. a job's predictions)."""
    spec = kind.lifecycle.on_enter.get(state)
    if spec and pointer_get(doc, spec.input) is not None:
        pointer_set(doc, spec.output, predict(pointer_get(doc, spec.input)))


def index(engine: Engine, api: ApiDeclaration, kind: Kind, doc: dict) -> dict[str, list[str]]:
    """What ``doc`` is found under: its unique keys, declared filters and generated ids."""
    coll = engine.collection(api, kind)
    return coll.index(doc, {k: [v] for k, v in coll.unique_keys(doc).items()}, generated=True)


def save(engine: Engine, api: ApiDeclaration, kind: Kind, doc: dict, scope: str) -> Record:
    return engine.collection(api, kind).put(pointer_get(doc, kind.id), doc, scope=scope,
                                            attrs=index(engine, api, kind, doc))


def advance(engine: Engine, api: ApiDeclaration, kind: Kind, record: Record, *, read: bool) -> Record:
    """Let the resource's lifecycle progress (on a read, or as time passed); store any move."""
    if kind.lifecycle is None or not lifecycle.applies(kind, record.doc):
        return record
    doc = jsonsafety.copy(record.doc)
    if engine.lifecycles.advance(api.name, kind, doc, engine.clock.now_ms(), read=read, on_enter=on_enter):
        return save(engine, api, kind, doc, record.scope)
    return record


def render(request: Request, kind: Kind, doc: dict) -> dict:
    out = lifecycle.strip(jsonsafety.copy(doc))
    for link in kind.links:
        if link.when is None or pointer_get(out, link.when) is not None:
            pointer_set(out, link.pointer, link.template.format(origin=request.origin,
                                                                id=pointer_get(out, kind.id)))
    warnings = kind.system_warnings
    if warnings:
        out.setdefault("system", {})["warnings"] = jsonsafety.copy(list(warnings))
    return out


def answer(request: Request, kind: Kind, doc: dict) -> dict:
    """The body an operation declaring ``x-mlmock-op.answer`` sends instead of the resource."""
    out: dict = {}
    for link in request.op.answer:
        pointer_set(out, link.pointer, link.template.format(origin=request.origin, id=pointer_get(doc, kind.id)))
    return out


def build(engine: Engine, request: Request, kind: Kind, body: dict, scope: str) -> dict:
    body = jsonsafety.copy(body)
    now = iso(engine.clock.now_ms())
    metadata = {field: body.pop(field) for field in kind.metadata_fields or () if field in body}
    for name in kind.scope:
        body.pop(name, None)
    metadata.update(scope_fields(scope))
    names = kind.metadata_names
    # The id under its declared name: `/metadata/id`, a project's `/metadata/guid`.
    metadata.update({kind.id.removeprefix("/metadata/"): engine.ids.new(), "created_at": now,
                     names.modified_at: now, names.owner: request.principal})
    doc = {"metadata": metadata, "entity": body}
    members = kind.members
    if members and members.creator:
        creator = {**members.creator}
        for pointer in (members.key, *members.principal):
            pointer_set(creator, pointer, request.principal)
        pointer_set(doc, members.field, [creator])
    if kind.parent is not None:
        wanted = pointer_get(body, kind.parent.field)
        if wanted is not None:
            kinds = kind.parent.kinds
            found = None
            for candidate in kinds:
                record = engine.collection(request.api, candidate).get(wanted)
                if record is not None and record.scope == scope:
                    found = record
                    break
            if found is None:
                raise NotFound(f"{' or '.join(kinds)} with id '{wanted}' does not exist in this space or project",
                               code="does_not_exist")
            derived = kind.parent_kind_field
            if derived:
                pointer_set(doc, derived, found.kind)
    for pointer in kind.generated:
        pointer_set(doc, pointer, engine.ids.new())
    return doc


def _viewed(engine: Engine, request: Request, kind: Kind) -> Record:
    view = kind.view_of
    wanted = path_id(request) if "{run_id}" not in request.op.path else request.params["run_id"]
    for name in view.kinds:
        viewed = engine.collection(request.api, name)
        if view.lookup == api_id_pointer(request.api, name):
            record = viewed.get(wanted)
        else:
            hits = viewed.by_generated(view.lookup, wanted)
            record = hits[0] if hits else None
        # space_id / project_id are optional here; when given, the asset must live in one of them.
        given = {f"{p.removesuffix('_id')}:{request.params[p]}" for p in request.api.kinds[name].scope
                 if request.params.get(p)}
        if record is not None and (not given or record.scope in given):
            return record
    raise NotFound(f"asset '{wanted}' does not exist", code="does_not_exist")


def asset_type(kind: str) -> str:
    """The platform asset type of a WML kind (``wml_model_definition``): the view's attribute."""
    return f"wml_{kind}"


def viewed_kind(kind: Kind, type_: str) -> str | None:
    """The kind a view shows under the asset type ``type_`` (None if it shows none)."""
    return next((name for name in kind.view_of.kinds if asset_type(name) == type_), None)


def api_id_pointer(api: ApiDeclaration, kind: str) -> str:
    return api.kinds[kind].id


def _view(engine: Engine, request: Request, kind: Kind, record: Record) -> dict:
    doc = lifecycle.strip(jsonsafety.copy(record.doc))
    meta = doc.get("metadata", {})
    scope = scope_fields(record.scope)
    query = "&".join(f"{k}={v}" for k, v in scope.items())
    return {
        "href": f"/v2/assets/{record.id}" + (f"?{query}" if query else ""),
        "metadata": {"asset_id": record.id, "asset_type": asset_type(record.kind), "name": meta.get("name", ""),
                     "description": meta.get("description", ""), "tags": meta.get("tags", []),
                     "created_at": meta.get("created_at"), "usage": {"last_updated_at": meta.get("modified_at")},
                     **scope},
        "entity": {asset_type(record.kind): doc.get("entity", {})},
        "attachments": [attachment_ref(record, meta, query)
                        for meta in engine.collection(request.api, record.kind).blobs(record.id)],
    }


def attachment_ref(record: Record, meta: dict, query: str) -> dict:
    """An attachment as its asset lists it (uploads through /ml/v4 and through /v2/assets alike)."""
    ref = {"id": meta["attachment_id"], "asset_type": asset_type(record.kind), "name": meta.get("name", "content"),
           "mime": meta.get("mime") or meta.get("content_type") or "application/octet-stream",
           "size": meta.get("data_size", 0), "transfer_complete": meta.get("transfer_complete", True),
           "href": f"/v2/assets/{record.id}/attachments/{meta['attachment_id']}" + (f"?{query}" if query else "")}
    if meta.get("description"):
        ref["description"] = meta["description"]
    return ref
