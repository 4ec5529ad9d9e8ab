"""Names the server composes: the fully qualified name of every answer that carries one.

A kind declaring ``fqn`` is named by its parent's fully qualified name and its own name joined
with a dot; a name holding a dot is double-quoted first (``svc."m.v"``), so that the dot stays a
separator. Children listed under ``child-fqns`` (an ML model's features) are named the same way
below the entity. The rule creates one resource with a plain name and one with a dotted name and
reads the name back from every answer that carries it: create, upsert (new and existing), bulk
upsert (through a lookup by the expected name), get by id, get by name, list, versions and one
version.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect
from .pagination import walk


def quote_name(name: str) -> str:
    """A name as a part of a fully qualified name: double-quoted when it holds a dot."""
    if "." in name and not (name.startswith('"') and name.endswith('"')):
        return f'"{name}"'
    return name


def _named(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.fqn is not None and kind.name_pointer is not None
            and (api.operation(kind.name, "create") or api.operation(kind.name, "upsert")) is not None)


def _parent_kind(ctx: Context, kind: Kind) -> Kind:
    name = kind.parent.kind
    return ctx.api.kinds[name]


def _made(ctx: Context, kind: Kind, name: str) -> tuple[dict, str]:
    """Create a ``kind`` called ``name`` (and its parents, dotted too); returns it and its expected FQN."""
    parent, prefix = None, ""
    if kind.parent is not None:
        parent_kind = _parent_kind(ctx, kind)
        parent, parent_fqn = _made(ctx, parent_kind, ctx.name(parent_kind.name[:8]) + ".p")
        prefix = parent_fqn + "."
    entity = ctx.create(kind, parent=parent, **{ctx.body_pointer(kind, kind.name_pointer): name})
    expected = prefix + quote_name(name)
    _same(kind, entity, expected, f"the answer of creating {kind.name} {name!r}", None)
    return entity, expected


def _same(kind: Kind, entity: Any, expected: str, where: str, response: httpx.Response | None) -> None:
    got = pointer_get(entity, kind.fqn) if isinstance(entity, dict) else None
    expect(got == expected, f"{where} carries {kind.fqn[1:]} {got!r}; the reference composes "
                            f"{expected!r} (parent name, '.', name quoted when it holds a dot)", response)
    for pointer in kind.child_fqns:
        for item in pointer_get(entity, pointer) or ():
            if isinstance(item, dict) and isinstance(item.get("name"), str) and "fullyQualifiedName" in item:
                child = f"{expected}.{quote_name(item['name'])}"
                expect(item["fullyQualifiedName"] == child,
                       f"{where}: the item {item['name']!r} of {pointer} carries fullyQualifiedName "
                       f"{item['fullyQualifiedName']!r}, not {child!r}", response)


def _checked(kind: Kind, response: httpx.Response, expected: str, where: str) -> dict:
    expect(response.status_code == 200, f"{where} should answer 200", response)
    body = response.json()
    _same(kind, body, expected, where, response)
    return body


def _child_items(ctx: Context, kind: Kind) -> dict[str, Any]:
    """Overrides adding one dotted item under each ``child-fqns`` pointer (when the body takes it)."""
    schema = ctx.body_schema(ctx.create_op(kind))
    overrides: dict[str, Any] = {}
    for pointer in kind.child_fqns:
        items = ctx.api.schema_at(schema, pointer + "/0")
        if items is None:
            continue
        item = ctx.minimal(items)
        if isinstance(item, dict):
            item["name"] = "feature.one"
            overrides[pointer] = [item]
    return overrides


@rule("naming.fqn-composition", family="naming", when=_named, provenance="documented",
      source="openmetadata-mlmodels-create: Response, `fullyQualifiedName` 'in format service.modelName' "
             "(example mlflow_svc.customer_segmentation); the quoting of a dotted name follows the real "
             "server (FullyQualifiedName.quoteName), spec/README.md `fqn`")
def fqn_composition(ctx: Context, kind: Kind) -> None:
    """Every answer carrying a fully qualified name composes it from the parent's and the quoted name."""
    for name in (ctx.name(kind.name[:8]), ctx.name(kind.name[:8]) + ".v2"):
        extra = _child_items(ctx, kind)
        parent, prefix = None, ""
        if kind.parent is not None:
            parent_kind = _parent_kind(ctx, kind)
            parent, parent_fqn = _made(ctx, parent_kind, ctx.name(parent_kind.name[:8]) + ".p")
            prefix = parent_fqn + "."
        expected = prefix + quote_name(name)
        name_field = ctx.body_pointer(kind, kind.name_pointer)
        body = ctx.create_body(kind, parent=parent, **{name_field: name}, **extra)
        create = ctx.create_op(kind)
        made = ctx.call(create, json=body)
        expect(made.status_code in create.success_statuses,
               f"{create.operation_id} of a valid body should answer {create.success_statuses}", made)
        _same(kind, made.json(), expected, f"the answer of {create.operation_id}", made)
        id_ = ctx.id_of(kind, made.json())
        _checked(kind, ctx.fetch(kind, id_), expected, f"GET of the {kind.name} by id")
        by_name = ctx.api.operation(kind.name, "get-by-name")
        if by_name is not None:
            found = ctx.call(by_name, path={ctx.id_param(by_name): expected})
            found_body = _checked(kind, found, expected, f"{by_name.operation_id} with {expected!r}")
            expect(ctx.id_of(kind, found_body) == id_, f"{by_name.operation_id} of {expected!r} must find the "
                   f"{kind.name} created under that name", found)
        upsert = ctx.api.operation(kind.name, "upsert")
        if upsert is not None:
            body["description"] = "changed by mlmock"
            updated = ctx.call(upsert, json=body)
            expect(updated.status_code in upsert.success_statuses,
                   f"{upsert.operation_id} of an existing {kind.name} should succeed", updated)
            _same(kind, updated.json(), expected, f"the answer of {upsert.operation_id} (update)", updated)
        _listed(ctx, kind, parent, id_, expected)
        _versions(ctx, kind, id_, expected)
    _upserted_and_bulk(ctx, kind)


