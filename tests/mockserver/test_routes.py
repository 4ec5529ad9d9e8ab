"""mockserver/http/routes.py: which API and operation a raw path is for."""

from __future__ import annotations

import pytest

import mlmock.spec as specs
from mlmock.mockserver.http.routes import Routes


@pytest.fixture(scope="module")
def routes() -> Routes:
    return Routes({name: specs.declaration(name) for name in ("openmetadata", "wml")})


@pytest.mark.parametrize(("path", "api"), [
    ("/api/v1/mlmodels", "openmetadata"), ("/api/v1", "openmetadata"), ("/ml/v4/models", "wml"),
    ("/v2/spaces", "wml"), ("/api/v10/x", "wml"),  # not under /api/v1: the root-mounted API
])
def test_the_api_is_the_longest_base_path_holding_the_path(routes, path, api):
    assert routes.api_for(path).name == api


@pytest.mark.parametrize(("method", "path", "operation", "params"), [
    ("GET", "/api/v1/mlmodels", "listMlModels", {}),
    ("GET", "/api/v1/mlmodels/abc", "getMlModelByID", {"id": "abc"}),
    ("GET", "/api/v1/mlmodels/name/svc.m", "getMlModelByFQN", {"fqn": "svc.m"}),
    ("GET", "/api/v1/mlmodels/name/team/ml.m", "getMlModelByFQN", {"fqn": "team/ml.m"}),
    ("POST", "/ml/v4/deployments", "deployments_create", {}),
    ("GET", "/ml/v4/deployments/d1/", "deployments_get", {"deployment_id": "d1"}),
])
def test_an_operation_and_its_path_parameters_are_found(routes, method, path, operation, params):
    found = routes.match(method, path)
    assert found is not None
    assert found.op.operation_id == operation
    assert found.params == params


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/v1/nothing/here"), ("TRACE", "/api/v1/mlmodels"),
                                              ("GET", "/nowhere")])
def test_an_unknown_path_or_method_matches_nothing(routes, method, path):
    assert routes.match(method, path) is None


def test_no_api_served_matches_nothing():
    assert Routes({}).api_for("/api/v1/mlmodels") is None
    assert Routes({}).match("GET", "/api/v1/mlmodels") is None


@pytest.mark.parametrize(("path", "dialect"), [
    ("/api/v1/mlmodels", "openmetadata"), ("/ml/v4/models", "wml"), ("/anything", "wml")])
def test_the_dialect_of_a_path_is_its_apis(routes, path, dialect):
    assert routes.dialect_for(path) == dialect


def test_without_any_api_the_dialect_is_the_fallback():
    assert Routes({}).dialect_for("/api/v1/mlmodels") == "openmetadata"


@pytest.mark.parametrize(("path", "methods"), [
    ("/api/v1/mlmodels", ["GET", "POST", "PUT"]), ("/api/v1/mlmodels/abc", ["DELETE", "GET", "PATCH"]),
    ("/api/v1/mlmodels/", []), ("/nowhere", [])])
def test_the_allowed_methods_are_those_of_the_exact_path(routes, path, methods):
    assert routes.allowed(path) == methods


@pytest.mark.parametrize(("method", "path", "upload"), [
    ("PUT", "/ml/v4/models/m1/content", True), ("put", "/ml/v4/functions/f1/code", True),
    ("GET", "/ml/v4/models/m1/content", False), ("PUT", "/ml/v4/models/m1", False),
    ("PUT", "/ml/v4/models/m1/content/", False)])
def test_uploads_are_the_content_put_operations(routes, method, path, upload):
    assert routes.takes_bytes(method, path) is upload
