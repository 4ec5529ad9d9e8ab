"""contracts/context.py: fixture bodies from the spec (the minimal instance, with the reference's
examples where they fit), checked against the spec's own create schemas."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from mlmock.contracts.context import Context, _fits_scalar
from mlmock.contracts.target import Target
from mlmock.spec import declaration, document


def _context(api: str) -> Context:
    return Context(api=declaration(api), target=Target.from_url("http://unused.test", token="t"), seed=1,
                   scope="test", space="3fc54cf1-252f-424b-b52d-5cdd9814987f")


@pytest.mark.parametrize(("schema", "value", "fits"), [
    ({"type": "string"}, "scikit-learn_1.3", True),
    ({"type": "string", "pattern": "^[a-z0-9_]+$"}, "Not Valid", False),
    ({"type": "string", "maxLength": 3}, "four", False),
    ({"type": "string", "format": "uuid"}, "4cedab6d-e8e4-4214-b81a-2ddb122db2ab", False),  # ids stay generated
    ({"type": "integer", "minimum": 1}, 0, False),
    ({"type": "integer"}, True, False),
    ({"type": "number", "maximum": 2}, 1.5, True),
    ({"type": "object"}, {"a": 1}, False),
])
def test_an_example_is_used_only_when_it_fits_its_scalar_schema(schema, value, fits):
    assert _fits_scalar(schema, value) is fits


def test_a_wml_model_fixture_carries_the_references_examples():
    ctx = _context("wml")
    body = ctx.minimal(ctx.body_schema(ctx.create_op(ctx.api.kinds["model"])))
    assert body["type"] == "scikit-learn_1.3"  # the spec's example, not a placeholder
    assert body["name"] != "x"


@pytest.mark.parametrize("api", ["openmetadata", "wml"])
def test_every_minimal_create_body_is_valid_against_its_schema(api):
    ctx = _context(api)
    registry = Registry().with_resource("urn:spec", Resource.from_contents(document(api),
                                                                           default_specification=DRAFT4))
    checked = 0
    for kind in ctx.api.kinds.values():
        try:
            op = ctx.create_op(kind)
            schema = ctx.body_schema(op)
        except Exception:  # a kind without a JSON create (uploads, platform kinds)
            continue
        body = ctx.minimal(schema)
        pointer = "/paths/" + op.path.replace("~", "~0").replace("/", "~1") + f"/{op.method.lower()}" \
            "/requestBody/content/application~1json/schema"
        errors = list(OAS30Validator({"$ref": f"urn:spec#{pointer}"}, registry=registry).iter_errors(body))
        assert not errors, (kind.name, body, errors[0].message)
        checked += 1
    assert checked >= 3
