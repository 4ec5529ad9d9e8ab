"""The OpenMetadata document is valid OpenAPI and its x-mlmock rules point at real schema fields."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

import mlmock.spec as specs

API = "openmetadata"


@pytest.fixture(scope="module")
def decl():
    return specs.declaration(API)


def test_document_is_valid_openapi():
    validate(specs.document(API))


def test_every_operation_is_served_by_a_declared_kind(decl):
    for op in decl.operations.values():
        assert op.action, f"{op.operation_id} has no x-mlmock-op action"
        if op.action != "static":
            assert op.kind in decl.kinds, f"{op.operation_id}: unknown kind {op.kind}"


@pytest.mark.parametrize("kind", sorted(specs.declaration(API).kinds))
def test_declared_pointers_resolve_in_the_kind_schema(decl, kind):
    k = decl.kinds[kind]
    schema = decl.schema(k.schema)
    pointers = [k.id, k.name_pointer, k.fqn, *k.immutable, *k.server_managed, *k.child_fqns]
    if k.versioning:
        pointers += list(k.versioning.major_fields)
    for pointer in filter(None, pointers):
        assert decl.schema_at(schema, pointer) is not None, f"{kind}: {pointer} is not in {k.schema}"
    for name in k.relation_fields.names if k.relation_fields else ():
        assert name in schema["properties"], f"{kind}: relation field {name} is not a property"


def test_filters_point_at_fields_of_the_listed_kind(decl):
    for op in decl.operations_of(action="list"):
        schema = decl.schema(decl.kinds[op.kind].schema)
        for flt in op.filters:
            assert decl.schema_at(schema, flt.field) is not None, f"{op.operation_id}: {flt.field}"


def test_limit_bounds_come_from_the_parameter_schema(decl):
    op = decl.operation("mlmodel", "list")
    assert decl.limit_bounds(op) == (0, 1000000, 10)
