"""mockserver/core/schemadefaults.py: the defaults a schema declares, filled in for omitted fields."""

from __future__ import annotations

import pytest

import mlmock.spec as specs
from mlmock.mockserver.core.schemadefaults import fill
from mlmock.spec.declarations import read_declaration

OM = specs.declaration("openmetadata")

MINI = read_declaration({
    "openapi": "3.0.3",
    "x-mlmock-api": {"name": "mini", "dialect": "openmetadata"},
    "paths": {},
    "components": {"schemas": {
        "Item": {"type": "object", "properties": {
            "flag": {"type": "boolean", "default": False},
            "label": {"type": "string"},
        }},
        "Holder": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "tags": {"type": "array", "default": []},
            "settings": {"type": "object", "default": {"level": 1, "names": ["a"]}},
            "child": {"$ref": "#/components/schemas/Item"},
        }},
        "Choice": {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["kind"],
             "properties": {"kind": {"type": "string", "enum": ["one"]},
                            "size": {"type": "integer", "default": 1}}},
            {"type": "object", "required": ["kind"],
             "properties": {"kind": {"type": "string", "enum": ["two"]},
                            "size": {"type": "integer", "default": 2}}},
        ]},
    }},
})


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def test_an_omitted_algorithm_gets_the_documented_default():
    assert fill(OM, ref("CreateMlModel"), {"name": "m"})["algorithm"] == "mlmodel"


def test_a_given_value_is_never_replaced():
    body = {"name": "m", "algorithm": "KMeans"}
    assert fill(OM, ref("CreateMlModel"), body)["algorithm"] == "KMeans"


def test_the_mlflow_connection_gets_its_type_from_the_matching_oneof_branch():
    body = {"name": "s", "serviceType": "Mlflow",
            "connection": {"config": {"trackingUri": "http://t", "registryUri": "sqlite://"}}}
    config = fill(OM, ref("CreateMlModelService"), body)["connection"]["config"]
    assert config["type"] == "Mlflow"
    assert config["supportsMetadataExtraction"] is True


def test_a_connection_matching_another_branch_gets_none_of_the_mlflow_defaults():
    body = {"name": "s", "serviceType": "Sklearn", "connection": {"config": {"type": "Sklearn"}}}
    config = fill(OM, ref("CreateMlModelService"), body)["connection"]["config"]
    assert config == {"type": "Sklearn", "supportsMetadataExtraction": True}  # its own branch's defaults only


def test_defaults_inside_allof_are_filled():
    model = fill(OM, ref("MlModel"), {"votes": {"upVotes": 3}})
    assert model["votes"] == {"upVotes": 3, "downVotes": 0}
    assert fill(OM, ref("MlModel"), {})["votes"] == {"upVotes": 0, "downVotes": 0}


@pytest.mark.parametrize(
    ("instance", "expected_kind", "expected_size"),
    [({"kind": "one"}, "one", 1), ({"kind": "two"}, "two", 2), ({"kind": "two", "x": 1}, "two", 2)],
)
def test_the_oneof_branch_is_chosen_by_enum_and_additional_properties(instance, expected_kind,
                                                                      expected_size):
    filled = fill(MINI, ref("Choice"), dict(instance))
    assert (filled["kind"], filled["size"]) == (expected_kind, expected_size)


def test_an_instance_matching_no_branch_is_left_alone():
    assert fill(MINI, ref("Choice"), {"kind": "three"}) == {"kind": "three"}


def test_defaults_reach_every_array_item_and_nested_object():
    filled = fill(MINI, ref("Holder"),
                  {"items": [{}, {"flag": True}, {"label": "x"}], "child": {}})
    assert filled["items"] == [{"flag": False}, {"flag": True}, {"label": "x", "flag": False}]
    assert filled["child"] == {"flag": False}
    assert filled["tags"] == [] and filled["settings"] == {"level": 1, "names": ["a"]}


def test_defaults_are_copies_never_shared():
    first = fill(MINI, ref("Holder"), {})
    first["tags"].append("mutated")
    first["settings"]["names"].append("mutated")
    second = fill(MINI, ref("Holder"), {})
    assert second["tags"] == [] and second["settings"]["names"] == ["a"]


@pytest.mark.parametrize("instance", ["text", 3, None, [1, 2]])
def test_values_that_are_not_objects_pass_through(instance):
    assert fill(MINI, ref("Holder"), instance) == instance
