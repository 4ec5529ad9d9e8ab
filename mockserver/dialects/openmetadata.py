"""OpenMetadata's representation of entities, for every kind the OpenMetadata spec declares.

Entities are flat documents with an ``id``, a fully qualified name built from the parent's,
decimal versions (0.1 at creation, +0.1 on a change, +1.0 on a change of a major field), a
version history, soft delete, and references to other entities as ``EntityReference`` objects.
Nothing here names a particular kind: parents, references, unique keys, relation fields and
major fields are read from the kind's declaration.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

from mlmock.spec.declarations import Kind, Reference, pointer_get, pointer_set

from ..core import patching, schemadefaults
from ..core.dialect import Dialect, register
from ..core.engine import Engine, Reply, Request
from ..core.errors import BadRequest, Conflict, MockError, NotFound, UnsupportedMediaType
from ..core.store import Record
from ..core.validation import validate


def _envelope(error: MockError, trace: str) -> tuple[dict[str, Any], dict[str, str]]:
    """dropwizard's ErrorMessage: the SDK reads an integer ``code`` and a ``message``."""
    headers = {"WWW-Authenticate": "om-auth"} if error.status in (401, 403) else {}
    return {"code": error.status, "message": error.message}, headers


OPENMETADATA = register(Dialect("openmetadata", envelope=_envelope))
DIALECT = OPENMETADATA.name
INCLUDE = {"non-deleted": False, "deleted": True, "all": None}


# ----------------------------------------------------------------------------- names


def quote_name(name: str) -> str:
    """OpenMetadata's FullyQualifiedName.quoteName: a name holding a dot is double-quoted."""
    return f'"{name}"' if "." in name and not (name.startswith('"') and name.endswith('"')) else name


def not_found(kind: str, what: str) -> NotFound:
    # CatalogExceptionMessage.entityNotFound, the real server's wording.
    return NotFound(f"{kind} instance for {what} not found")


def lookup(engine: Engine, request: Request, kind: str, fqn: str, *, deleted: bool | None = False) -> Record | None:
    for record in engine.store.find(request.api.name, kind, "fqn", fqn):
        if deleted is None or record.deleted == deleted:
            return record
    return None


def entity_reference(kind: str, record: Record) -> dict[str, Any]:
    doc = record.doc
    ref = {"id": record.id, "type": kind, "name": doc.get("name"),
           "fullyQualifiedName": doc.get("fullyQualifiedName"), "displayName": doc.get("displayName"),
           "deleted": record.deleted}
    return {k: v for k, v in ref.items() if v is not None}


# ----------------------------------------------------------------------------- rendering


def unset(request: Request, kind: Kind, name: str, value: Any) -> bool:
    """Whether a relation field holds nothing anyone set: absent, empty, or its schema default."""
    if value is None or value == [] or value == {}:
        return True
    prop = request.api.resolve(request.api.schema(kind.schema).get("properties", {}).get(name, {}))
    return "default" in prop and value == prop["default"]


def render(request: Request, kind: Kind, doc: dict[str, Any], *, fields: set[str] | None = None) -> dict:
    """The entity as sent, with its absolute ``href``.

    Read (``fields`` given, possibly empty): the relation fields asked for, and no other. Write
    answers and versions (``fields`` None): the relation fields that hold what someone set; the
    real server answers a create, upsert or patch with the entity as built from the request.
    """
    out = copy.deepcopy(doc)
    get = request.api.operation(kind.name, "get")
    if get is not None:
        out["href"] = request.origin + request.api.base_path + get.path.replace("{id}", doc["id"])
    if kind.relation_fields is not None:
        for name in kind.relation_fields.names:
            if fields is None and unset(request, kind, name, out.get(name)) or \
                    fields is not None and name not in fields:
                out.pop(name, None)
    return out


def requested_fields(request: Request, kind: Kind) -> set[str]:
    if kind.relation_fields is None:
        return set()
    raw = request.param(kind.relation_fields.param) or []
    parts = raw.split(",") if isinstance(raw, str) else [p for item in raw for p in str(item).split(",")]
    names = {part.strip() for part in parts if part.strip()}
    for name in sorted(names):
        if name not in kind.relation_fields.names:
            raise BadRequest(f"Invalid field name {name}")
    return names


