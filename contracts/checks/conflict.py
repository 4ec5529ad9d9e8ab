"""Conflict and identity: 409 on duplicates, upsert keeps the id, decimal version rules."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, Violation, expect
from ..target import describe

READING_CREATED = "spec/README.md reading 33: an upsert that creates answers 201, one that updates 200"
READING_NOOP = "spec/README.md reading 24: a no-op upsert keeps version and updatedAt"
READING_MAJOR = "spec/README.md reading 25: a change of algorithm, server or target is a major version step"
READING_HISTORY = "spec/README.md reading 26: the version history lists exactly one entry per change, newest first"


def _creatable_unique(api: ApiDeclaration, kind: Kind) -> bool:
    return bool(kind.unique) and api.operation(kind.name, "create") is not None


def _upsertable(api: ApiDeclaration, kind: Kind) -> bool:
    return api.operation(kind.name, "upsert") is not None


def _decimal(api: ApiDeclaration, kind: Kind) -> bool:
    return (_upsertable(api, kind) and kind.versioning is not None
            and kind.versioning.style == "decimal")


@rule("conflict.duplicate-create", family="conflict", when=_creatable_unique,
      provenance="documented",
      source=("OpenMetadata reference, Create an ML Model: name 'must be unique within the parent ML model service'"
              " (PUT 'will not return a 409' implies POST does); WML reference, deployment_create: serving_name "
              'unique (409 on conflict=true)'))
def duplicate_create(ctx: Context, kind: Kind) -> None:
    """Creating a resource whose unique fields are taken answers 409, and leaves the first intact."""
    op = ctx.operation(kind, "create")
    body = ctx.create_body(kind)
    first = ctx.call(op, json=body)
    expect(first.status_code in op.success_statuses, f"{op.operation_id} should create", first)
    second = ctx.call(op, json=body)
    expect(second.status_code == 409, f"a second {op.operation_id} with the same unique fields "
           f"{[u.fields for u in kind.unique]} must answer 409", second)
    still = ctx.fetch(kind, ctx.id_of(kind, first.json()))
    expect(still.status_code == 200, "the first resource must survive the refused duplicate", still)


@rule("conflict.upsert-keeps-id", family="conflict", when=_upsertable,
      provenance="documented",
      source="OpenMetadata reference, Create or Update (PUT): an existing entity 'will be updated', never 409")
def upsert_keeps_id(ctx: Context, kind: Kind) -> None:
    """PUT of a new name creates; PUT of the same name updates (200, same id), never 409."""
    op = ctx.operation(kind, "upsert")
    body = ctx.create_body(kind)
    first = ctx.call(op, json=body)
    expect(first.status_code in (200, 201), f"{op.operation_id} of a new resource must succeed", first)
    created_status = first.status_code
    again = dict(body, description="changed by mlmock")
    second = ctx.call(op, json=again)
    expect(second.status_code == 200, f"{op.operation_id} of an existing resource must answer 200", second)
    expect(ctx.id_of(kind, second.json()) == ctx.id_of(kind, first.json()),
           "an upsert of an existing resource must keep its id", second)
    expect(created_status == 201, f"{op.operation_id} of a new resource should answer 201 (200 and 201 are both "
           "documented; the real server tells a create by 201)", first, reading=READING_CREATED)


def _major_field(ctx: Context, kind: Kind, body: dict) -> str | None:
    schema = ctx.body_schema(ctx.operation(kind, "upsert"))
    for pointer in kind.versioning.major_fields:
        sub = ctx.api.schema_at(schema, pointer)
        if sub and sub.get("type") == "string" and sub.get("format") is None:
            return pointer
    return None


@rule("conflict.version-rules", family="conflict", when=_decimal,
      provenance="documented",
      source=("OpenMetadata reference: version 'starts at 0.1'; OpenMetadata entity versioning (+0.1 per change); "
              'the no-op, major-field and history-order parts are readings 24-26'))
def version_rules(ctx: Context, kind: Kind) -> None:
    """Versions start at the initial value, stay on a no-op upsert, add minor on a change, major on a major field."""
    v = kind.versioning
    op = ctx.operation(kind, "upsert")
    body = ctx.create_body(kind)
    created = ctx.call(op, json=body)
    expect(created.status_code in (200, 201), f"{op.operation_id} should create", created)
    doc = created.json()
    expect(doc.get("version") == v.initial, f"a new resource must have version {v.initial}", created)
    same = ctx.call(op, json=body)
    expect(same.status_code in (200, 201), f"{op.operation_id} of an existing resource should succeed", same)
    noop_kept = same.json().get("version") == v.initial and same.json().get("updatedAt") == doc.get("updatedAt")
    if not noop_kept:
        noop = Violation("an upsert that changes nothing must keep version and updatedAt "
                         f"(got {describe(same)})", same, reading=READING_NOOP)
    base = same.json().get("version", v.initial)
    changed = ctx.call(op, json=dict(body, description="minor change by mlmock"))
    minor = round(base + v.minor, 1)
    expect(changed.status_code == 200 and changed.json().get("version") == minor,
           f"a change must move the version from {base} to {minor}", changed)
    if not noop_kept:
        raise noop
    major_field = _major_field(ctx, kind, body)
    if major_field is None:
        raise Skip("no major field can be changed with a plain string")
    major_body = dict(body, description="minor change by mlmock")
    major_body[major_field.lstrip("/")] = "mlmock-major-change"
    major = ctx.call(op, json=major_body)
    expected = round(minor + v.major, 1)
    expect(major.status_code == 200 and major.json().get("version") == expected,
           f"a change of {major_field} is major and must move the version from {minor} to {expected}", major,
           reading=READING_MAJOR)
    history = ctx.api.operation(kind.name, "versions")
    if ctx.serves(history):
        listed = ctx.call(history, path={ctx.id_param(history): ctx.id_of(kind, doc)})
        expect(listed.status_code == 200, f"{history.operation_id} should list versions", listed)
        import json as _json
        versions = [_json.loads(x)["version"] if isinstance(x, str) else x["version"]
                    for x in pointer_get(listed.json(), "/versions") or []]
        expect(versions == [expected, minor, v.initial],
               f"the version history must list {[expected, minor, v.initial]} newest first, got {versions}",
               listed, reading=READING_HISTORY)


def _probe_param(api: ApiDeclaration, kind: Kind):
    op = api.operation(kind.name, "list")
    if op is None or op.extensions.availability is None:
        return None
    return op, op.extensions.availability


@rule("conflict.availability-probe", family="conflict",
      when=lambda api, kind: _probe_param(api, kind) is not None and _creatable_unique(api, kind),
      provenance="documented",
      source=("WML reference, GET /ml/v4/deployments: conflict 'cannot be combined with any other except for "
              "serving_name'; 204 available, 409 taken"))
def availability_probe(ctx: Context, kind: Kind) -> None:
    """The availability probe answers 'free' for an unused value and 'taken' once a resource holds it."""
    list_op, probe = _probe_param(ctx.api, kind)
    body = ctx.create_body(kind)
    field = ctx.body_pointer(kind, probe.field)
    value = pointer_get(body, field)
    # The reference: conflict "cannot be combined with any other except for 'serving_name'" (and the
    # version date every call carries): no space_id, no defaults.
    query = {probe.param: "true", probe.value_param: value}
    if list_op.parameter("version"):
        query["version"] = ctx.api_version
    free = ctx.call(list_op, params=query, bare=True)
    expect(free.status_code == probe.available,
           f"{probe.value_param}={value!r} is unused: the probe must answer {probe.available}", free)
    op = ctx.operation(kind, "create")
    created = ctx.call(op, json=body)
    expect(created.status_code in op.success_statuses, f"{op.operation_id} should create", created)
    taken = ctx.call(list_op, params=query, bare=True)
    expect(taken.status_code == probe.taken,
           f"{probe.value_param}={value!r} is in use: the probe must answer {probe.taken}", taken)
