"""The limited user (``Settings.limited_token``, ``mlmock serve --limited-token``): spec/README.md reading 45.

Refused with 403, in the API's envelope, by every operation whose spec documents a 403; served as
anyone by the others; and nothing it was refused changes what is stored.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mlmock.mockserver import Settings, create_app
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID

TOKEN, LIMITED = "full", "limited"
WML_Q = {"space_id": DEFAULT_SPACE_ID, "version": "2024-05-01"}


def _client(**settings) -> TestClient:
    return TestClient(create_app(settings=Settings(token=TOKEN, **settings)), raise_server_exceptions=False)


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client() -> TestClient:
    return _client(limited_token=LIMITED)


def test_without_the_setting_the_token_is_just_wrong():
    answer = _client().get("/api/v1/mlmodels", headers=_as(LIMITED))
    assert answer.status_code == 401


def test_openmetadata_creates_refuse_the_limited_user_and_store_nothing(client):
    service = {"name": "svc", "serviceType": "Mlflow"}
    assert client.post("/api/v1/services/mlmodelServices", json=service, headers=_as(TOKEN)).status_code == 201
    model = {"name": "m1", "service": "svc", "algorithm": "KMeans"}
    for method, path, body in (("POST", "/api/v1/mlmodels", model), ("PUT", "/api/v1/mlmodels", model),
                               ("PUT", "/api/v1/mlmodels/bulk", [model])):
        answer = client.request(method, path, json=body, headers=_as(LIMITED))
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["code"] == 403 and "limited-user" in answer.json()["message"]
    assert client.get("/api/v1/mlmodels/name/svc.m1", headers=_as(TOKEN)).status_code == 404
    # Reads document no 403: the limited user reads like anyone.
    listed = client.get("/api/v1/mlmodels", headers=_as(LIMITED))
    assert listed.status_code == 200 and listed.json()["data"] == []


def test_wml_refuses_the_limited_user_in_the_suites_space_and_changes_nothing(client):
    created = client.post("/ml/v4/models", params={"version": "2024-05-01"}, headers=_as(TOKEN),
                          json={"name": "m", "type": "scikit-learn_1.3", "space_id": DEFAULT_SPACE_ID,
                                "software_spec": {"name": "runtime-24.1-py3.11"}})
    assert created.status_code == 201, created.text
    model_id = created.json()["metadata"]["id"]
    tries = [("GET", "/ml/v4/models", None), ("GET", f"/ml/v4/models/{model_id}", None),
             ("PATCH", f"/ml/v4/models/{model_id}", [{"op": "replace", "path": "/name", "value": "x"}]),
             ("DELETE", f"/ml/v4/models/{model_id}", None), ("GET", f"/v2/spaces/{DEFAULT_SPACE_ID}", None)]
    for method, path, body in tries:
        answer = client.request(method, path, params=WML_Q, json=body, headers=_as(LIMITED))
        assert answer.status_code == 403, (method, path, answer.text)
        error = answer.json()
        assert error["status_code"] == 403 and error["errors"][0]["code"] == "forbidden" and error["trace"]
    kept = client.get(f"/ml/v4/models/{model_id}", params=WML_Q, headers=_as(TOKEN))
    assert kept.status_code == 200 and kept.json()["metadata"]["name"] == "m"


def test_wml_operations_without_a_documented_403_serve_the_limited_user(client):
    # GET /v2/spaces and the hardware specifications document no 403.
    assert client.get("/v2/spaces", headers=_as(LIMITED)).status_code == 200
    assert client.get("/v2/hardware_specifications", headers=_as(LIMITED)).status_code == 200
