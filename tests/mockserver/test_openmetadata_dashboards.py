"""Dashboards and dashboard services (spec/README.md reading 44), over HTTP, in process.

Declared in spec/openmetadata.yaml only: these tests show the generic OpenMetadata actions serve a
new kind as the real server does (paths, 409 on a taken name, FQN, versions, cursors, soft delete),
and that an ML model's `dashboard` now names a stored one.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def envelope(r, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == status and isinstance(body["message"], str)
    return body["message"]


def dashboard_service(om, name: str = "superset") -> dict:
    r = om.post("/services/dashboardServices", json={
        "name": name, "serviceType": "Superset",
        "connection": {"config": {"type": "Superset", "hostPort": "http://superset:8088"}}})
    assert r.status_code == 201, r.text
    return r.json()


def dashboard(om, name: str = "churn", svc: str = "superset", **extra) -> dict:
    r = om.post("/dashboards", json={"name": name, "service": svc, **extra})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def dsvc(om) -> dict:
    return dashboard_service(om)


def test_a_dashboard_service_is_created_found_and_listed(om):
    created = dashboard_service(om)
    uuid.UUID(created["id"])
    assert created["fullyQualifiedName"] == "superset" and created["version"] == 0.1
    assert created["connection"]["config"]["hostPort"] == "http://superset:8088"  # kept as given
    assert created["href"].endswith(f"/api/v1/services/dashboardServices/{created['id']}")
    assert om.get(f"/services/dashboardServices/{created['id']}").json()["name"] == "superset"
    assert om.get("/services/dashboardServices/name/superset").json()["id"] == created["id"]
    listed = om.get("/services/dashboardServices").json()
    assert [s["name"] for s in listed["data"]] == ["superset"] and listed["paging"]["total"] == 1
    message = envelope(om.post("/services/dashboardServices", json={"name": "superset", "serviceType": "Looker"}), 409)
    assert message == "Entity already exists"
    envelope(om.post("/services/dashboardServices", json={"name": "x", "serviceType": "Mlflow"}), 400)
    envelope(om.get(f"/services/dashboardServices/{UNKNOWN_ID}"), 404)
    r = om.put("/services/dashboardServices", json={"name": "superset", "serviceType": "Superset",
                                                     "description": "BI"})
    assert r.status_code == 200 and r.json()["version"] == 0.2 and r.json()["id"] == created["id"]


def test_a_dashboard_gets_its_fqn_and_service_reference(om, dsvc):
    created = dashboard(om, "churn.v1", dashboardType="Report", sourceUrl="http://superset:8088/d/1")
    assert created["fullyQualifiedName"] == 'superset."churn.v1"'
    assert created["service"] == {"id": dsvc["id"], "type": "dashboardService", "name": "superset",
                                  "fullyQualifiedName": "superset", "deleted": False}
    assert created["serviceType"] == "Superset" and created["dashboardType"] == "Report"
    assert om.get(f"/dashboards/name/{quote(created['fullyQualifiedName'], safe='')}").json()["id"] == created["id"]
    assert om.get(f"/dashboards/{created['id']}").json()["name"] == "churn.v1"
    assert dashboard(om, "plain")["dashboardType"] == "Dashboard"  # the schema default


def test_a_dashboard_name_is_unique_within_its_service_only(om, dsvc):
    dashboard(om)
    assert envelope(om.post("/dashboards", json={"name": "churn", "service": "superset"}), 409) == \
        "Entity already exists"
    dashboard_service(om, "looker")
    assert dashboard(om, svc="looker")["fullyQualifiedName"] == "looker.churn"
    r = om.put("/dashboards", json={"name": "churn", "service": "superset", "description": "d"})
    assert r.status_code == 200 and r.json()["version"] == 0.2


def test_unknown_services_charts_and_data_models_are_404(om, dsvc):
    assert envelope(om.post("/dashboards", json={"name": "d", "service": "nope"}), 404) == \
        "dashboardService instance for nope not found"
    assert envelope(om.post("/dashboards", json={"name": "d", "service": "superset",
                                                 "charts": ["superset.c1"]}), 404) == \
        "chart instance for superset.c1 not found"
    envelope(om.post("/dashboards", json={"name": "d", "service": "superset", "dataModels": ["superset.m"]}), 404)
    assert om.get("/dashboards", params={"include": "all"}).json()["paging"]["total"] == 0


def test_a_dashboard_is_patched_versioned_deleted_and_restored(om, dsvc):
    created = dashboard(om)
    id_ = created["id"]
    r = om.patch(f"/dashboards/{id_}", json=[{"op": "add", "path": "/description", "value": "Churn KPIs"},
                                             {"op": "replace", "path": "/name", "value": "renamed"}])
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "Churn KPIs" and r.json()["name"] == "churn"  # name is immutable
    assert r.json()["version"] == 0.2
    history = om.get(f"/dashboards/{id_}/versions").json()
    assert history["entityType"] == "dashboard"
    assert [json.loads(v)["version"] for v in history["versions"]] == [0.2, 0.1]
    assert "description" not in om.get(f"/dashboards/{id_}/versions/0.1").json()
    r = om.delete(f"/dashboards/{id_}")
    assert r.status_code == 200 and r.json()["deleted"] is True
    envelope(om.get(f"/dashboards/{id_}"), 404)
    assert om.get(f"/dashboards/{id_}", params={"include": "deleted"}).json()["deleted"] is True
    r = om.put("/dashboards/restore", json={"id": id_})
    assert r.status_code == 200 and r.json()["deleted"] is False
    om.delete(f"/dashboards/{id_}", params={"hardDelete": "true"})
    envelope(om.get(f"/dashboards/{id_}", params={"include": "all"}), 404)


def test_dashboards_page_with_cursors_and_filter_by_service(om, dsvc):
    dashboard_service(om, "looker")
    for name in ("a", "b", "c"):
        dashboard(om, name)
    dashboard(om, "z", svc="looker")
    first = om.get("/dashboards", params={"limit": 2}).json()
    assert [d["name"] for d in first["data"]] == ["a", "b"] and first["paging"]["total"] == 4
    second = om.get("/dashboards", params={"limit": 2, "after": first["paging"]["after"]}).json()
    assert [d["name"] for d in second["data"]] == ["c", "z"] and not second["paging"].get("after")
    back = om.get("/dashboards", params={"limit": 2, "before": second["paging"]["before"]}).json()
    assert [d["name"] for d in back["data"]] == ["a", "b"]
    only = om.get("/dashboards", params={"service": "looker"}).json()
    assert [d["name"] for d in only["data"]] == ["z"] and only["paging"]["total"] == 1


def test_a_service_holding_dashboards_is_deleted_only_recursively(om, dsvc):
    held = dashboard(om)
    envelope(om.delete(f"/services/dashboardServices/{dsvc['id']}"), 400)
    assert om.get(f"/dashboards/{held['id']}").status_code == 200
    r = om.delete(f"/services/dashboardServices/{dsvc['id']}", params={"recursive": "true", "hardDelete": "true"})
    assert r.status_code == 200, r.text
    envelope(om.get(f"/dashboards/{held['id']}", params={"include": "all"}), 404)


def test_an_ml_model_names_a_stored_dashboard(om, dsvc):
    om.put("/services/mlmodelServices", json={"name": "svc", "serviceType": "Sklearn", "connection": {"config": {}}})
    envelope(om.post("/mlmodels", json={"name": "m", "service": "svc", "dashboard": "superset.nope"}), 404)
    board = dashboard(om)
    r = om.post("/mlmodels", json={"name": "m", "service": "svc", "dashboard": "superset.churn"})
    assert r.status_code == 201, r.text
    assert r.json()["dashboard"]["id"] == board["id"] and r.json()["dashboard"]["type"] == "dashboard"
    read = om.get(f"/mlmodels/{r.json()['id']}", params={"fields": "dashboard"}).json()
    assert read["dashboard"]["fullyQualifiedName"] == "superset.churn"
    om.delete(f"/dashboards/{board['id']}")
    envelope(om.put("/mlmodels", json={"name": "n", "service": "svc", "dashboard": "superset.churn"}), 404)
