"""mockserver/devtools/faults.py: fault rules (parsing, matching, counting) and the layer applying them."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from devtools_support import ROOT, app, fresh_app, om, om_seed, q, root  # noqa: F401 (fixtures)

import mlmock.spec as specs
from mlmock.mockserver.core.errors import BadRequest
from mlmock.mockserver.devtools.faults import FaultLayer, Faults, parse_rule
from mlmock.mockserver.devtools.live import LiveServer
from mlmock.mockserver.http.routes import Routes

# ----------------------------------------------------------------------------- rules


@pytest.mark.parametrize("spec", [
    None, [], "x", {}, {"path": "/x"}, {"status": 200}, {"status": 600}, {"status": "503"}, {"status": True},
    {"status": 503, "method": "FETCH"}, {"status": 503, "method": 1}, {"status": 503, "path": ""},
    {"status": 503, "times": 0}, {"status": 503, "times": 1.5}, {"status": 503, "skip": -1},
    {"status": 503, "probability": 0}, {"status": 503, "probability": 1.5}, {"status": 503, "probability": "1"},
    {"delay_ms": -1}, {"delay_ms": [5, 1]}, {"delay_ms": [1, 2, 3]}, {"delay_ms": 10**9}, {"delay_ms": "10"},
    {"drop": "yes"}, {"drop": True, "status": 503}, {"status": 503, "headers": {"X": 1}},
    {"status": 503, "headers": {"X": "a\r\nb"}}, {"status": 503, "headers": ["X"]}, {"status": 503, "message": 5},
    {"status": 503, "color": "red"},
])
def test_a_malformed_rule_is_a_400(spec):
    with pytest.raises(BadRequest):
        parse_rule(spec, 1)


def test_a_rule_reads_its_defaults_and_describes_itself():
    rule = parse_rule({"status": 503}, 7)
    assert (rule.method, rule.path, rule.times, rule.skip, rule.probability) == ("*", "*", None, 0, 1.0)
    assert rule.describe() == "rule 7: status 503"
    delayed = parse_rule({"method": "get", "delay_ms": [10, 20], "times": 2}, 8)
    assert delayed.method == "GET" and delayed.delay_ms == (10.0, 20.0)
    assert delayed.to_json()["remaining"] == 2 and delayed.describe() == "rule 8: delay 10-20 ms"


def test_rules_match_a_method_and_a_path_glob():
    faults = Faults()
    faults.add({"method": "POST", "path": "/api/v1/mlmodels*", "status": 503})
    assert faults.pick("GET", "/api/v1/mlmodels") is None
    assert faults.pick("POST", "/api/v1/mlmodelServices") is None
    assert faults.pick("POST", "/api/v1/mlmodels/bulk").status == 503


def test_times_counts_firings_then_the_rule_is_gone():
    faults = Faults()
    faults.add({"path": "/x", "status": 500, "times": 2})
    assert [bool(faults.pick("GET", "/x")) for _ in range(3)] == [True, True, False]
    assert faults.rules() == []


def test_skip_lets_calls_through_first_a_503_on_the_third_call():
    faults = Faults()
    faults.add({"path": "/x", "status": 503, "skip": 2, "times": 1})
    assert [faults.pick("GET", "/x") is not None for _ in range(4)] == [False, False, True, False]


def test_probability_is_repeatable_with_a_seed():
    def run() -> list[bool]:
        faults = Faults(seed=42)
        faults.add({"path": "*", "status": 503, "probability": 0.5})
        return [faults.pick("GET", "/x") is not None for _ in range(40)]

    first = run()
    assert first == run()
    assert 5 < sum(first) < 35


def test_the_first_rule_that_fires_wins_and_others_keep_their_count():
    faults = Faults()
    first = faults.add({"path": "/x", "status": 500, "times": 1})
    second = faults.add({"path": "*", "status": 503})
    assert faults.pick("GET", "/x").id == first.id
    assert faults.pick("GET", "/x").id == second.id
    assert faults.remove(second.id) and not faults.remove(second.id)
    faults.add({"path": "*", "status": 503})
    faults.clear()
    assert faults.pick("GET", "/x") is None


# ----------------------------------------------------------------------------- the layer, in isolation


class Recorder:
    """An inner app that answers 200 and counts calls."""

    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _call(layer, method="GET", path="/api/v1/mlmodels", headers=(), body=b""):
    sent = []
    chunks = [{"type": "http.request", "body": body[:3], "more_body": True},
              {"type": "http.request", "body": body[3:], "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": b"",
             "headers": [(k.encode(), v.encode()) for k, v in headers]}
    asyncio.run(layer(scope, receive, send))
    return sent, chunks


def _layer(inner, faults, slept):
    async def sleep(seconds):
        slept.append(seconds)

    apis = {"openmetadata": specs.declaration("openmetadata"), "wml": specs.declaration("wml")}
    return FaultLayer(inner, faults=faults, routes=Routes(apis), sleep=sleep)


def test_a_delay_rule_sleeps_then_lets_the_request_through():
    inner, faults, slept = Recorder(), Faults(), []
    faults.add({"delay_ms": 250})
    sent, _ = _call(_layer(inner, faults, slept))
    assert slept == [0.25] and inner.calls == 1 and sent[0]["status"] == 200


def test_a_random_delay_stays_within_its_bounds():
    inner, faults, slept = Recorder(), Faults(seed=1), []
    faults.add({"delay_ms": [100, 200]})
    for _ in range(20):
        _call(_layer(inner, faults, slept))
    assert all(0.1 <= s <= 0.2 for s in slept) and len(set(slept)) > 1


def test_a_status_rule_drains_the_body_and_never_calls_the_app():
    inner, faults, slept = Recorder(), Faults(), []
    faults.add({"status": 429, "headers": {"Retry-After": "2"}})
    sent, left = _call(_layer(inner, faults, slept), "POST", body=b'{"name": "x"}')
    assert inner.calls == 0 and left == []
    assert sent[0]["status"] == 429 and (b"retry-after", b"2") in sent[0]["headers"]
    assert sent[1]["body"] == b'{"code": 429, "message": "429 injected by mlmock fault rule 1"}'


def test_a_drop_without_a_server_transport_surfaces_as_a_reset_connection():
    inner, faults, slept = Recorder(), Faults(), []
    faults.add({"drop": True})
    with pytest.raises(ConnectionResetError):
        _call(_layer(inner, faults, slept))
    assert inner.calls == 0


# ----------------------------------------------------------------------------- through the app


def test_a_rule_answers_in_the_openmetadata_envelope_and_changes_nothing(app, om):
    app.control.seed(om_seed())
    app.control.fail_next("POST", "/api/v1/mlmodels", 503)
    r = om.post("/mlmodels", json={"name": "m", "service": "svc"})
    assert r.status_code == 503 and r.json() == {"code": 503, "message": "503 injected by mlmock fault rule 1"}
    assert om.get("/mlmodels").json()["paging"]["total"] == 0
    assert om.post("/mlmodels", json={"name": "m", "service": "svc"}).status_code == 201  # times=1 spent
    faulted = app.control.journal_entries(method="POST", status=503)
    assert faulted[0]["request"]["body"] == {"name": "m", "service": "svc"}
    assert faulted[0]["fault"] == "rule 1: status 503"


def test_a_rule_answers_in_the_wml_envelope(app, root):
    app.control.add_fault({"method": "GET", "path": "/ml/v4/*", "status": 500, "message": "try again"})
    r = root.get("/ml/v4/models", params=q(), headers={"X-Global-Transaction-Id": "abc"})
    assert r.status_code == 500
    assert r.json()["errors"][0] == {"code": "internal_error", "message": "try again",
                                     "more_info": "https://cloud.ibm.com/apidocs/machine-learning"}
    assert r.json()["trace"] == "abc"
    app.control.clear_faults()
    assert root.get("/ml/v4/models", params=q()).status_code == 200


def test_rules_never_touch_the_control_plane(app, root):
    app.control.add_fault({"path": "*", "status": 503})
    assert root.get("/_mlmock/api/faults").status_code == 200
    assert root.get("/ml/v4/models", params=q()).status_code == 503


def test_a_dropped_connection_over_a_socket_gets_no_response_and_the_server_goes_on(caplog):
    app = fresh_app()
    uvicorn_log = logging.getLogger("uvicorn")  # does not propagate to the root logger caplog watches
    with LiveServer(app) as server, httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {app.token}"},
                                                   timeout=10) as client:
        uvicorn_log.addHandler(caplog.handler)
        try:
            app.control.add_fault({"method": "GET", "path": "/api/v1/mlmodels", "drop": True, "times": 1})
            with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
                client.get("/api/v1/mlmodels")
            assert client.get("/api/v1/mlmodels").status_code == 200
        finally:
            uvicorn_log.removeHandler(caplog.handler)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [], "no server error"
    assert app.control.journal_entries(path="/api/v1/mlmodels")[0]["dropped"] is True
