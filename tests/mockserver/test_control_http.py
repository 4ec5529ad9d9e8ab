"""mockserver/devtools/control_http.py: the control plane over HTTP and the dashboard's files."""

from __future__ import annotations

import json

import pytest
import yaml
from devtools_support import ROOT, S, app, fresh_app, om_seed, q, wml_seed  # noqa: F401 (fixtures)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmock.mockserver.devtools.control_http import ROUTES


@pytest.fixture
def http(app, make_client):
    """A client of the whole app at its root; the control plane needs no token."""
    return make_client(app, base_url=ROOT)


@pytest.fixture
def authed(app, make_client):
    return make_client(app, token=app.token, base_url=ROOT)


def error_of(r, status: int) -> str:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["status"] == status and error["code"] and error["message"]
    return error["message"]


def test_the_index_lists_the_apis_their_ui_and_every_endpoint(http):
    body = http.get("/_mlmock/api").json()
    apis = {a["name"]: a for a in body["apis"]}
    assert apis["openmetadata"]["swagger_ui"] == "/api/v1/ui/" and apis["wml"]["swagger_ui"] == "/ui/"
    assert apis["openmetadata"]["reset_selectors"] == ["service"]
    assert "POST /_mlmock/api/resources/{api}/{kind}/{id}/state" in body["endpoints"]
    assert len(body["endpoints"]) == len(ROUTES)


@pytest.mark.parametrize(("path", "media"), [
    ("/api/v1/ui/", "text/html"), ("/ui/", "text/html"), ("/api/v1/openapi.json", "application/json"),
    ("/openapi.json", "application/json"), ("/_mlmock/api/specs/openmetadata", "application/yaml"),
])
def test_swagger_ui_and_the_specs_are_served(http, path, media):
    r = http.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    if path.startswith("/_mlmock/api/specs"):
        assert yaml.safe_load(r.text)["x-mlmock-api"]["name"] == "openmetadata"


def test_seed_reset_and_state_over_http(http, authed):
    r = http.post("/_mlmock/api/seed", content=yaml.safe_dump(om_seed("m"), sort_keys=False),
                  headers={"Content-Type": "application/yaml"})
    assert r.status_code == 201 and r.json()["count"] == 2
    state = http.get("/_mlmock/api/state").json()
    assert {"api": "openmetadata", "kind": "mlmodel", "scope": "", "count": 1} in state["resources"]
    r = http.post("/_mlmock/api/seed?reset=true", json=om_seed("n"))
    assert r.status_code == 201
    assert [m["name"] for m in authed.get("/api/v1/mlmodels").json()["data"]] == ["n"]
    assert http.post("/_mlmock/api/reset", json={"api": "openmetadata", "service": "svc"}).json()["removed"] == 1
    assert http.post("/_mlmock/api/reset").json() == {"reset": "everything"}


def test_forget_over_http_and_its_older_spellings(http, authed):
    http.post("/_mlmock/api/seed", json=om_seed("m"))
    assert http.post("/_mlmock/api/seed?forget=true", json=om_seed("n")).status_code == 201
    assert [m["name"] for m in authed.get("/api/v1/mlmodels").json()["data"]] == ["n"]
    assert http.post("/_mlmock/api/forget", json={"api": "openmetadata", "service": "svc"}).json() == {
        "forgot": "openmetadata", "service": "svc", "removed": 1}
    assert http.post("/_mlmock/api/forget").json() == {"forgot": "everything"}
    assert http.get("/_mlmock/api/journal").json()["entries"] != []  # forget keeps the journal
    error_of(http.post("/_mlmock/api/forget", json={"api": 5}), 400)


def test_a_refused_seed_returns_the_apis_answer(http):
    r = http.post("/_mlmock/api/seed", json={"openmetadata": {"mlmodel": [{"name": "m", "service": "ghost"}]}})
    message = error_of(r, 400)
    assert "answered 404" in message and r.json()["error"]["answer"]["body"]["code"] == 404


def test_snapshot_round_trip_over_http(http, authed):
    http.post("/_mlmock/api/seed", json=om_seed("m"))
    snapshot = http.get("/_mlmock/api/snapshot").json()
    http.post("/_mlmock/api/reset")
    assert http.put("/_mlmock/api/snapshot", json=snapshot).json()["restored"] == len(snapshot["resources"])
    assert authed.get("/api/v1/mlmodels").json()["paging"]["total"] == 1


def test_lifecycle_endpoints_drive_a_deployment(app, http, authed):
    assert http.put("/_mlmock/api/lifecycles", json={"progression": "manual", "api": "wml",
                                                     "kind": "deployment"}).status_code == 200
    deployment = http.post("/_mlmock/api/seed", json=wml_seed()).json()["created"]["wml"]["deployment"][0]["id"]
    base = f"/_mlmock/api/resources/wml/deployment/{deployment}"
    assert http.post(f"{base}/step").json()["entity"]["status"]["state"] == "ready"
    r = http.post(f"{base}/state", json={"state": "failed", "message": "quota exceeded"})
    assert r.status_code == 200
    status = authed.get(f"/ml/v4/deployments/{deployment}", params=q()).json()["entity"]["status"]
    assert status["state"] == "failed" and status["failure"]["errors"][0]["message"] == "quota exceeded"
    assert http.get(base).json()["metadata"]["id"] == deployment
    listed = http.get("/_mlmock/api/resources/wml/deployment", params={"scope": f"space:{S}"}).json()
    assert listed["items"][0]["state"] == "failed"
    assert http.get("/_mlmock/api/lifecycles").json()["policies"]["wml.deployment"] == "manual"