def include_state(request: Request) -> bool | None:
    return INCLUDE[request.param("include", "non-deleted")]


def body_of(request: Request) -> Any:
    """The parsed JSON body. Sent without a Content-Type, it reaches the action as raw bytes;
    the real server (JAX-RS, @Consumes JSON) answers 415 then, and so does the mock."""
    if isinstance(request.body, bytes | bytearray | str):
        media = " or ".join(request.op.request_media_types) or "application/json"
        raise UnsupportedMediaType(f"request body must be sent as {media}")
    return request.body


# ----------------------------------------------------------------------------- building


def _resolve(engine: Engine, request: Request, ref: Reference, value: Any) -> Any:
    """The entity reference ``value`` names: an FQN string, an id string (``lookup: /id``) or an
    ``EntityReference`` (its ``type`` picks among the declared kinds, its ``id`` or name the entity)."""
    if ref.many:
        if not isinstance(value, list):
            raise BadRequest(f"{ref.field[1:]} must be a list")
        return [_resolve(engine, request, replace(ref, many=False, copy={}), v) for v in value]
    kinds = list(ref.kinds)
    if isinstance(value, dict):
        wanted = value.get("type")
        if wanted is not None and wanted not in kinds:
            raise BadRequest(f"{ref.field[1:]} must reference a {' or '.join(kinds)}, not a {wanted}")
        kinds = [wanted] if wanted else kinds
        key = value.get("id") or value.get("fullyQualifiedName") or value.get("name")
        by_id = "id" in value
    else:
        key, by_id = value, ref.lookup == "/id"
    for kind in kinds:
        if by_id:
            record = engine.store.get(request.api.name, kind, str(key))
            record = record if record is not None and not record.deleted else None
        else:
            record = lookup(engine, request, kind, str(key))
        if record is not None:
            return entity_reference(kind, record)
    raise not_found(kinds[0], key)


def resolve_references(engine: Engine, request: Request, kind: Kind, doc: dict, source: dict) -> None:
    """Replace each declared reference given in ``source`` by the entity reference it names."""
    for ref in kind.references:
        value = pointer_get(source, ref.field)
        if value is not None:
            pointer_set(doc, ref.field, _resolve(engine, request, ref, value))


def build(engine: Engine, request: Request, body: dict, existing: Record | None) -> dict:
    """The entity a create or upsert body describes, merged over ``existing`` when updating."""
    kind = request.kind
    create_schema = request.op.request_body["content"]["application/json"]["schema"]
    if create_schema.get("type") == "array":
        create_schema = create_schema["items"]
    body = fill_variants(request, kind, copy.deepcopy(body))  # before the generic defaults guess a branch
    body = schemadefaults.fill(request.api, create_schema, body)
    doc = copy.deepcopy(existing.doc) if existing else {}
    doc.update(body)
    parent_record = None
    if kind.parent is not None:
        parent_fqn = pointer_get(body, kind.parent.field)
        parent_record = lookup(engine, request, kind.parent.kind, parent_fqn)
        if parent_record is None:
            raise not_found(kind.parent.kind, parent_fqn)
        pointer_set(doc, kind.parent.field, entity_reference(kind.parent.kind, parent_record))
        for target, source in kind.parent.copy.items():
            pointer_set(doc, target, pointer_get(parent_record.doc, source))
    resolve_references(engine, request, kind, doc, body)
    if existing is not None:
        doc = patching.restore(existing.doc, doc, kind.immutable)
    else:
        doc["id"] = engine.ids.new()
        if kind.fqn:
            name = quote_name(doc["name"])
            parent_fqn = parent_record.doc["fullyQualifiedName"] if parent_record else None
            pointer_set(doc, kind.fqn, f"{parent_fqn}.{name}" if parent_fqn else name)
    return doc


def derive(kind: Kind, doc: dict) -> dict:
    """Fields computed from others: the fully qualified names of child items."""
    fqn = pointer_get(doc, kind.fqn) if kind.fqn else None
    for pointer in kind.child_fqns:
        for item in pointer_get(doc, pointer) or ():
            if isinstance(item, dict) and isinstance(item.get("name"), str) and fqn:
                item["fullyQualifiedName"] = f"{fqn}.{quote_name(item['name'])}"
    return doc


