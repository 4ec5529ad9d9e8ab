"""mockserver/devtools/journal.py: the bounded request journal and the layer that fills it."""

from __future__ import annotations

import pytest
from devtools_support import ROOT, app, fresh_app, om, om_seed  # noqa: F401 (fixtures)

from mlmock.mockserver.core.errors import BadRequest
from mlmock.mockserver.devtools.journal import Exchange, Journal, body_view


def _entry(path="/x", method="GET", status=200, api="openmetadata"):
    return Exchange(method=method, path=path, status=status, api=api)


def test_every_request_and_response_is_recorded(app, om):
    app.control.seed(om_seed())
    r = om.post("/mlmodels?x=1", json={"name": "m", "service": "svc"}, headers={"X-Trace": "t1"})
    entry = app.control.journal_entries()[-1]
    assert (entry["method"], entry["path"], entry["query"], entry["status"]) == ("POST", "/api/v1/mlmodels", "x=1", 201)
    assert entry["params"] == {"x": ["1"]} and entry["api"] == "openmetadata"
    assert entry["request"]["body"] == {"name": "m", "service": "svc"}
    assert entry["request"]["headers"]["x-trace"] == "t1"
    assert entry["request"]["headers"]["authorization"] == "Bearer ***"
    assert entry["response"]["body"] == r.json() and entry["response"]["headers"]["content-type"] == "application/json"
    assert entry["time"].endswith("Z") and entry["duration_ms"] >= 0 and entry["fault"] is None


def test_seeding_and_the_control_plane_are_not_journaled(app, make_client):
    app.control.seed(om_seed("m"))
    make_client(app, base_url=ROOT).get("/_mlmock/api/state")
    assert app.control.journal_entries() == []


def test_filters_by_method_path_glob_status_class_api_and_since(app, om):
    om.get("/mlmodels")
    om.get("/mlmodels/nope")
    om.post("/mlmodels", json={"name": "m", "service": "nope"})
    entries = app.control.journal_entries
    assert [e["status"] for e in entries()] == [200, 404, 404]
    assert len(entries(method="post")) == 1
    assert len(entries(path="/api/v1/mlmodels/*")) == 1
    assert len(entries(status="4xx")) == 2 and len(entries(status=200)) == 1 and len(entries(status="404")) == 2
    assert entries(api="wml") == []
    first = entries()[0]["seq"]
    assert [e["seq"] for e in entries(since=first)] == [first + 1, first + 2]
    assert [e["seq"] for e in entries(limit=1)] == [first + 2] and entries(limit=0) == []


@pytest.mark.parametrize("bad", [{"status": "abc"}, {"status": "6xx"}, {"limit": -1}])
def test_bad_filters_are_400(bad):
    with pytest.raises(BadRequest):
        Journal().entries(**bad)


def test_the_ring_keeps_the_newest_entries_only():
    journal = Journal(size=3)
    for i in range(10):
        journal.record(_entry(path=f"/{i}"))
    assert [e["path"] for e in journal.entries()] == ["/7", "/8", "/9"]
    assert [e["seq"] for e in journal.entries()] == [8, 9, 10]
    journal.configure(size=2)
    assert [e["path"] for e in journal.entries()] == ["/8", "/9"]


def test_a_disabled_ring_keeps_nothing_but_still_feeds_subscribers():
    seen = []
    journal = Journal(size=0)
    journal.subscribers.append(seen.append)
    journal.record(_entry())
    assert journal.entries() == [] and len(journal) == 0 and len(seen) == 1


def test_entries_are_copies():
    journal = Journal()
    journal.record(_entry())
    journal.entries()[0]["path"] = "/changed"
    assert journal.entries()[0]["path"] == "/x"


def test_bodies_are_truncated_to_the_limit(app, om):
    app.journal.configure(body_limit=10)
    try:
        om.post("/mlmodels", json={"name": "a-rather-long-name", "service": "svc"})
        entry = app.control.journal_entries()[-1]
    finally:
        app.journal.configure(body_limit=16 * 1024)
    request = entry["request"]
    assert request["truncated"] and request["body"] == '{"name":"a' and request["size"] > 10
    assert entry["response"]["truncated"] and len(entry["response"]["body"]) == 10


@pytest.mark.parametrize(("data", "content_type", "expected"), [
    (b"", "", {"body": None}),
    (b'{"a": 1}', "application/json", {"body": {"a": 1}}),
    (b'{"a": 1}', "application/json-patch+json", {"body": {"a": 1}}),
    (b"not json", "application/json", {"body": "not json"}),
    (b"plain", "text/plain", {"body": "plain"}),
    (b"\xff\xfe", "application/octet-stream", {"body": "//4=", "encoding": "base64"}),
])
def test_bodies_are_kept_as_json_text_or_base64(data, content_type, expected):
    view = body_view(data, len(data), content_type)
    assert view == {"size": len(data), "truncated": False, **expected}


def test_configuration_is_checked():
    with pytest.raises(ValueError):
        Journal(size=-1)
    with pytest.raises(ValueError):
        Journal().configure(body_limit=-1)
