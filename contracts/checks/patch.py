"""JSON Patch: documented operations applied and visible; everything else refused, atomically."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonpatch

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect


def _patchable(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.patch is not None and api.operation(kind.name, "patch") is not None
            and api.operation(kind.name, "get") is not None
            and (api.operation(kind.name, "create") or api.operation(kind.name, "upsert")) is not None)


def _free_string_fields(ctx: Context, kind: Kind) -> list[str]:
    """Top-level plain string properties a client may change (for kinds that allow any path)."""
    schema = ctx.api.schema(kind.schema)
    fixed = set(kind.immutable) | set(kind.server_managed) | {kind.id}
    if kind.fqn:
        fixed.add(kind.fqn)
    fields = []
    for name, prop in schema.get("properties", {}).items():
        prop = ctx.api.resolve(prop)
        if (prop.get("type") == "string" and "enum" not in prop and "format" not in prop
                and "pattern" not in prop and f"/{name}" not in fixed):
            fields.append(f"/{name}")
    return fields


def _send(ctx: Context, kind: Kind, id_: str, document: Any, *, raw: bytes | None = None):
    op = ctx.operation(kind, "patch")
    content = raw if raw is not None else json.dumps(document).encode()
    return ctx.call(op, path={ctx.id_param(op): id_}, content=content,
                    headers={"Content-Type": kind.patch.media_type})


def _fresh(ctx: Context, kind: Kind) -> tuple[str, dict]:
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    current = ctx.fetch(kind, id_)
    expect(current.status_code == 200, "a created resource must be readable", current)
    return id_, current.json()


def _value_for(ctx: Context, kind: Kind, target: str) -> Any:
    """A value valid at ``target`` of the kind's representation, distinct from a fresh resource's."""
    sub = ctx.api.schema_at(ctx.api.schema(kind.schema), target) or {}
    kind_of = sub.get("type")
    if kind_of == "string" and "enum" not in sub and "pattern" not in sub:
        return "patched by mlmock"
    if kind_of == "array" and ctx.api.resolve(sub.get("items", {})).get("type") == "string":
        return ["mlmock-patched"]
    value = ctx.minimal(sub)
    if isinstance(value, dict) and not value:
        return {"mlmock": "patched"}
    return value


def _scenarios(ctx: Context, kind: Kind) -> list[list[dict]]:
    """One patch per documented operation, each valid on a freshly created resource."""
    if kind.patch.any_path:
        fields = _free_string_fields(ctx, kind)
        if len(fields) < 2:
            raise Skip("fewer than two free string fields to patch")
        a, b = fields[0], fields[1]
        wanted = {
            "add": [{"op": "add", "path": a, "value": "added by mlmock"}],
            "replace": [{"op": "add", "path": a, "value": "v1"}, {"op": "replace", "path": a, "value": "v2"}],
            "remove": [{"op": "add", "path": a, "value": "v1"}, {"op": "remove", "path": a}],
            "test": [{"op": "add", "path": a, "value": "v1"}, {"op": "test", "path": a, "value": "v1"}],
            "copy": [{"op": "add", "path": a, "value": "v1"}, {"op": "copy", "from": a, "path": b}],
            "move": [{"op": "add", "path": a, "value": "v1"}, {"op": "move", "from": a, "path": b}],
        }
        return [wanted[op] for op in sorted(kind.patch.ops) if op in wanted]
    scenarios = []
    parent_path = kind.parent.field.rsplit("/", 1)[0] if kind.parent is not None else None
    for patch_rule in kind.patch.rules:
        if parent_path and patch_rule.path == parent_path:
            continue  # a reference to another resource: no generic valid value
        value = _value_for(ctx, kind, patch_rule.target)
        if "add" in patch_rule.ops:
            scenarios.append([{"op": "add", "path": patch_rule.path, "value": value}])
        if "replace" in patch_rule.ops:
            # RFC 6902 replaces only what exists: add first where the documentation allows it.
            first = [{"op": "add", "path": patch_rule.path, "value": value}] if "add" in patch_rule.ops else []
            scenarios.append(first + [{"op": "replace", "path": patch_rule.path, "value": value}])
    return scenarios


@rule("patch.documented-ops-applied", family="patch", when=_patchable,
      provenance="documented",
      source='WML reference: the PATCH paths of each kind; RFC 6902 for OpenMetadata')
def documented_ops_applied(ctx: Context, kind: Kind) -> None:
    """Each documented path and operation is accepted, and the next GET shows its effect."""
    scenarios = _scenarios(ctx, kind)
    if not scenarios:
        raise Skip("no documented patch with a generic value")
    for document in scenarios:
        id_, before = _fresh(ctx, kind)
        acting = kind.patch.translate(document)
        expected = jsonpatch.apply_patch(copy.deepcopy(before), acting)
        response = _send(ctx, kind, id_, document)
        expect(200 <= response.status_code < 300, f"the documented patch {document} must be accepted", response)
        after = ctx.fetch(kind, id_)
        touched = {op["path"] for op in acting} | {op["from"] for op in acting if "from" in op}
        for path in touched:
            expect(pointer_get(after.json(), path) == pointer_get(expected, path),
                   f"after {document}, {path} should be {pointer_get(expected, path)!r} but GET shows "
                   f"{pointer_get(after.json(), path)!r}", after)


def _comparable(kind: Kind, doc: dict) -> dict:
    """``doc`` without what the server may change by itself (timestamps, lifecycle states)."""
    out = copy.deepcopy(doc)
    moving = [p for p in kind.server_managed if p != "/version"]
    if kind.lifecycle is not None:
        moving += list(kind.lifecycle.fields)
    for pointer in moving:
        parent, _, last = pointer.rpartition("/")
        holder = pointer_get(out, parent) if parent else out
        if isinstance(holder, dict):
            holder.pop(last, None)
    return out


def _unchanged(ctx: Context, kind: Kind, id_: str, before: dict, why: str) -> None:
    after = ctx.fetch(kind, id_)
    expect(after.status_code == 200, "the resource must still be readable", after)
    expect(_comparable(kind, after.json()) == _comparable(kind, before), f"{why} must leave the resource unchanged",
           after)


def _failing_op(kind: Kind) -> dict | None:
    """A documented operation that cannot apply to a fresh resource (its target does not exist)."""
    if kind.patch.any_path:
        return {"op": "remove", "path": "/mlmock-no-such-field/0"}
    for patch_rule in kind.patch.rules:
        if "remove" in patch_rule.ops:
            return {"op": "remove", "path": patch_rule.path + "/mlmock_absent_member/0"}
    return None


@rule("patch.failed-op-atomic", family="patch", when=_patchable,
      provenance="documented",
      source='RFC 6902 section 5: a patch with a failing operation is not applied at all')
def failed_op_atomic(ctx: Context, kind: Kind) -> None:
    """A patch whose last operation fails is refused with 400 and changes nothing (atomicity)."""
    scenarios = _scenarios(ctx, kind)
    failing = _failing_op(kind)
    if not scenarios or failing is None:
        raise Skip("no documented patch to combine with a failing documented operation")
    id_, before = _fresh(ctx, kind)
    document = scenarios[0] + [failing]
    response = _send(ctx, kind, id_, document)
    expect(response.status_code == 400, f"a patch whose last operation cannot apply ({document}) must answer 400",
           response)
    _unchanged(ctx, kind, id_, before, "a refused patch")


MALFORMED = {
    "not an array": {"op": "replace", "path": "/name", "value": "x"},
    "unknown op": [{"op": "frobnicate", "path": "/description", "value": "x"}],
    "op without path": [{"op": "replace", "value": "x"}],
    "add without value": [{"op": "add", "path": "/description"}],
    "move without from": [{"op": "move", "path": "/description"}],
}


@rule("patch.malformed-rejected", family="patch", when=_patchable,
      provenance="documented",
      source='RFC 6902 / the 400 each PATCH documents')
def malformed_rejected(ctx: Context, kind: Kind) -> None:
    """Malformed JSON Patch documents and invalid JSON are rejected with 400 and change nothing."""
    id_, before = _fresh(ctx, kind)
    for why, document in MALFORMED.items():
        response = _send(ctx, kind, id_, document)
        expect(response.status_code == 400, f"a patch with {why} must answer 400", response)
    response = _send(ctx, kind, id_, None, raw=b'[{"op": "add", "path": "/description", "value": ')
    expect(response.status_code == 400, "a patch that is not valid JSON must answer 400", response)
    _unchanged(ctx, kind, id_, before, "a malformed patch")


@rule("patch.undocumented-rejected", family="patch",
      when=lambda api, kind: _patchable(api, kind) and not kind.patch.any_path,
      provenance="reading",
      source='spec/README.md reading 28: paths and operations the reference does not list are refused with 400')
def undocumented_rejected(ctx: Context, kind: Kind) -> None:
    """A path or operation the documentation does not list is refused with 400 and changes nothing."""
    id_, before = _fresh(ctx, kind)
    documented = {r.path for r in kind.patch.rules}
    probes = [[{"op": "replace", "path": "/mlmock_undocumented", "value": "x"}]]
    for patch_rule in kind.patch.rules:
        for op in sorted({"add", "remove", "replace"} - patch_rule.ops):
            probes.append([{"op": op, "path": patch_rule.path, "value": "x"}])
    for document in probes:
        if document[0]["path"] in documented and document[0]["op"] in kind.patch.rule_for(document[0]["path"]).ops:
            continue
        response = _send(ctx, kind, id_, document)
        expect(response.status_code == 400, f"the undocumented patch {document} must answer 400", response)
    _unchanged(ctx, kind, id_, before, "an undocumented patch")


@rule("patch.immutable-fields", family="patch", when=lambda api, kind: _patchable(api, kind) and kind.immutable,
      provenance="reading",
      source=('spec/README.md reading 29: id, name, fullyQualifiedName, service kept as the real OpenMetadata '
              'server does'))
def immutable_fields(ctx: Context, kind: Kind) -> None:
    """Immutable fields keep their value whatever a patch says (ignored or refused, never applied)."""
    id_, before = _fresh(ctx, kind)
    for pointer in kind.immutable:
        old = pointer_get(before, pointer)
        if old is None:
            continue
        new: Any = "mlmock-changed" if isinstance(old, str) else {"id": "00000000-0000-4000-8000-000000000000",
                                                                  "type": "mlmock"}
        response = _send(ctx, kind, id_, [{"op": "replace", "path": pointer, "value": new}])
        expect(response.status_code < 500, f"a patch of immutable {pointer} must not fail the server", response)
        after = ctx.fetch(kind, id_)
        expect(pointer_get(after.json(), pointer) == old,
               f"{pointer} is immutable but changed from {old!r} to {pointer_get(after.json(), pointer)!r}", after)


@rule("patch.server-fields-recomputed", family="patch",
      when=lambda api, kind: _patchable(api, kind) and kind.versioning is not None
      and kind.versioning.style == "decimal",
      provenance="reading",
      source='spec/README.md reading 29: version and updatedAt recomputed by the server')
def server_fields_recomputed(ctx: Context, kind: Kind) -> None:
    """Client values for version and updatedAt are ignored; the server recomputes them."""
    fields = _free_string_fields(ctx, kind) if kind.patch.any_path else []
    if not fields:
        raise Skip("no free string field to change")
    id_, before = _fresh(ctx, kind)
    document = [{"op": "add", "path": fields[0], "value": "changed by mlmock"},
                {"op": "replace", "path": "/version", "value": 42.0},
                {"op": "replace", "path": "/updatedAt", "value": 1}]
    response = _send(ctx, kind, id_, document)
    expect(response.status_code == 200, f"the patch {document} must be accepted", response)
    after = ctx.fetch(kind, id_).json()
    expected = round(before["version"] + kind.versioning.minor, 1)
    expect(after.get("version") == expected,
           f"version must be recomputed to {expected} (client sent 42.0), got {after.get('version')!r}", response)
    expect(isinstance(after.get("updatedAt"), int) and after["updatedAt"] >= before["updatedAt"],
           f"updatedAt must be recomputed (client sent 1), got {after.get('updatedAt')!r}", response)