def _comparable(kind: Kind, doc: dict) -> dict:
    stripped = copy.deepcopy(doc)
    return patching.restore({}, stripped, kind.server_managed)


def _change_description(kind: Kind, old: dict, new: dict) -> dict:
    before, after = _comparable(kind, old), _comparable(kind, new)
    def encoded(value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    change = {
        "fieldsAdded": [{"name": k, "newValue": encoded(after[k])} for k in sorted(after) if k not in before],
        "fieldsUpdated": [{"name": k, "oldValue": encoded(before[k]), "newValue": encoded(after[k])}
                          for k in sorted(after) if k in before and before[k] != after[k]],
        "fieldsDeleted": [{"name": k, "oldValue": encoded(before[k])} for k in sorted(before) if k not in after],
        "previousVersion": old["version"],
    }
    if old.get("deleted") != new.get("deleted"):
        change["fieldsUpdated"].append({"name": "deleted", "oldValue": json.dumps(old.get("deleted", False)),
                                        "newValue": json.dumps(new.get("deleted", False))})
    return change


def fill_variants(request: Request, kind: Kind, doc: dict) -> dict:
    """A sub-document whose schema another field selects (a service's connection ``config`` by
    its ``serviceType``): that schema's defaults filled in (the SDK drops the ``type`` default),
    then checked against it, as the real server reads the config as the class of the type."""
    for variant in kind.variants:
        selector, at = pointer_get(doc, variant.selector), variant.at
        target = pointer_get(doc, at)
        schema_name = variant.schemas.get(selector)
        if target is None or schema_name is None:
            continue
        filled = schemadefaults.fill(request.api, request.api.schema(schema_name), copy.deepcopy(target))
        validate(request.api, schema_name, filled, what=f"{at[1:]} of a {selector} {kind.name}")
        pointer_set(doc, at, filled)
    return doc


def next_version(kind: Kind, old: dict, new: dict) -> float:
    versioning = kind.versioning
    major = any(pointer_get(old, f) != pointer_get(new, f) for f in versioning.major_fields)
    step = versioning.major if major else versioning.minor
    return round(float(old["version"]) + step, 1)


def commit(engine: Engine, request: Request, existing: Record | None, doc: dict,
           *, deleted: bool = False) -> tuple[Record, bool]:
    """Validate, version, index and store ``doc``; returns the record and whether it changed."""
    kind, api = request.kind, request.api
    doc = derive(kind, doc)
    doc["deleted"] = deleted
    now = engine.clock.now_ms()
    if existing is not None:
        unchanged = _comparable(kind, existing.doc) == _comparable(kind, doc) and existing.deleted == deleted
        if unchanged:
            return existing, False
        doc["version"] = next_version(kind, existing.doc, doc)
        doc["changeDescription"] = _change_description(kind, existing.doc, doc)
    else:
        doc["version"] = kind.versioning.initial
        doc.pop("changeDescription", None)
    doc["updatedAt"] = now
    doc["updatedBy"] = request.principal
    doc = fill_variants(request, kind, doc)
    doc = schemadefaults.fill(api, api.schema(kind.schema), doc)
    validate(api, kind.schema, render(request, kind, doc))
    parent_id = pointer_get(doc, kind.parent.field + "/id") if kind.parent else None
    keys = engine.unique_keys(kind, doc, parent=parent_id or "")
    fqn = pointer_get(doc, kind.fqn) if kind.fqn else None
    # A fully qualified name names one entity, also when two names quote to it ('m.v', '"m.v"').
    taken = {**keys, "fqn": fqn} if fqn is not None else keys
    # CatalogExceptionMessage.ENTITY_ALREADY_EXISTS, the real server's wording.
    engine.check_unique(api, kind, taken, exclude=doc["id"], message="Entity already exists")
    attrs = engine.attrs(api, kind, doc, {k: [v] for k, v in keys.items()})
    if kind.fqn:
        attrs["fqn"] = [fqn]
    if parent_id:
        attrs["parent"] = [parent_id]  # found again by a recursive delete of the parent
    order_by = kind.pagination.order_by if kind.pagination else None
    sort_key = str(pointer_get(doc, order_by) or "") if order_by else ""
    record = engine.store.put(api.name, kind.name, doc["id"], doc, sort_key=sort_key,
                              deleted=deleted, attrs=attrs)
    engine.store.add_history(api.name, kind.name, doc["id"], version_key(doc["version"]), doc)
    return record, True


def version_key(version: Any) -> str:
    return f"{float(version):.1f}"


def fetch(engine: Engine, request: Request, id_: str, *, deleted: bool | None = False) -> Record:
    kind = request.kind
    record = engine.store.get(request.api.name, kind.name, id_)
    if record is None or (deleted is not None and record.deleted != deleted):
        raise not_found(kind.name, id_)
    return record


# ----------------------------------------------------------------------------- actions


@OPENMETADATA.action("static")
def static(engine: Engine, request: Request) -> Reply:
    document = request.op.options.get("document")
    if document == "version":
        return Reply(200, {"version": engine.settings.openmetadata_version, "revision": "mlmock",
                           "timestamp": engine.clock.now_ms()})
    raise NotFound(f"no static document {document!r}")


@OPENMETADATA.action("create")
def create(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    with engine.store.transaction():
        record, _ = commit(engine, request, None, build(engine, request, body_of(request), None))
    return Reply(201, render(request, kind, record.doc))


def _upsert(engine: Engine, request: Request, body: dict) -> tuple[int, Record]:
    kind = request.kind
    with engine.store.transaction():
        probe = build(engine, request, body, None)
        existing = lookup(engine, request, kind.name, pointer_get(probe, kind.fqn), deleted=None) \
            if kind.fqn else None
        if existing is None:
            record, _ = commit(engine, request, None, probe)
            return 201, record
        record, _ = commit(engine, request, existing, build(engine, request, body, existing))
        return 200, record


@OPENMETADATA.action("upsert")
def upsert(engine: Engine, request: Request) -> Reply:
    status, record = _upsert(engine, request, body_of(request))
    return Reply(status, render(request, request.kind, record.doc))


@OPENMETADATA.action("bulk-upsert")
def bulk_upsert(engine: Engine, request: Request) -> Reply:
    passed, failed = [], []
    for item in body_of(request):
        try:
            status, record = _upsert(engine, request, item)
        except (BadRequest, Conflict, NotFound) as error:
            failed.append({"request": item, "message": error.message, "status": error.status})
        else:
            passed.append({"request": item, "status": status,
                           "message": "Entity created" if status == 201 else "Entity updated"})
    total = len(passed) + len(failed)
    status = "success" if not failed else ("failure" if not passed else "partialSuccess")
    return Reply(200, {"dryRun": False, "status": status, "numberOfRowsProcessed": total,
                       "numberOfRowsPassed": len(passed), "numberOfRowsFailed": len(failed),
                       "successRequest": passed, "failedRequest": failed})


@OPENMETADATA.action("list")
def list_(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    fields = requested_fields(request, kind)
    deleted = include_state(request)
    _, _, default = request.api.limit_bounds(request.op, kind.pagination.limit_param)
    limit = request.param(kind.pagination.limit_param, default)
    records, after, before = engine.page(
        request, deleted=deleted, limit=limit,
        after=request.param(kind.pagination.after_param),
        before=request.param(kind.pagination.before_param))
    paging: dict[str, Any] = {"total": engine.count(request, deleted=deleted)}
    if after is not None:
        paging["after"] = after
    if before is not None:
        paging["before"] = before
    return Reply(200, {"data": [render(request, kind, r.doc, fields=fields) for r in records],
                       "paging": paging})


@OPENMETADATA.action("get")
def get(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    fields = requested_fields(request, kind)
    record = fetch(engine, request, request.params["id"], deleted=include_state(request))
    return Reply(200, render(request, kind, record.doc, fields=fields))


@OPENMETADATA.action("get-by-name")
def get_by_name(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    fields = requested_fields(request, kind)
    fqn = request.params["fqn"]
    record = lookup(engine, request, kind.name, fqn, deleted=include_state(request))
    if record is None:
        raise not_found(kind.name, fqn)
    return Reply(200, render(request, kind, record.doc, fields=fields))


@OPENMETADATA.action("patch")
def patch(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    operations = body_of(request)
    patching.check_policy(kind, operations)
    with engine.store.transaction():
        record = fetch(engine, request, request.params["id"])
        every = set(kind.relation_fields.names) if kind.relation_fields else None
        patched = patching.apply(render(request, kind, record.doc, fields=every), operations)
        if not isinstance(patched, dict):
            raise BadRequest("patch must leave an entity (a JSON object)")
        patched = patching.restore(record.doc, patched, kind.immutable + kind.server_managed)
        changed: dict[str, Any] = {}  # references a patch sets must name existing entities too
        for ref in kind.references:
            value = pointer_get(patched, ref.field)
            if value is not None and value != pointer_get(record.doc, ref.field):
                pointer_set(changed, ref.field, value)
        resolve_references(engine, request, kind, patched, changed)
        record, _ = commit(engine, request, record, patched, deleted=False)
    return Reply(200, render(request, kind, record.doc))


def children(engine: Engine, request: Request, kind: Kind, record: Record) -> list[tuple[Kind, Record]]:
    """The entities whose declared parent is ``record`` (a service's models), deleted ones too."""
    found = []
    for child in request.api.kinds.values():
        if child.parent is not None and child.parent.kind == kind.name:
            found += [(child, r) for r in engine.store.find(request.api.name, child.name, "parent", record.id)]
    return found


def _delete(engine: Engine, request: Request, kind: Kind, record: Record, *, hard: bool, recursive: bool) -> dict:
    contained = children(engine, request, kind, record)
    if contained and not recursive:
        # The real server refuses a non-recursive delete of a container that still holds any
        # entity, soft-deleted ones included (its CONTAINS relationships remain): a 400.
        raise BadRequest(f"Entity {kind.name} is not empty; delete its {contained[0][0].name} entities "
                         "first or use recursive=true")
    for child_kind, child in contained:
        if hard or not child.deleted:
            child_request = replace(request, op=request.api.operation(child_kind.name, "delete") or request.op)
            _delete(engine, child_request, child_kind, child, hard=hard, recursive=True)
    if hard or not kind.delete.soft:
        engine.store.remove(request.api.name, kind.name, record.id)
        return dict(record.doc, deleted=True)
    record, _ = commit(engine, request, record, copy.deepcopy(record.doc), deleted=True)
    return record.doc


@OPENMETADATA.action("delete")
def delete(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    hard = bool(request.param(kind.delete.hard_param, False)) if kind.delete.hard_param else False
    recursive_param = kind.delete.recursive_param
    recursive = bool(request.param(recursive_param, False)) if recursive_param else False
    with engine.store.transaction():
        record = fetch(engine, request, request.params["id"], deleted=None if hard or not kind.delete.soft else False)
        doc = _delete(engine, request, kind, record, hard=hard, recursive=recursive)
    return Reply(200, render(request, kind, doc))


@OPENMETADATA.action("restore")
def restore(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    with engine.store.transaction():
        record = fetch(engine, request, body_of(request)["id"], deleted=True)
        record, _ = commit(engine, request, record, copy.deepcopy(record.doc), deleted=False)
    return Reply(200, render(request, kind, record.doc))


@OPENMETADATA.action("versions")
def versions(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, request.params["id"], deleted=None)
    history = engine.store.history(request.api.name, kind.name, record.id, newest_first=True)
    return Reply(200, {"entityType": kind.name,
                       "versions": [json.dumps(render(request, kind, doc), separators=(",", ":"))
                                    for _, doc in history]})


@OPENMETADATA.action("version")
def version(engine: Engine, request: Request) -> Reply:
    kind = request.kind
    record = fetch(engine, request, request.params["id"], deleted=None)
    key = version_key(request.params["version"])
    doc = engine.store.history_entry(request.api.name, kind.name, record.id, key)
    if doc is None:
        raise not_found(kind.name, f"{record.id} version {request.params['version']}")
    return Reply(200, render(request, kind, doc))
