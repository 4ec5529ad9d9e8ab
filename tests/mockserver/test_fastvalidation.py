"""The compiled validators (mockserver/core/fastvalidation.py) may only ever accept what the validators
they stand in for accept: connexion's Draft4 request/response validators and validation.py's
OAS30Validator. Whatever they refuse is decided (and worded) by the slow validator."""

from __future__ import annotations

import copy

import pytest
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from jsonschema import Draft4Validator
from openapi_schema_validator import OAS30Validator, oas30_format_checker

import mlmock.spec as specs
from mlmock.mockserver.core import fastvalidation
from mlmock.mockserver.core.fastvalidation import accepts, compiled

ODD_VALUES = [None, 1.0, 1, True, "", "x" * 300, "not a uri", "a::b", "2024-13-45", [], {}, [None], {"x": None},
              -1, 10**20, 0.5, "ünïcødé", " ", "1.2", "svc.m1"]


def mutations(doc):
    """doc with one value replaced, one key removed or one key added, everywhere in it."""
    if isinstance(doc, dict):
        for key in list(doc):
            for value in ODD_VALUES:
                yield {**doc, key: value}
            yield {k: v for k, v in doc.items() if k != key}
            for inner in mutations(doc[key]):
                yield {**doc, key: inner}
        yield {**doc, "unexpectedProperty": 1}
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            for inner in mutations(item):
                yield [*doc[:i], inner, *doc[i + 1:]]
        yield [*doc, None]


def agree(schema, doc, slow, checker=Draft4Validator.FORMAT_CHECKER) -> int:
    checked = 0
    for candidate in [doc, *mutations(doc)]:
        if accepts(schema, candidate, checker):
            assert slow.is_valid(candidate), candidate
            checked += 1
    return checked


MODEL = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "name": "m1", "fullyQualifiedName": "svc.m1",
    "algorithm": "mlmodel", "description": "d", "version": 0.1, "updatedAt": 1, "updatedBy": "admin",
    "href": "http://127.0.0.1:8585/api/v1/mlmodels/3fa85f64-5717-4562-b3fc-2c963f66afa6", "deleted": False,
    "service": {"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "type": "mlmodelService", "name": "svc",
                "fullyQualifiedName": "svc", "deleted": False},
    "serviceType": "Mlflow",
    "mlFeatures": [{"name": "f", "dataType": "numerical", "featureSources": []}],
    "mlHyperParameters": [{"name": "h", "value": "1"}],
    "tags": [], "owners": [],
}


@pytest.mark.parametrize("schema_name", ["MlModel", "CreateMlModel", "MlModelService", "CreateMlModelService"])
def test_compiled_oas30_never_accepts_more(schema_name):
    api = specs.declaration("openmetadata")
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": api.document["components"]}
    slow = OAS30Validator(root, format_checker=oas30_format_checker)
    assert compiled(root, oas30_format_checker) is not None
    doc = {k: v for k, v in MODEL.items() if k in api.resolve(root)["properties"]}
    agree(root, doc, slow, oas30_format_checker)


@pytest.mark.parametrize("validator_cls", [Draft4RequestValidator, Draft4ResponseValidator])
def test_compiled_draft4_never_accepts_more(validator_cls):
    api = specs.declaration("openmetadata")
    from connexion.json_schema import resolve_refs

    schema = resolve_refs(copy.deepcopy({"components": api.document["components"],
                                         "x": {"$ref": "#/components/schemas/MlModel"}}))["x"]
    slow = validator_cls(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    assert compiled(schema) is not None
    assert agree(schema, dict(MODEL), slow) > 0


@pytest.mark.parametrize(("schema", "value", "valid"), [
    ({"type": "integer"}, 1.0, False),                       # Draft 4: a float is no integer
    ({"type": "number"}, True, False),
    ({"type": "string", "pattern": "^((?!::).)*$"}, "a::b", False),  # Python's re, lookahead and all
    ({"type": "string", "pattern": r"^\d+$"}, "١٢", True),    # re's \d is Unicode, as jsonschema's
    ({"type": "string", "format": "uri"}, "not a uri", False),  # the same format checker
    ({"type": "string", "format": "uuid"}, "not a uuid", True),  # Draft4's checker ignores uuid
    ({"type": "string", "nullable": True}, None, False),     # not accepted here: the slow path decides
])
def test_cases(schema, value, valid):
    assert accepts(schema, value) is valid
    if valid:
        assert Draft4RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER).is_valid(value)


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"secret": {"type": "string", "writeOnly": True}}},
    {"$ref": "#/definitions/a", "maxLength": 1, "definitions": {"a": {"type": "string"}}},
])
def test_not_compiled(schema):
    assert compiled(schema) is None


def test_a_cyclic_schema_is_not_compiled():
    """connexion resolves a recursive schema's $refs into a dict that contains itself."""
    node = {"type": "object", "properties": {}}
    node["properties"]["child"] = node
    assert compiled(node) is None
    assert accepts(node, {"child": {}}) is False


def test_refusals_are_connexions(monkeypatch):
    """A body the compiled validator refuses gets connexion's own validator and message."""
    validator = fastvalidation.FastJSONRequestBodyValidator(
        schema={"type": "object", "required": ["name"]}, encoding="utf-8", strict_validation=False)
    validator._validate({"name": "x"})
    from connexion.exceptions import BadRequestProblem

    with pytest.raises(BadRequestProblem, match="'name' is a required property"):
        validator._validate({})
