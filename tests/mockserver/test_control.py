"""mockserver/devtools/control.py: the control plane's Python API (what the fixtures and HTTP call)."""

from __future__ import annotations

import pytest
from devtools_support import ROOT, S2, START_MS, S, app, fresh_app, om, om_seed, q, root, wml_seed  # noqa: F401 (fixtures)

from mlmock.mockserver.core.errors import BadRequest, NotFound

RESULTS = {"type": "container", "location": {"path": "results"}}


@pytest.fixture
def control(app):
    return app.control


def _deployment(control, progression: str | None = None) -> str:
    if progression:
        control.set_progression(progression, "wml", "deployment")
    return control.seed(wml_seed())["created"]["wml"]["deployment"][0]["id"]


def _state(root, deployment: str) -> dict:
    return root.get(f"/ml/v4/deployments/{deployment}", params=q()).json()["entity"]["status"]


# ----------------------------------------------------------------------------- reset


def test_a_full_reset_restores_everything(control, om):
    control.seed(om_seed("m"))
    om.get("/mlmodels")
    control.fail_next("GET", "*")
    control.set_progression("manual")
    control.advance_clock(5000)
    assert control.reset() == {"reset": "everything"}
    assert om.get("/mlmodels").json()["paging"]["total"] == 0
    assert control.journal_entries(path="/api/v1/mlmodels")[:-1] == []  # only the call just made
    assert control.fault_rules() == [] and control.lifecycles()["policies"] == {"default": "time:1"}
    assert control.clock() == {"now_ms": START_MS}
    assert any(row["kind"] == "space" for row in control.summary())  # catalogues come back


def test_an_api_reset_keeps_the_other_api(control, om, root):
    control.seed({**om_seed("m"), **wml_seed(deployment=False)})
    control.reset("openmetadata")
    assert om.get("/mlmodels").json()["paging"]["total"] == 0
    assert len(root.get("/ml/v4/models", params=q()).json()["resources"]) == 1


def test_a_space_reset_keeps_other_spaces(control, root):
    control.seed({"wml": {"model": wml_seed(S)["wml"]["model"] + wml_seed(S2)["wml"]["model"]}})
    assert control.reset("wml", space_id=S) == {"reset": "wml", "space_id": S, "removed": 1}
    assert root.get("/ml/v4/models", params=q(S)).json()["resources"] == []
    assert len(root.get("/ml/v4/models", params=q(S2)).json()["resources"]) == 1


def test_a_service_reset_forgets_its_models_only(control, om):
    control.seed(om_seed("a", "b"))
    control.seed(om_seed("c", service="other"))
    assert control.reset("openmetadata", service="svc")["removed"] == 2
    assert [m["name"] for m in om.get("/mlmodels").json()["data"]] == ["c"]
    assert om.get("/services/mlmodelServices").json()["paging"]["total"] == 2


def test_the_partitions_a_reset_may_name_come_from_the_spec(control):
    assert control.selectors(control.api("openmetadata")) == ["service"]
    assert control.selectors(control.api("wml")) == ["project_id", "space_id"]


@pytest.mark.parametrize(("args", "kwargs", "error"), [
    ((), {"space_id": S}, BadRequest), (("nope",), {}, NotFound), (("wml",), {"team": "x"}, BadRequest),
    (("wml",), {"space_id": S, "project_id": S}, BadRequest), (("wml",), {"space_id": ""}, BadRequest),
    (("openmetadata",), {"space_id": S}, BadRequest), (("wml",), {"space_id": 5}, BadRequest),
])
def test_bad_resets_are_refused(control, args, kwargs, error):
    with pytest.raises(error):
        control.reset(*args, **kwargs)
    with pytest.raises(error):
        control.forget(*args, **kwargs)


def test_forget_removes_resources_and_keeps_the_rest(control, om):
    control.seed(om_seed("m"))
    control.fail_next("GET", "/nowhere")
    control.advance_clock(5000)
    om.get("/mlmodels")
    assert control.forget() == {"forgot": "everything"}
    assert om.get("/mlmodels").json()["paging"]["total"] == 0
    assert control.journal_entries(path="/api/v1/mlmodels") != []
    assert len(control.fault_rules()) == 1 and control.clock() == {"now_ms": START_MS + 5000}
    assert any(row["kind"] == "space" for row in control.summary())  # catalogues come back


def test_reset_with_an_api_is_the_older_spelling_of_forget(control, root):
    control.seed({"wml": {"model": wml_seed(S)["wml"]["model"] + wml_seed(S2)["wml"]["model"]}})
    assert control.forget("wml", space_id=S) == {"forgot": "wml", "space_id": S, "removed": 1}
    assert control.reset("wml", space_id=S2) == {"reset": "wml", "space_id": S2, "removed": 1}
    assert control.forget("wml") == {"forgot": "wml"}


def test_the_apps_reset_is_the_full_reset_and_forget_keeps_the_journal(app, om):
    om.get("/mlmodels")
    app.forget("openmetadata")
    assert app.control.journal_entries(path="/api/v1/mlmodels") != []
    app.control.fail_next("GET", "/nowhere")
    app.reset()
    assert app.control.journal_entries() == [] and app.control.fault_rules() == []


# ----------------------------------------------------------------------------- clock


def test_the_clock_advances_and_timestamps_follow(control, om):
    control.seed(om_seed())
    assert control.advance_clock(60_000) == {"now_ms": START_MS + 60_000}
    r = om.put("/services/mlmodelServices", json={"name": "svc", "serviceType": "Mlflow", "description": "x"})
    assert r.json()["updatedAt"] == START_MS + 60_000


@pytest.mark.parametrize("bad", [-1, "10", None, True, 10**15])
def test_bad_clock_moves_are_400(control, bad):
    with pytest.raises(BadRequest):
        control.advance_clock(bad)


