"""contracts/checks/bounds.py: the schema family draws request bodies with small arrays, judges
responses against the document as written, and drops a negative case whose body is valid but for
a bound of its own."""

from __future__ import annotations

import copy
import json
import uuid
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from openapi_schema_validator import OAS30Validator
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from mlmock.contracts.checks import bounds
from mlmock.contracts.checks.schema import _schema
from mlmock.spec import declaration, document

WML = declaration("wml")
SPACE = str(uuid.uuid4())
MODEL = {"name": "m", "type": "scikit-learn_1.3", "software_spec": {"name": "runtime-23.1-py3.10"}, "space_id": SPACE}


def _arrays(value, path=""):
    """(path, length) of every array in a JSON value."""
    if isinstance(value, list):
        yield path, len(value)
        for n, item in enumerate(value):
            yield from _arrays(item, f"{path}[{n}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, f"{path}/{key}")


def _document(schemas: dict, body: dict, response: dict | None = None, media: str = "application/json") -> dict:
    op = {"requestBody": {"content": {media: {"schema": body}}},
          "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": response or {}}}}}}
    return {"openapi": "3.0.3", "paths": {"/things": {"post": op}}, "components": {"schemas": schemas}}


def test_request_arrays_are_bounded_and_responses_keep_the_schemas_as_written():
    tags = {"type": "array", "items": {"type": "string"}}
    things = {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
    raw = _document({"Thing": {"type": "object", "properties": {"tags": tags}},
                     "Page": {"type": "object", "properties": {"things": things}}},
                    body={"$ref": "#/components/schemas/Thing"}, response={"$ref": "#/components/schemas/Page"})
    schemas = bounds.bounded(raw)["components"]["schemas"]
    op = raw["paths"]["/things"]["post"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Thing.generated"}
    assert schemas["Thing.generated"]["properties"]["tags"]["maxItems"] == bounds.GENERATED_ITEMS
    # The response still names the schema as written, and nothing a response reaches is bounded.
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Page"}
    assert "maxItems" not in schemas["Thing"]["properties"]["tags"]
    assert "maxItems" not in schemas["Page"]["properties"]["things"]
    assert "Page.generated" not in schemas  # reached from no request


def test_a_bound_keeps_min_items_and_a_documented_max_and_is_no_property():
    body = {"type": "object", "properties": {
        "many": {"type": "array", "minItems": 5, "items": {}},
        "few": {"type": "array", "maxItems": 9, "items": {}},
        # Properties named after keywords: the map of properties is no schema.
        "items": {"type": "string"}, "type": {"type": "string"}}}
    raw = bounds.bounded(_document({}, copy.deepcopy(body)))
    bounded = raw["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert bounded["properties"]["many"]["maxItems"] == 5
    assert bounded["properties"]["few"]["maxItems"] == 9
    assert "maxItems" not in bounded["properties"]
    assert bounded["properties"]["items"] == {"type": "string"}


def test_a_body_that_is_not_json_is_left_as_written():
    files = {"type": "array", "items": {"type": "string", "format": "binary"}}
    body = {"type": "object", "properties": {"files": files}}
    raw = bounds.bounded(_document({}, copy.deepcopy(body), media="multipart/form-data"))
    assert raw["paths"]["/things"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"] == body


def test_shared_request_bodies_are_bounded_too():
    raw = bounds.bounded(copy.deepcopy(document("wml")))
    patch = raw["components"]["requestBodies"]["JsonPatch"]["content"]["application/json"]["schema"]
    assert patch == {"$ref": "#/components/schemas/JsonPatch.generated"}
    assert raw["components"]["schemas"]["JsonPatch.generated"]["maxItems"] == bounds.GENERATED_ITEMS


@pytest.mark.parametrize("operation_id", ["training_definitions_create", "models_create", "deployments_create"])
def test_positive_bodies_drawn_from_the_bounded_schema_are_small_and_valid_as_written(operation_id):
    op = WML.operations[operation_id]
    loaded = _schema("wml", None, bounded=True)[op.path][op.method]
    strategy = loaded.as_strategy(generation_mode=GenerationMode.POSITIVE)
    written = OAS30Validator({**op.request_body["content"]["application/json"]["schema"],
                              "components": document("wml")["components"]})
    bodies = []

    @seed(1)
    @settings(max_examples=15, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def draw(case):
        bodies.append(case.body)

    draw()
    assert len(bodies) == 15
    for body in bodies:
        assert written.is_valid(body), json.dumps(body)[:500]
        too_long = [(path, n) for path, n in _arrays(body) if n > bounds.GENERATED_ITEMS]
        assert not too_long, too_long


def _case(body, negative=(ParameterLocation.BODY,), media="application/json"):
    modes = {location: SimpleNamespace(mode=GenerationMode.NEGATIVE if location in negative
                                       else GenerationMode.POSITIVE)
             for location in (ParameterLocation.BODY, ParameterLocation.QUERY)}
    return SimpleNamespace(meta=SimpleNamespace(components=modes), media_type=media, body=body)


CREATE = WML.operations["models_create"]
FIVE_TAGS = {**MODEL, "tags": ["a", "b", "c", "d", "e"]}


def test_a_negative_body_valid_as_written_breaks_only_the_bounds():
    assert bounds.breaks_only_bounds(WML, CREATE, _case(FIVE_TAGS))


@pytest.mark.parametrize("case", [
    _case({**FIVE_TAGS, "name": 7}),  # invalid as written too
    _case(FIVE_TAGS, negative=(ParameterLocation.BODY, ParameterLocation.QUERY)),  # the query is negative
    _case(FIVE_TAGS, negative=(ParameterLocation.QUERY,)),  # the body is not the negative part
])
def test_a_case_negative_by_the_document_is_kept(case):
    assert not bounds.breaks_only_bounds(WML, CREATE, case)