def test_clock_journal_and_fault_endpoints(http, authed):
    assert http.post("/_mlmock/api/clock", json={"advance_ms": 1000}).json()["now_ms"] == \
        http.get("/_mlmock/api/clock").json()["now_ms"]
    rule = http.post("/_mlmock/api/faults", json={"path": "/api/v1/*", "status": 503, "times": 1})
    assert rule.status_code == 201
    assert authed.get("/api/v1/mlmodels").status_code == 503
    entries = http.get("/_mlmock/api/journal", params={"status": "5xx"}).json()["entries"]
    assert [e["fault"] for e in entries] == [f"rule {rule.json()['id']}: status 503"]
    second = http.post("/_mlmock/api/faults", json={"status": 500}).json()["id"]
    assert [r["id"] for r in http.get("/_mlmock/api/faults").json()["rules"]] == [second]
    assert http.delete(f"/_mlmock/api/faults/{second}").status_code == 204
    error_of(http.delete(f"/_mlmock/api/faults/{second}"), 404)
    http.post("/_mlmock/api/faults", json={"status": 500})
    assert http.delete("/_mlmock/api/faults").status_code == 204
    assert http.delete("/_mlmock/api/journal").status_code == 204
    assert http.get("/_mlmock/api/journal").json() == {"entries": [], "size": 1000}


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("GET", "/_mlmock/api/nothing", None, 404),
    ("PUT", "/_mlmock/api/journal", None, 405),
    ("POST", "/_mlmock/api/faults", b"{not json", 400),
    ("POST", "/_mlmock/api/faults", b"[1]", 400),
    ("POST", "/_mlmock/api/faults", b"", 400),
    ("POST", "/_mlmock/api/faults", b'{"status": NaN}', 400),
    ("POST", "/_mlmock/api/faults", b'{"status": 503, "x": 1}', 400),
    ("POST", "/_mlmock/api/clock", b'{"advance_ms": 1, "x": 2}', 400),
    ("POST", "/_mlmock/api/clock", b"{}", 400),
    ("PUT", "/_mlmock/api/lifecycles", b'{"progression": "manual", "api": 5}', 400),
    ("PUT", "/_mlmock/api/lifecycles", b'{"progression": "manual", "speed": 5}', 400),
    ("POST", "/_mlmock/api/reset", b'{"api": 5}', 400),
    ("POST", "/_mlmock/api/reset", b'{"api": "wml", "space_id": []}', 400),
    ("POST", "/_mlmock/api/seed", b"\x80abc", 400),
    ("POST", "/_mlmock/api/seed?reset=maybe", b"{}", 400),
    ("PUT", "/_mlmock/api/snapshot", b'{"format": "x"}', 400),
    ("GET", "/_mlmock/api/journal?limit=abc", None, 400),
    ("GET", "/_mlmock/api/journal?status=teapot", None, 400),
    ("GET", "/_mlmock/api/resources/wml/deployment?limit=99999", None, 400),
    ("GET", "/_mlmock/api/resources/nope/deployment", None, 404),
    ("POST", "/_mlmock/api/resources/wml/deployment/x/state", b'{"state": "failed", "why": 1}', 400),
    ("POST", "/_mlmock/api/resources/wml/deployment/x/step", None, 404),
    ("GET", "/_mlmock/api/specs/nope", None, 404),
    ("DELETE", "/_mlmock/api/faults/99999", None, 404),
])
def test_bad_control_input_is_a_clear_4xx(http, method, path, body, status):
    error_of(http.request(method, path, content=body), status)


def test_a_body_over_the_limit_is_413(app, http):
    plane = app.asgi
    saved, plane.max_body = plane.max_body, 100
    try:
        error_of(http.post("/_mlmock/api/seed", content=b"x" * 101), 413)
    finally:
        plane.max_body = saved


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)
_fields = st.dictionaries(st.sampled_from(["api", "kind", "state", "message", "progression", "advance_ms", "status",
                                           "method", "path", "delay_ms", "times", "skip", "probability", "drop",
                                           "headers", "space_id", "service", "format", "version", "resources",
                                           "openmetadata", "wml"]), _json, max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), body=st.one_of(_fields, _json),
       segment=st.sampled_from(["wml", "openmetadata", "deployment", "mlmodel", "x", "1", "%2F"]))
def test_no_control_input_yields_a_5xx(http, route, body, segment):
    method, pattern, _ = route
    path = "/_mlmock/api" + pattern.replace("/?", "")
    for group in ("(?P<api>[^/]+)", "(?P<kind>[^/]+)", "(?P<id>[^/]+)", r"(?P<rule>\d{1,9})"):
        path = path.replace(group, "1" if "rule" in group else segment)
    r = http.request(method, path, content=json.dumps(body).encode())
    assert r.status_code < 500, (method, path, body, r.text)
    if r.status_code >= 400:
        error_of(r, r.status_code)


# ----------------------------------------------------------------------------- dashboard files


def test_the_dashboard_and_its_files_are_served(http):
    assert http.get("/_mlmock", follow_redirects=False).headers["location"] == "/_mlmock/"
    page = http.get("/_mlmock/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "static/dashboard.js" in page.text
    assert http.get("/_mlmock/static/dashboard.js").headers["content-type"].startswith("text/javascript")
    assert http.get("/_mlmock/static/dashboard.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("path", ["/_mlmock/static/../control.py", "/_mlmock/static/nope.js", "/_mlmock/other",
                                  "/_mlmock/static/.hidden", "/_mlmock/static/a/b.js"])
def test_nothing_else_is_served_from_the_dashboard(http, path):
    assert http.get(path).status_code == 404


def test_the_dashboard_is_read_only(http):
    error_of(http.post("/_mlmock/"), 405)
