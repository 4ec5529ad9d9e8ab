"""The fixtures' control-plane methods (mlmock/pytest_plugin.py), end to end over real sockets."""

from __future__ import annotations

import ssl

import httpx
import pytest

SW = {"name": "runtime-24.1-py3.11"}
V = "2024-05-13"


@pytest.fixture
def om(openmetadata_mock) -> httpx.Client:
    with httpx.Client(base_url=openmetadata_mock.url + "/api/v1", headers=openmetadata_mock.headers,
                      timeout=10) as client:
        yield client


@pytest.fixture
def wml(wml_mock) -> httpx.Client:
    verify = ssl.create_default_context(cafile=wml_mock.ca_file)
    with httpx.Client(base_url=wml_mock.url, headers=wml_mock.headers, verify=verify, timeout=10) as client:
        yield client


def _seed_wml(wml_mock) -> str:
    report = wml_mock.seed({"wml": {
        "model": [{"name": "churn", "type": "scikit-learn_1.3", "software_spec": SW, "space_id": wml_mock.space_id}],
        "deployment": [{"name": "online", "online": {}, "asset": {"id": "${model:churn}"},
                        "space_id": wml_mock.space_id}]}})
    return report["created"]["wml"]["deployment"][0]["id"]


def test_seed_then_assert_what_the_client_sent(openmetadata_mock, om):
    created = openmetadata_mock.seed({"openmetadata": {"mlmodelService": [{"name": "svc", "serviceType": "Mlflow"}]}})
    assert created["count"] == 1 and openmetadata_mock.journal() == []
    om.post("/mlmodels", json={"name": "churn", "service": "svc"}, headers={"X-Client": "mine"})
    sent = openmetadata_mock.journal(method="POST", path="/api/v1/mlmodels")
    assert len(sent) == 1
    assert sent[0]["request"]["body"] == {"name": "churn", "service": "svc"}
    assert sent[0]["request"]["headers"]["x-client"] == "mine" and sent[0]["status"] == 201
    openmetadata_mock.clear_journal()
    assert openmetadata_mock.journal() == []


def test_fail_next_gives_a_503_on_the_third_call_then_normal_service(openmetadata_mock, om):
    openmetadata_mock.fail_next("GET", "/api/v1/mlmodels", 503, skip=2, headers={"Retry-After": "1"})
    statuses = [om.get("/mlmodels").status_code for _ in range(4)]
    assert statuses == [200, 200, 503, 200]
    assert openmetadata_mock.journal(status=503)[0]["response"]["headers"]["retry-after"] == "1"
    assert openmetadata_mock.faults() == []


def test_a_slow_page_and_a_dropped_connection(openmetadata_mock, om):
    openmetadata_mock.add_fault(method="GET", path="/api/v1/mlmodels", delay_ms=5, times=1)
    assert om.get("/mlmodels").status_code == 200
    assert openmetadata_mock.journal()[-1]["delay_ms"] == 5
    openmetadata_mock.add_fault(method="GET", path="/api/v1/mlmodels", drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        om.get("/mlmodels")
    assert om.get("/mlmodels").status_code == 200


def test_snapshot_and_restore(openmetadata_mock, om):
    openmetadata_mock.seed({"openmetadata": {"mlmodelService": [{"name": "svc", "serviceType": "Mlflow"}]}})
    snapshot = openmetadata_mock.snapshot()
    om.put("/services/mlmodelServices", json={"name": "later", "serviceType": "Mlflow"})
    openmetadata_mock.restore(snapshot)
    assert [s["name"] for s in om.get("/services/mlmodelServices").json()["data"]] == ["svc"]


def test_a_deployment_that_fails(wml_mock, wml):
    wml_mock.set_progression("manual", "wml", "deployment")
    deployment = _seed_wml(wml_mock)
    params = {"version": V, "space_id": wml_mock.space_id}
    assert wml.get(f"/ml/v4/deployments/{deployment}", params=params).json()["entity"]["status"]["state"] \
        == "initializing"
    wml_mock.force_state("wml", "deployment", deployment, "failed", "no GPU left")
    status = wml.get(f"/ml/v4/deployments/{deployment}", params=params).json()["entity"]["status"]
    assert status["state"] == "failed" and status["failure"]["errors"][0]["message"] == "no GPU left"


def test_a_space_reset_and_the_clock(wml_mock, wml):
    _seed_wml(wml_mock)
    before = wml_mock.advance_clock(0)
    assert wml_mock.advance_clock(1000) == before + 1000
    wml_mock.reset("wml", space_id=wml_mock.space_id)
    models = wml.get("/ml/v4/models", params={"version": V, "space_id": wml_mock.space_id}).json()["resources"]
    assert models == []


# Whichever runs second passes only if the fixture reset what the first one changed.
@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_starts_from_a_clean_control_plane(openmetadata_mock, om, run):
    assert openmetadata_mock.journal() == [] and openmetadata_mock.faults() == []
    assert openmetadata_mock.control.lifecycles()["policies"] == {"default": "time:1"}
    openmetadata_mock.fail_next("GET", "/api/v1/system/version", 500, times=5)
    openmetadata_mock.set_progression("manual")
    openmetadata_mock.advance_clock(60_000)
    assert om.get("/system/version").status_code == 500