def _listed(ctx: Context, kind: Kind, parent: dict | None, id_: str, expected: str) -> None:
    list_op = ctx.api.operation(kind.name, "list")
    if list_op is None or kind.pagination is None or kind.pagination.style not in ("cursor", "start"):
        return
    query: dict[str, Any] = {}
    selector = ctx.parent_filter(kind, list_op)
    if selector is not None and parent is not None:
        query[selector[0]] = pointer_get(parent, selector[1])
    for response, _, items in walk(ctx, kind, query):
        for item in items:
            if isinstance(item, dict) and ctx.id_of(kind, item) == id_:
                _same(kind, item, expected, f"{list_op.operation_id}", response)
                return
    expect(False, f"{list_op.operation_id} must list the {kind.name} {id_} (filtered by {query})", response)


def _versions(ctx: Context, kind: Kind, id_: str, expected: str) -> None:
    versions = ctx.api.operation(kind.name, "versions")
    if versions is None:
        return
    response = ctx.call(versions, path={ctx.id_param(versions): id_})
    expect(response.status_code == 200, f"{versions.operation_id} should answer 200", response)
    numbers = []
    for raw in response.json().get("versions", ()):
        doc = json.loads(raw) if isinstance(raw, str) else raw
        _same(kind, doc, expected, f"a version listed by {versions.operation_id}", response)
        numbers.append(doc.get("version"))
    one = ctx.api.operation(kind.name, "version")
    if one is not None and numbers:
        names = [p["name"] for p in one.parameters if p["in"] == "path"]
        answer = ctx.call(one, path={names[0]: id_, names[1]: str(numbers[-1])})
        _checked(kind, answer, expected, f"{one.operation_id} of version {numbers[-1]}")


def _upserted_and_bulk(ctx: Context, kind: Kind) -> None:
    """A resource made by an upsert, and one made by a bulk upsert, is named the same way."""
    upsert = ctx.api.operation(kind.name, "upsert")
    bulk = ctx.api.operation(kind.name, "bulk-upsert")
    by_name = ctx.api.operation(kind.name, "get-by-name")
    if upsert is None and bulk is None:
        return
    parent, prefix = None, ""
    if kind.parent is not None:
        parent_kind = _parent_kind(ctx, kind)
        parent, parent_fqn = _made(ctx, parent_kind, ctx.name(parent_kind.name[:8]) + ".p")
        prefix = parent_fqn + "."
    name_field = ctx.body_pointer(kind, kind.name_pointer)
    if upsert is not None:
        name = ctx.name(kind.name[:8]) + ".up"
        made = ctx.call(upsert, json=ctx.create_body(kind, parent=parent, **{name_field: name}))
        expect(made.status_code in upsert.success_statuses,
               f"{upsert.operation_id} of a new {kind.name} should succeed", made)
        _same(kind, made.json(), prefix + quote_name(name), f"the answer of {upsert.operation_id} (create)", made)
    if bulk is not None:
        if by_name is None:
            raise Skip("a bulk answer carries no entity, and there is no lookup by name to read it back")
        name = ctx.name(kind.name[:8]) + ".bulk"
        sent = ctx.call(bulk, json=[ctx.create_body(kind, parent=parent, **{name_field: name})])
        expect(sent.status_code in bulk.success_statuses, f"{bulk.operation_id} of one valid body should succeed",
               sent)
        expected = prefix + quote_name(name)
        found = ctx.call(by_name, path={ctx.id_param(by_name): expected})
        _checked(kind, found, expected, f"{by_name.operation_id} of the {kind.name} made by {bulk.operation_id}")


def _copies(api: ApiDeclaration, kind: Kind) -> bool:
    return _named(api, kind) and kind.parent is not None and bool(kind.parent.copy)


@rule("naming.parent-copies", family="naming", when=_copies, provenance="documented",
      source="openmetadata-mlmodels-create: Response `serviceType` 'Type of ML model service (e.g., Mlflow, "
             "Sklearn, SageMaker)', the parent service's type (spec: parent `copy`)")
def parent_copies(ctx: Context, kind: Kind) -> None:
    """Fields a resource copies from its parent (an ML model's serviceType) equal the parent's, on create and get."""
    parent_kind = _parent_kind(ctx, kind)
    parent = ctx.create(parent_kind)
    entity = ctx.create(kind, parent=parent)
    fetched = ctx.fetch(kind, ctx.id_of(kind, entity))
    expect(fetched.status_code == 200, f"a created {kind.name} must be readable", fetched)
    for target, source in kind.parent.copy.items():
        wanted = pointer_get(parent, source)
        for where, doc in (("the create answer", entity), ("GET by id", fetched.json())):
            expect(pointer_get(doc, target) == wanted,
                   f"{where} of a {kind.name} carries {target[1:]} {pointer_get(doc, target)!r}; its "
                   f"{parent_kind.name} has {source[1:]} {wanted!r}", fetched)
