"""An entity written: references resolved, built from a request, versioned with a change description, committed."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from mlmock.spec.declarations import Kind, Reference, pointer_get, pointer_set

from ...core import jsonsafety, patching, schemadefaults
from ...core.collection import FQN, PARENT
from ...core.engine import Engine, Request
from ...core.errors import BadRequest
from ...core.store import Record
from ...core.validation import validate
from .common import entity_reference, lookup, not_found, quote_name, render, version_key


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
            record = engine.collection(request.api, kind).get(str(key))
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
    body = fill_variants(request, kind, jsonsafety.copy(body))  # before the generic defaults guess a branch
    body = schemadefaults.fill(request.api, create_schema, body)
    doc = jsonsafety.copy(existing.doc) if existing else {}
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
    stripped = jsonsafety.copy(doc)
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
        filled = schemadefaults.fill(request.api, request.api.schema(schema_name), jsonsafety.copy(target))
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
    coll = engine.collection(api, kind)
    keys = coll.unique_keys(doc, parent=parent_id or "")
    fqn = pointer_get(doc, kind.fqn) if kind.fqn else None
    # A fully qualified name names one entity, also when two names quote to it ('m.v', '"m.v"').
    taken = {**keys, FQN: fqn} if fqn is not None else keys
    # CatalogExceptionMessage.ENTITY_ALREADY_EXISTS, the real server's wording.
    coll.check_unique(taken, exclude=doc["id"], message="Entity already exists")
    attrs = coll.index(doc, {k: [v] for k, v in keys.items()})
    if kind.fqn:
        attrs[FQN] = [fqn]
    if parent_id:
        attrs[PARENT] = [parent_id]  # found again by a recursive delete of the parent
    order_by = kind.pagination.order_by if kind.pagination else None
    sort_key = str(pointer_get(doc, order_by) or "") if order_by else ""
    record = coll.put(doc["id"], doc, sort_key=sort_key, deleted=deleted, attrs=attrs)
    coll.add_history(doc["id"], version_key(doc["version"]), doc)
    return record, True
