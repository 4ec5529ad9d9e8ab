"""mockserver/devtools/synth.py: bodies made from a schema validate against it, static or dynamic."""

from __future__ import annotations

import random
import re

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

import mlmock.spec as specs
from mlmock.mockserver.devtools.synth import Synth, from_pattern


def _media_schemas():
    for name in ("openmetadata", "wml"):
        api = specs.declaration(name)
        for op in api.operations.values():
            for status, response in op.responses.items():
                for media, content in (api.resolve(response).get("content") or {}).items():
                    if "schema" in content:
                        yield pytest.param(api, content["schema"], id=f"{name}-{op.operation_id}-{status}-{media}")


def _errors(api, schema, value) -> list[str]:
    validator = OAS30Validator({**schema, "components": api.document["components"]},
                               format_checker=oas30_format_checker)
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]


@pytest.mark.parametrize(("api", "schema"), list(_media_schemas()))
def test_every_documented_response_body_can_be_made_valid(api, schema):
    assert _errors(api, schema, Synth(api).sample(schema)) == []
    for seed in range(3):
        assert _errors(api, schema, Synth(api, dynamic=True, rng=random.Random(seed)).sample(schema)) == []


def test_static_bodies_follow_prisms_rules():
    api = specs.declaration("openmetadata")
    schema = {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "string", "example": "given"}, "b": {"type": "integer", "default": 7},
        "c": {"type": "string", "enum": ["x", "y"]}, "d": {"type": "string", "format": "uuid"},
        "e": {"type": "array", "items": {"type": "string"}}, "f": {"type": "boolean"},
        "g": {"type": "number", "minimum": 2.5}, "h": {"type": "string"}}}
    assert Synth(api).sample(schema) == {"a": "given", "b": 7, "c": "x", "d": "00000000-0000-4000-8000-000000000000",
                                         "e": ["string"], "f": True, "g": 2.5, "h": "string"}


def test_static_bodies_are_repeatable_and_dynamic_ones_vary():
    api = specs.declaration("openmetadata")
    schema = api.schema("MlModel")
    assert Synth(api).sample(schema) == Synth(api).sample(schema)
    made = {repr(Synth(api, dynamic=True, rng=random.Random(seed)).sample(schema)) for seed in range(5)}
    assert len(made) == 5


@pytest.mark.parametrize("pattern", [r"^\d{4}-\d{2}-\d{2}$", r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$",
                                     r"^[a-z0-9_]+$", r"^(ab|cd)+x?$", r"^[^/]+/[^/]+$"])
def test_strings_are_made_from_their_pattern(pattern):
    for rng in (None, random.Random(1), random.Random(2)):
        made = from_pattern(pattern, rng)
        assert made is not None and re.search(pattern, made)


def test_a_pattern_beyond_the_walker_gives_up_instead_of_lying():
    assert from_pattern(r"^(?P<x>a)(?P=x)$", None) is None  # back-reference
