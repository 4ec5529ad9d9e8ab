"""mockserver/core/lifecycle.py: statuses as data, paced by a Progression on a fixed clock.

The kinds are the WML spec's own (``x-mlmock-kinds``); the expected paths are derived from their
declarations as the module documents them: the happy path takes the first transition listed for
each state and stops at a state with no transitions or listed in ``resting``.
"""

from __future__ import annotations

import copy
import json

import pytest

import mlmock.spec as specs
from mlmock.mockserver.core.engine import Clock
from mlmock.mockserver.core.errors import BadRequest
from mlmock.mockserver.core.lifecycle import BOOKKEEPING, Lifecycles, Progression, state_of, strip
from mlmock.spec.declarations import pointer_get

API = specs.declaration("wml")
START_MS = 1_700_000_000_000


def kind(name: str):
    return API.kinds[name]


def happy_path(name: str, start: str | None = None) -> list[str]:
    """States from ``start`` (the initial one) to where the kind rests, from its declaration."""
    declared = kind(name).lifecycle
    resting = set(declared.resting)
    path = [start or declared.initial]
    while path[-1] not in resting and declared.transitions.get(path[-1]):
        path.append(declared.transitions[path[-1]][0])
    return path


def state(name: str, doc: dict) -> str | None:
    return pointer_get(doc, kind(name).lifecycle.field)


def doc_for(name: str) -> dict:
    return {"metadata": {"id": "x"}, "entity": {}}


def started(progression: str, name: str = "training", clock: Clock | None = None, doc: dict | None = None,
            entered: list | None = None) -> tuple[Lifecycles, dict, Clock]:
    lifecycles = Lifecycles(Progression.parse(progression))
    clock = clock or Clock(START_MS)
    doc = doc if doc is not None else doc_for(name)
    hook = (lambda k, s, d: entered.append(s)) if entered is not None else None
    lifecycles.begin("wml", kind(name), doc, clock.now_ms(), on_enter=hook)
    return lifecycles, doc, clock


def test_the_training_happy_path_is_long_enough_to_pace():
    assert happy_path("training") == ["queued", "pending", "running", "storing", "completed"]
    assert happy_path("deployment") == ["initializing", "ready"]


# --------------------------------------------------------------------------- Progression.parse


@pytest.mark.parametrize(("text", "mode", "reads", "seconds"), [
    ("immediate", "immediate", None, None), ("manual", "manual", None, None),
    ("reads:1", "reads", 1, None), ("reads:7", "reads", 7, None),
    ("time:1", "time", None, 1.0), ("time:2.5", "time", None, 2.5), ("time:0", "time", None, 0.0),
    ("  reads:3 ", "reads", 3, None),
])
def test_progressions_parse(text, mode, reads, seconds):
    parsed = Progression.parse(text)
    assert parsed.mode == mode
    if reads is not None:
        assert parsed.reads == reads
    if seconds is not None:
        assert parsed.seconds == seconds
    assert Progression.parse(str(parsed)) == parsed


@pytest.mark.parametrize("text", ["", "fast", "reads:0", "reads:-1", "reads:x", "reads:1.5", "time:-1",
                                  "time:abc", "immediate:3", "manual:1", "Reads:1", "time:1:2", ":"])
def test_invalid_progressions_are_refused(text):
    with pytest.raises(ValueError, match="progression"):
        Progression.parse(text)


def test_the_default_pace_is_one_step_a_second():
    assert Lifecycles().default == Progression.parse("time:1")


# --------------------------------------------------------------------------- pacing


def test_a_new_resource_starts_in_the_declared_initial_state():
    _, doc, _ = started("manual")
    assert state("training", doc) == kind("training").lifecycle.initial


def test_immediate_walks_the_happy_path_at_once():
    entered: list[str] = []
    _, doc, _ = started("immediate", entered=entered)
    assert entered == happy_path("training")
    assert state("training", doc) == happy_path("training")[-1]


def test_reads_move_one_step_per_read_and_nothing_else_moves():
    lifecycles, doc, clock = started("reads:1")
    seen = [state("training", doc)]
    for _ in range(len(happy_path("training")) + 2):
        clock.advance(60_000)
        assert lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=False) is False
        assert state("training", doc) == seen[-1]  # time alone does not move a reads-paced resource
        lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=True)
        seen.append(state("training", doc))
    path = happy_path("training")
    assert seen == path + [path[-1]] * 3


def test_reads_n_needs_n_reads_per_step():
    lifecycles, doc, clock = started("reads:3")
    seen = []
    for _ in range(7):
        lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=True)
        seen.append(state("training", doc))
    assert seen == ["queued", "queued", "pending", "pending", "pending", "running", "running"]


