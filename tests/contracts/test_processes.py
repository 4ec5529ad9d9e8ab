"""contracts/processes.py: the schema family shared out among worker processes over HTTP gives the
verdicts one process gives, fails on the schema family's defects, and leaves nothing behind."""

from __future__ import annotations

import httpx
import om_defects
import pytest
from servers import MOCK_TOKEN, mock_app, serving

from mlmock.contracts import processes
from mlmock.contracts.runner import run_suite
from mlmock.contracts.target import Target

SCHEMA_RULES = "^schema\\.(positive|negative)$"


def _run(url: str, workers: int):
    target = Target.from_url(url, token=MOCK_TOKEN)
    try:
        return run_suite("openmetadata", target, families=["schema"], include=SCHEMA_RULES, max_examples=3,
                         seed=1, workers=workers)
    finally:
        target.close()


@pytest.fixture(scope="module")
def served():
    with serving(mock_app()) as url:
        yield url


def test_processes_are_used_only_for_http_targets_and_without_verbose(served):
    target = Target.from_url(served, token=MOCK_TOKEN)
    assert processes.usable(target, 2)
    assert not processes.usable(target, 1)
    target.on_exchange = lambda *args: None
    assert not processes.usable(target, 2)
    target.close()
    assert not processes.usable(Target.from_asgi(mock_app(), token=MOCK_TOKEN), 2)


def test_two_processes_give_the_verdicts_of_one(served):
    one, two = _run(served, 1), _run(served, 2)
    verdicts = sorted((o.rule, o.subject, o.status) for o in one.outcomes)
    assert len(verdicts) > 50
    assert sorted((o.rule, o.subject, o.status) for o in two.outcomes) == verdicts
    # What the workers' generated creates made is in the parent's ledger, and removed at the end.
    assert two.created > 0
    assert two.not_removed == 0


def test_what_the_workers_created_is_removed(served):
    with httpx.Client(base_url=served, headers={"Authorization": f"Bearer {MOCK_TOKEN}"}) as client:
        before = client.get("/api/v1/mlmodels", params={"limit": 1}).json()["paging"]["total"]
        report = _run(served, 2)
        after = client.get("/api/v1/mlmodels", params={"limit": 1}).json()["paging"]["total"]
    assert report.created > 0 and report.not_removed == 0
    assert after == before


def test_the_plan_gives_every_pair_once_the_costliest_first():
    from mlmock.spec import declaration

    wml = declaration("wml")
    pairs = [(rule, op) for rule in ("schema.positive", "schema.negative") for op in wml.operations]
    chunks = processes.plan(wml, pairs, size=4)
    flat = [pair for chunk in chunks for pair in chunk]
    assert sorted(flat) == sorted(pairs)
    assert all(len(chunk) <= 4 for chunk in chunks)
    weights = [processes.weight(wml, op) for _, op in flat]
    assert weights == sorted(weights, reverse=True)
    # A create whose body reaches many schemas before a read that takes no body.
    assert processes.weight(wml, "training_definitions_create") > processes.weight(wml, "models_get") == 1


def test_a_schema_defect_fails_its_rule_when_judged_in_processes():
    defect = om_defects.LenientQuery(mock_app())
    defect.token = MOCK_TOKEN
    with serving(defect) as url:
        report = _run(url, 2)
    assert "schema.negative" in report.failed_rules()


def test_the_loaded_schema_is_shared_over_http_only():
    from mlmock.contracts.checks import schema

    first = schema._shared_schema("openmetadata", None, frozenset())
    assert schema._shared_schema("openmetadata", None, frozenset()) is first
    assert schema._shared_schema("openmetadata", None, frozenset({"x"})) is not first
    app = mock_app()  # an in-process schema holds its app: built afresh, never kept
    assert schema._shared_schema("openmetadata", app, frozenset()) is not schema._shared_schema(
        "openmetadata", app, frozenset())
