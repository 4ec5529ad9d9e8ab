"""mockserver/devtools/prefer.py: the Prism-compatible ``Prefer`` header, unit and through the app."""

from __future__ import annotations

import dataclasses

import pytest
from devtools_support import ROOT, app, fresh_app, om, om_seed, q, root  # noqa: F401 (fixtures)

import mlmock.spec as specs
from mlmock.mockserver.core.errors import BadRequest
from mlmock.mockserver.devtools import prefer
from mlmock.mockserver.http.routes import Match, Routes

# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(("headers", "query", "expected"), [
    ([], [], prefer.Preference()),
    (["code=404"], [], prefer.Preference(code=404)),
    (["code=200, example=cat, dynamic=true"], [], prefer.Preference(code=200, example="cat", dynamic=True)),
    (['code="201"; dynamic=false'], [], prefer.Preference(code=201, dynamic=False)),
    (["return=minimal", "latency=250"], [], prefer.Preference(latency_ms=(250.0, 250.0))),
    (["latency=10-20"], [], prefer.Preference(latency_ms=(10.0, 20.0))),
    ([], [("__code", "503"), ("__example", "x"), ("__dynamic", "true")],
     prefer.Preference(code=503, example="x", dynamic=True)),
    (["respond-async, wait=5"], [("limit", "2")], prefer.Preference()),
])
def test_known_keys_are_read_from_the_header_or_the_query(headers, query, expected):
    assert prefer.parse(headers, query) == expected


@pytest.mark.parametrize("header", ["code=abc", "code=99", "code=600", "dynamic=maybe", "latency=-1",
                                    "latency=5-1", "latency=99999999", "latency=x"])
def test_a_malformed_known_value_is_a_400(header):
    with pytest.raises(BadRequest):
        prefer.parse([header])


def _match(api: str, method: str, path: str):
    return Routes({api: specs.declaration(api)}).match(method, path)


def test_an_undocumented_error_status_is_answered_in_the_envelope_anyway():
    chosen = prefer.choose(_match("openmetadata", "GET", "/api/v1/mlmodels"), prefer.Preference(code=503))
    assert chosen.status == 503 and chosen.error is not None and chosen.error.code == "service_unavailable"


def test_an_undocumented_success_status_is_a_400_listing_the_documented_ones():
    with pytest.raises(BadRequest, match="documented: 200, 400, 401"):
        prefer.choose(_match("openmetadata", "GET", "/api/v1/mlmodels"), prefer.Preference(code=201))


def test_a_missing_named_example_is_a_400():
    with pytest.raises(BadRequest, match="no example named 'cat'"):
        prefer.choose(_match("openmetadata", "GET", "/api/v1/mlmodels"), prefer.Preference(example="cat"))


def test_a_named_example_of_the_spec_is_sent():
    api = specs.declaration("openmetadata")
    op = api.operations["listMlModels"]
    response = dict(api.resolve(op.responses["200"]))
    media = dict(response["content"]["application/json"])
    media["examples"] = {"one": {"value": {"data": [], "paging": {"total": 1}}},
                         "two": {"value": {"data": [], "paging": {"total": 2}}}}
    response["content"] = {"application/json": media}
    match = Match(api, dataclasses.replace(op, responses={**op.responses, "200": response}), {})
    assert prefer.choose(match, prefer.Preference(example="two")).body == b'{"data":[],"paging":{"total":2}}'
    assert prefer.choose(match, prefer.Preference()).body == b'{"data":[],"paging":{"total":1}}'


# ----------------------------------------------------------------------------- through the app


def test_code_answers_the_documented_response_without_touching_state(app, om):
    app.control.seed(om_seed("m"))
    r = om.post("/mlmodels", json={"name": "n", "service": "svc"}, headers={"Prefer": "code=201"})
    assert r.status_code == 201 and r.headers["content-type"] == "application/json"
    assert set(r.json()) >= {"id", "name", "service"}
    assert om.get("/mlmodels").json()["paging"]["total"] == 1  # nothing was created


@pytest.mark.parametrize("code", [401, 404, 409, 429, 503])
def test_error_codes_use_the_openmetadata_envelope(om, code):
    r = om.get("/mlmodels", headers={"Prefer": f"code={code}"})
    assert r.status_code == code
    assert r.json() == {"code": code, "message": f"Prefer: code={code} (mlmock)"}


def test_error_codes_use_the_wml_envelope_with_the_transaction_id_as_trace(root):
    r = root.get("/ml/v4/models", params=q(), headers={"Prefer": "code=503", "X-Global-Transaction-Id": "tx-1"})
    assert r.status_code == 503
    body = r.json()
    assert body["trace"] == "tx-1" and body["status_code"] == 503
    assert body["errors"][0]["code"] == "service_unavailable"


def test_dynamic_bodies_vary_and_the_query_form_works(root):
    first = root.get("/ml/v4/models", params={**q(), "__dynamic": "true"})
    second = root.get("/ml/v4/models", params=q(), headers={"Prefer": "dynamic=true"})
    assert first.status_code == second.status_code == 200
    assert first.json() != second.json()


def test_a_bad_prefer_value_is_a_400_in_the_api_envelope(om, root):
    r = om.get("/mlmodels", headers={"Prefer": "code=banana"})
    assert r.status_code == 400 and "Prefer: code" in r.json()["message"]
    r = root.get("/ml/v4/models", params=q(), headers={"Prefer": "latency=-5"})
    assert r.status_code == 400 and "latency" in r.json()["errors"][0]["message"]


def test_latency_alone_serves_the_request_normally_and_is_journaled(app, om):
    r = om.get("/mlmodels", headers={"Prefer": "latency=1"})
    assert r.status_code == 200 and r.json()["paging"]["total"] == 0
    entry = app.control.journal_entries(path="/api/v1/mlmodels")[-1]
    assert entry["delay_ms"] == 1 and entry["fault"] is None


def test_an_unknown_path_is_left_to_the_app(om):
    r = om.get("/nothing/here", headers={"Prefer": "code=200"})
    assert r.status_code == 404