def test_time_moves_one_step_per_period_on_the_engine_clock():
    lifecycles, doc, clock = started("time:1")
    begun = clock.now_ms()

    def at(ms: int) -> str:
        clock.advance(begun + ms - clock.now_ms())
        lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=True)
        return state("training", doc)

    assert at(999) == "queued"
    assert at(1000) == "pending"
    assert at(3500) == "storing"  # late look: both due steps at once
    assert at(4000) == "completed"  # the fourth step is due at 4 s, not 1 s after the late look
    assert at(60_000) == "completed"


def test_time_steps_of_other_periods():
    lifecycles, doc, clock = started("time:2.5")
    clock.advance(2400)
    lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=False)
    assert state("training", doc) == "queued"
    clock.advance(100)
    lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=False)
    assert state("training", doc) == "pending"
    lifecycles, doc, clock = started("time:0")
    lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=False)
    assert state("training", doc) == happy_path("training")[-1]


def test_manual_never_moves():
    lifecycles, doc, clock = started("manual")
    for _ in range(5):
        clock.advance(3_600_000)
        assert lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=True) is False
    assert state("training", doc) == kind("training").lifecycle.initial


def test_a_per_kind_pace_overrides_the_default():
    lifecycles = Lifecycles(Progression.parse("manual"))
    lifecycles.set_policy(Progression.parse("immediate"), "wml", "training")
    assert lifecycles.policy("wml", "training").mode == "immediate"
    assert lifecycles.policy("wml", "deployment").mode == "manual"
    assert lifecycles.policies() == {"default": "manual", "wml.training": "immediate"}
    trained, deployed = doc_for("training"), doc_for("deployment")
    lifecycles.begin("wml", kind("training"), trained, START_MS)
    lifecycles.begin("wml", kind("deployment"), deployed, START_MS)
    assert state("training", trained) == happy_path("training")[-1]
    assert state("deployment", deployed) == "initializing"
    lifecycles.set_policy(Progression.parse("reads:2"))  # a new default forgets the per-kind paces
    assert lifecycles.policies() == {"default": "reads:2"}


# --------------------------------------------------------------------------- resting states


def test_a_declared_resting_state_is_not_left_by_itself():
    declared = kind("deployment").lifecycle
    assert "ready" in declared.resting and declared.transitions["ready"]  # rests despite a transition
    lifecycles, doc, clock = started("immediate", "deployment")
    assert state("deployment", doc) == "ready"
    lifecycles.set_policy(Progression.parse("reads:1"))
    for _ in range(3):
        clock.advance(10_000)
        lifecycles.advance("wml", kind("deployment"), doc, clock.now_ms(), read=True)
    assert state("deployment", doc) == "ready"


def test_a_patched_deployment_goes_through_updating_back_to_ready():
    lifecycles, doc, clock = started("reads:1", "deployment")
    lifecycles.advance("wml", kind("deployment"), doc, clock.now_ms(), read=True)
    assert state("deployment", doc) == "ready"
    entered: list[str] = []
    hook = lambda k, s, d: entered.append(s)  # noqa: E731
    lifecycles.begin("wml", kind("deployment"), doc, clock.now_ms(), state=kind("deployment").lifecycle.on_patch,
                     on_enter=hook)
    assert state("deployment", doc) == "updating"
    lifecycles.advance("wml", kind("deployment"), doc, clock.now_ms(), read=True, on_enter=hook)
    assert entered == happy_path("deployment", "updating") == ["updating", "ready"]


def test_states_without_transitions_rest():
    lifecycles, doc, clock = started("reads:1")
    lifecycles.force(API, kind("training"), doc, "canceled", clock.now_ms())
    assert not kind("training").lifecycle.transitions.get("canceled")
    for _ in range(3):
        lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=True)
    assert state("training", doc) == "canceled"


# --------------------------------------------------------------------------- force


@pytest.mark.parametrize("name", ["training", "deployment", "deployment_job"])
def test_forcing_an_undocumented_state_is_a_bad_request(name):
    lifecycles, doc, clock = started("manual", name)
    before = copy.deepcopy(doc)
    for wrong in ("exploded", "READY", "", "DEPLOY_SUCCESS"):
        with pytest.raises(BadRequest):
            lifecycles.force(API, kind(name), doc, wrong, clock.now_ms())
    assert doc == before


def test_forcing_a_kind_without_a_lifecycle_is_a_bad_request():
    assert kind("experiment").lifecycle is None
    with pytest.raises(BadRequest):
        Lifecycles().force(API, kind("experiment"), doc_for("experiment"), "ready", START_MS)


