"""mlmock/inprocess.py: requests and httpx traffic to chosen base URLs reaches the mock in-process."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
import requests

from mlmock import DEFAULT_TOKEN, mock_openmetadata, mock_wml
from mlmock.inprocess import OPENMETADATA_URLS, WML_URLS

SERVICE = {"name": "svc", "serviceType": "Mlflow"}


@pytest.fixture
def no_sockets(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a socket was opened: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_requests_and_httpx_reach_the_mock_without_a_socket(no_sockets):
    with mock_openmetadata() as om:
        assert om.url == OPENMETADATA_URLS[0]
        put = requests.put(om.url + "/api/v1/services/mlmodelServices", json=SERVICE, headers=om.headers)
        assert put.status_code == 201 and put.json()["fullyQualifiedName"] == "svc"
        post = httpx.post(om.url + "/api/v1/mlmodels", json={"name": "m", "service": "svc"}, headers=om.headers)
        assert post.status_code == 201
        # hrefs are built from the URL the client used, as on a real server
        assert post.json()["href"] == f"{om.url}/api/v1/mlmodels/{post.json()['id']}"
        listed = requests.get(om.url + "/api/v1/mlmodels", headers=om.headers).json()
        assert [m["name"] for m in listed["data"]] == ["m"]
        assert [(e["method"], e["status"]) for e in om.journal()] == [("PUT", 201), ("POST", 201), ("GET", 200)]


def test_errors_come_back_in_the_apis_envelope():
    with mock_wml():
        answer = httpx.get(WML_URLS[1] + "/ml/v4/models", params={"version": "2024-05-01"})  # no token
        assert answer.status_code == 401 and answer.json()["errors"][0]["code"]


def test_an_async_httpx_client_is_routed_too():
    async def call(om):
        async with httpx.AsyncClient(base_url=om.url, headers=om.headers) as client:
            return await client.put("/api/v1/services/mlmodelServices", json=SERVICE)

    with mock_openmetadata("https://om.example.com:8443/") as om:
        assert om.url == "https://om.example.com:8443"
        assert asyncio.run(call(om)).status_code == 201


def test_other_urls_are_not_intercepted():
    with mock_openmetadata("http://om.mlmock.test"), pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:1/api/v1/mlmodels", timeout=5)  # a real (refused) connection
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:1/api/v1/mlmodels")


def test_a_prefix_is_matched_at_a_boundary_only():
    with mock_openmetadata("http://om.mlmock.test"), pytest.raises(requests.ConnectionError):
        requests.get("http://om.mlmock.test.example.invalid/api/v1/mlmodels", timeout=5)


def test_each_block_starts_empty_unless_asked():
    for _ in range(2):
        with mock_openmetadata() as om:
            services = requests.get(om.url + "/api/v1/services/mlmodelServices", headers=om.headers).json()
            assert services["paging"]["total"] == 0
            requests.put(om.url + "/api/v1/services/mlmodelServices", json=SERVICE, headers=om.headers)
    keeping = mock_openmetadata(fresh=False)
    for expected in (0, 1):
        with keeping as om:
            services = requests.get(om.url + "/api/v1/services/mlmodelServices", headers=om.headers).json()
            assert services["paging"]["total"] == expected
            requests.put(om.url + "/api/v1/services/mlmodelServices", json=SERVICE, headers=om.headers)


def test_after_the_block_nothing_is_intercepted():
    with mock_openmetadata("http://127.0.0.1:1"):
        pass
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:1/api/v1/mlmodels", timeout=5)


@mock_wml("https://cpd.mlmock.test")
def test_as_a_decorator():
    from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID

    test_as_a_decorator.space_id = DEFAULT_SPACE_ID
    token = requests.post("https://cpd.mlmock.test/icp4d-api/v1/authorize",
                          json={"username": "admin", "api_key": "k"}).json()["token"]
    models = requests.get("https://cpd.mlmock.test/ml/v4/models", headers={"Authorization": f"Bearer {token}"},
                          params={"version": "2024-05-01", "space_id": test_as_a_decorator.space_id})
    assert models.status_code == 200 and models.json()["resources"] == []


def test_as_a_decorator_of_a_coroutine():
    @mock_openmetadata()
    async def register():
        async with httpx.AsyncClient() as client:
            return await client.put("http://localhost:8585/api/v1/services/mlmodelServices", json=SERVICE,
                                    headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})

    assert asyncio.run(register()).status_code == 201


def test_the_fixtures(openmetadata_inprocess, wml_inprocess):
    assert requests.get(openmetadata_inprocess.url + "/api/v1/mlmodels",
                        headers=openmetadata_inprocess.headers).status_code == 200
    models = httpx.get(wml_inprocess.url + "/ml/v4/models", headers=wml_inprocess.headers,
                       params={"version": "2024-05-01", "space_id": wml_inprocess.space_id})
    assert models.status_code == 200 and models.json()["resources"] == []


def test_a_base_url_must_be_http():
    with pytest.raises(ValueError, match="http"):
        mock_openmetadata("localhost:8585")