# ----------------------------------------------------------------------------- lifecycles


def test_progressions_are_set_for_all_one_api_or_one_kind(control):
    control.set_progression("manual")
    assert control.lifecycles()["policies"] == {"default": "manual"}
    control.set_progression("reads:3", "wml", "training")
    control.set_progression("immediate", "wml")
    policies = control.lifecycles()["policies"]
    assert policies["wml.training"] == "immediate" and policies["wml.deployment"] == "immediate"
    kinds = {k["kind"]: k for k in control.lifecycles()["kinds"]}
    assert kinds["deployment"]["states"] == ["initializing", "updating", "ready", "failed"]


@pytest.mark.parametrize(("args", "error"), [
    (("soon",), BadRequest), ((3,), BadRequest), (("reads:0",), BadRequest),
    (("manual", None, "deployment"), BadRequest), (("manual", "wml", "nope"), NotFound),
    (("manual", "openmetadata", "mlmodel"), BadRequest), (("manual", "openmetadata"), BadRequest),
    (("manual", "nope"), NotFound),
])
def test_bad_progressions_are_refused(control, args, error):
    with pytest.raises(error):
        control.set_progression(*args)


def test_immediate_manual_and_reads_pace_a_deployment(control, root):
    ready = _deployment(control, "immediate")
    assert _state(root, ready)["state"] == "ready"
    control.reset()
    held = _deployment(control, "manual")
    assert [_state(root, held)["state"] for _ in range(3)] == ["initializing"] * 3
    control.reset()
    slow = _deployment(control, "reads:2")
    assert [_state(root, slow)["state"] for _ in range(2)] == ["initializing", "ready"]


def test_time_progression_follows_the_controllable_clock(control, root):
    deployment = _deployment(control, "time:30")
    assert _state(root, deployment)["state"] == "initializing"
    control.advance_clock(30_000)
    assert _state(root, deployment)["state"] == "ready"


def test_a_forced_failure_carries_the_documented_failure_details(control, root):
    deployment = _deployment(control, "manual")
    forced = control.force_state("wml", "deployment", deployment, "failed", "out of memory")
    assert forced["entity"]["status"]["state"] == "failed"
    status = _state(root, deployment)
    assert status["state"] == "failed"
    assert status["failure"]["errors"][0]["message"] == "out of memory"


def test_a_training_can_be_canceled_and_a_step_walks_the_happy_path(control, root):
    control.set_progression("manual", "wml")
    r = root.post("/ml/v4/trainings", params={"version": q()["version"]},
                  json={"results_reference": RESULTS, "space_id": S})
    training = r.json()["metadata"]["id"]
    assert control.step("wml", "training", training)["entity"]["status"]["state"] == "pending"
    control.force_state("wml", "training", training, "canceled")
    assert root.get(f"/ml/v4/trainings/{training}", params=q()).json()["entity"]["status"]["state"] == "canceled"
    with pytest.raises(BadRequest, match="rests in state 'canceled'"):
        control.step("wml", "training", training)


@pytest.mark.parametrize(("args", "error"), [
    (("wml", "deployment", "nope", "failed"), NotFound),
    (("wml", "deployment", "{id}", "exploded"), BadRequest),
    (("wml", "deployment", "{id}", ""), BadRequest),
    (("wml", "deployment", "{id}", "failed", 5), BadRequest),
    (("wml", "model_definition", "{id}", "failed"), BadRequest),
    (("openmetadata", "mlmodel", "{id}", "failed"), BadRequest),
    (("wml", "ghost", "{id}", "failed"), NotFound),
])
def test_bad_forced_states_are_refused(control, args, error):
    deployment = _deployment(control, "manual")
    args = tuple(a.format(id=deployment) if isinstance(a, str) else a for a in args)
    with pytest.raises(error):
        control.force_state(*args)


# ----------------------------------------------------------------------------- resources, journal, faults


def test_resources_are_listed_by_kind_with_their_state_and_paged(control):
    control.set_progression("manual")
    control.seed(om_seed("a", "b", "c"))
    deployment = _deployment(control)
    page = control.resources("openmetadata", "mlmodel", limit=2)
    assert [i["name"] for i in page["items"]] == ["a", "b"]
    rest = control.resources("openmetadata", "mlmodel", after=page["next"])
    assert [i["name"] for i in rest["items"]] == ["c"] and rest["next"] is None
    listed = control.resources("wml", "deployment", scope=f"space:{S}")["items"]
    assert listed[0]["id"] == deployment and listed[0]["state"] == "initializing"
    assert "__mlmock__" not in control.resource("wml", "deployment", deployment)
    with pytest.raises(BadRequest):
        control.resources("wml", "deployment", limit=0)
    with pytest.raises(NotFound):
        control.resource("wml", "deployment", "nope")


def test_fault_rules_are_added_listed_and_removed(control):
    rule = control.fail_next("GET", "/x", 502, times=2, skip=1)
    assert rule["status"] == 502 and rule["times"] == 2 and rule["skip"] == 1
    assert [r["id"] for r in control.fault_rules()] == [rule["id"]]
    control.remove_fault(rule["id"])
    with pytest.raises(NotFound):
        control.remove_fault(rule["id"])
    with pytest.raises(NotFound):
        control.remove_fault("1")


def test_the_overview_sums_it_all_up(control):
    control.seed(om_seed("m"))
    overview = control.overview()
    assert {a["name"] for a in overview["apis"]} == {"openmetadata", "wml"}
    assert {"api": "openmetadata", "kind": "mlmodel", "scope": "", "count": 1} in overview["resources"]
    assert overview["journal"]["size"] == 1000 and overview["faults"] == [] and overview["seed"] is None
