"""contracts/checks/grading.py: a generated-case finding is a reading verdict only when it rests on
nothing but reading-marked constraints (``x-mlmock-provenance`` with a ``documented`` form)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import httpx
import pytest
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup, ServerError
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import JsonSchemaError

from mlmock.contracts.checks.grading import reading_behind
from mlmock.spec import declaration

WML = declaration("wml")
CREATE = WML.operations["models_create"]
SPACE, PROJECT = str(uuid.uuid4()), str(uuid.uuid4())
MODEL = {"name": "m", "type": "scikit-learn_1.3", "software_spec": {"name": "runtime-23.1-py3.10"}}


def case(body: dict, negative: tuple[ParameterLocation, ...] = (ParameterLocation.BODY,)):
    modes = {location: SimpleNamespace(mode=GenerationMode.NEGATIVE if location in negative
                                       else GenerationMode.POSITIVE)
             for location in (ParameterLocation.BODY, ParameterLocation.QUERY)}
    return SimpleNamespace(meta=SimpleNamespace(components=modes), media_type="application/json", body=body)


def accepted() -> AcceptedNegativeData:
    return AcceptedNegativeData(operation="POST /ml/v4/models", message="accepted", status_code=201,
                                expected_statuses=["400"])


ANSWER = httpx.Response(201, json={"metadata": {"id": "x"}})


def test_a_body_with_both_scopes_accepted_rests_on_reading_32():
    reading = reading_behind(WML, CREATE, case({**MODEL, "space_id": SPACE, "project_id": PROJECT}), ANSWER, accepted())
    assert reading is not None and "reading 32" in reading


@pytest.mark.parametrize("body", [
    MODEL,  # no scope at all: the reference says one "has to be given"
    {**MODEL, "space_id": SPACE, "project_id": PROJECT, "name": 7},  # and something else broken too
])
def test_a_body_the_reference_itself_forbids_stays_documented(body):
    assert reading_behind(WML, CREATE, case(body), ANSWER, accepted()) is None


def test_a_case_negative_beyond_its_body_stays_documented():
    both = case({**MODEL, "space_id": SPACE, "project_id": PROJECT},
                negative=(ParameterLocation.BODY, ParameterLocation.QUERY))
    assert reading_behind(WML, CREATE, both, ANSWER, accepted()) is None


def test_a_group_is_a_reading_only_when_every_failure_in_it_is():
    both = case({**MODEL, "space_id": SPACE, "project_id": PROJECT})
    server_error = ServerError(operation="POST /ml/v4/models", status_code=500)
    assert reading_behind(WML, CREATE, both, ANSWER, FailureGroup([accepted(), server_error], "two")) is None
    assert reading_behind(WML, CREATE, both, ANSWER, FailureGroup([accepted()], "one")) is not None


def test_a_response_schema_finding_is_graded_on_the_relaxed_response_schema():
    finding = JsonSchemaError.__new__(JsonSchemaError)
    get = WML.operations["models_get"]
    broken = httpx.Response(200, json={"metadata": "not an object"})
    assert reading_behind(WML, get, case({}), broken, finding) is None
    # schemathesis' own responses keep headers as lists of values
    listed = SimpleNamespace(status_code=200, headers={"content-type": ["application/json"]},
                             json=lambda: {"metadata": "not an object"})
    assert reading_behind(WML, get, case({}), listed, finding) is None


def test_nothing_is_graded_without_an_answer_or_in_an_api_without_marked_schemas():
    both = case({**MODEL, "space_id": SPACE, "project_id": PROJECT})
    assert reading_behind(WML, CREATE, both, None, accepted()) is None
    om = declaration("openmetadata")
    assert reading_behind(om, om.operations["createMlModel"], both, ANSWER, accepted()) is None