@pytest.mark.parametrize("name", ["training", "deployment"])
def test_every_documented_state_can_be_forced(name):
    for wanted in API.lifecycle_states(kind(name)):
        lifecycles, doc, clock = started("manual", name)
        lifecycles.force(API, kind(name), doc, wanted, clock.now_ms())
        assert state(name, doc) == wanted


@pytest.mark.parametrize("name", ["training", "deployment", "deployment_job"])
def test_a_forced_failure_carries_the_documented_failure_details(name):
    failure = kind(name).lifecycle.failure
    lifecycles, doc, clock = started("manual", name)
    assert pointer_get(doc, failure) is None
    lifecycles.force(API, kind(name), doc, "failed", clock.now_ms(), message="disk full")
    assert state_of(kind(name), doc) == "failed"
    details = pointer_get(doc, failure)
    assert isinstance(details["trace"], str) and details["trace"]
    assert details["errors"][0]["message"] == "disk full" and details["errors"][0]["code"]
    _, other, _ = started("manual", name)
    lifecycles.force(API, kind(name), other, "failed", clock.now_ms())
    assert pointer_get(other, failure)["errors"][0]["message"]  # a default message without one


def test_forcing_a_non_failure_state_adds_no_failure():
    lifecycles, doc, clock = started("manual")
    lifecycles.force(API, kind("training"), doc, "running", clock.now_ms())
    assert pointer_get(doc, kind("training").lifecycle.failure) is None


# --------------------------------------------------------------------------- hooks, bookkeeping


def test_on_enter_sees_each_state_already_set():
    calls: list[tuple[str, str, str]] = []

    def hook(k, entered, doc):
        calls.append((k.name, entered, state(k.name, doc)))

    lifecycles = Lifecycles(Progression.parse("reads:1"))
    doc = doc_for("training")
    lifecycles.begin("wml", kind("training"), doc, START_MS, on_enter=hook)
    lifecycles.advance("wml", kind("training"), doc, START_MS, read=True, on_enter=hook)
    lifecycles.force(API, kind("training"), doc, "failed", START_MS, on_enter=hook)
    assert calls == [("training", "queued", "queued"), ("training", "pending", "pending"),
                     ("training", "failed", "failed")]


def test_a_read_that_moves_nothing_calls_no_hook():
    entered: list[str] = []
    lifecycles, doc, clock = started("reads:2")
    lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=True,
                       on_enter=lambda k, s, d: entered.append(s))
    assert entered == []


def test_strip_removes_the_bookkeeping_and_nothing_else():
    lifecycles, doc, clock = started("reads:2")
    lifecycles.advance("wml", kind("training"), doc, clock.now_ms(), read=True)
    assert BOOKKEEPING in doc
    visible = {k: v for k, v in doc.items() if k != BOOKKEEPING}
    assert strip(doc) is doc and doc == visible
    assert BOOKKEEPING not in json.dumps(doc)


# --------------------------------------------------------------------------- applies-if, alternates


def test_a_conditional_lifecycle_applies_only_to_resources_with_its_field():
    condition = kind("model").lifecycle.applies_if
    field = kind("model").lifecycle.field
    lifecycles = Lifecycles(Progression.parse("reads:1"))
    plain = doc_for("model")
    lifecycles.begin("wml", kind("model"), plain, START_MS)
    assert pointer_get(plain, field) is None and state_of(kind("model"), plain) is None
    assert lifecycles.advance("wml", kind("model"), plain, START_MS, read=True) is False
    importing = {"metadata": {"id": "m"}, "entity": {condition.rsplit("/", 1)[-1]: {"type": "s3"}}}
    lifecycles.begin("wml", kind("model"), importing, START_MS)
    assert pointer_get(importing, field) == kind("model").lifecycle.initial
    lifecycles.advance("wml", kind("model"), importing, START_MS, read=True)
    assert pointer_get(importing, field) == happy_path("model")[1]


def test_an_alternate_state_field_is_used_by_resources_with_its_section():
    job = kind("deployment_job")
    (alternate,) = job.lifecycle.alternate_fields
    lifecycles = Lifecycles(Progression.parse("reads:1"))
    scoring = {"metadata": {"id": "s"}, "entity": {"scoring": {"input_data": []}}}
    solving = {"metadata": {"id": "d"}, "entity": {"decision_optimization": {"solve_parameters": {}}}}
    for doc in (scoring, solving):
        lifecycles.begin("wml", job, doc, START_MS)
        lifecycles.advance("wml", job, doc, START_MS, read=True)
    assert pointer_get(scoring, job.lifecycle.field) == happy_path("deployment_job")[1]
    assert pointer_get(solving, alternate) == happy_path("deployment_job")[1]
    assert "scoring" not in solving["entity"] and "decision_optimization" not in scoring["entity"]
    assert state_of(job, solving) == happy_path("deployment_job")[1]
