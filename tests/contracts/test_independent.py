"""`mlmock check` against an implementation it did not grow up with (tests/independent).

The independent implementation follows the references but differs from the mock wherever they are
silent, and serves only part of WML. The suite must pass it by default (exit 0); with --strict it
may report reading verdicts only; it must list what is not served, clean up after itself, and
give a refused fixture create one verdict.
"""

from __future__ import annotations

import httpx
import pytest
from servers import TOKEN, independent_app, serving

from mlmock.contracts.runner import run_suite
from mlmock.contracts.target import Target
from mlmock.spec import declaration

UNSERVED_OM = {"GET /system/version", "PUT /mlmodels/bulk", "GET /mlmodels/{id}/versions/{version}",
               # no users and teams, nor service patch, versions and restore, there
               "PATCH /services/mlmodelServices/{id}", "PUT /services/mlmodelServices/restore",
               "GET /services/mlmodelServices/{id}/versions", "GET /services/mlmodelServices/{id}/versions/{version}",
               *(f"{method} /{kinds}{path}" for kinds in ("users", "teams")
                 for method, path in (("POST", ""), ("PUT", ""), ("GET", ""), ("GET", "/{id}"), ("GET", "/name/{fqn}"),
                                      ("PATCH", "/{id}"), ("DELETE", "/{id}"))),
               # nor dashboards and dashboard services (reading 44)
               *(f"{method} /{kinds}{path}" for kinds in ("dashboards", "services/dashboardServices")
                 for method, path in (("POST", ""), ("PUT", ""), ("GET", ""), ("PUT", "/restore"), ("GET", "/{id}"),
                                      ("GET", "/name/{fqn}"), ("PATCH", "/{id}"), ("DELETE", "/{id}"),
                                      ("GET", "/{id}/versions"), ("GET", "/{id}/versions/{version}")))}


RUN_KINDS = ("deployment", "deployment_job", "training")
RUN_OPERATIONS = [op for op in declaration("wml").operations.values() if op.kind in RUN_KINDS]


@pytest.fixture(scope="module")
def independent():
    with serving(independent_app(TOKEN)) as url:
        yield url


@pytest.fixture(scope="module", params=["openmetadata", "wml"])
def report(request, independent):
    target = Target.from_url(independent, token=TOKEN)
    try:
        yield run_suite(request.param, target, max_examples=3, seed=1, workers=2)
    finally:
        target.close()


def test_default_mode_passes(report):
    failing = [(o.rule, o.subject, o.provenance, o.message[:300]) for o in report.failing]
    assert failing == []
    assert report.exit_code == 0
    assert sum(o.status == "passed" for o in report.outcomes) > 20


def test_strict_mode_reports_readings_only(report):
    report.strict = True
    try:
        kinds = {o.provenance for o in report.failing}
        assert kinds <= {"reading"}, [(o.rule, o.provenance) for o in report.failing]
        assert all(o.source.startswith("spec/README.md reading") for o in report.failing)
    finally:
        report.strict = False


def test_unserved_operations_are_listed_and_skipped(report):
    if report.api == "openmetadata":
        assert set(report.unserved) == UNSERVED_OM
        skipped = {o.subject for o in report.outcomes if o.message.startswith("not served")}
        assert {"getCatalogVersion", "bulkCreateOrUpdateMlModels", "getSpecificMlModelVersion"} <= skipped
    else:
        assert "POST /ml/v4/deployment_job_definitions" in report.unserved
        assert "GET /ml/v4/models" not in report.unserved
        assert not set(report.unserved) & {f"{op.method} {op.path}" for op in RUN_OPERATIONS}
    assert not any(o.status == "failed" and "not served" in o.message for o in report.outcomes)


def test_deployments_jobs_and_trainings_are_judged_and_pass(report):
    """The kinds the independent server serves with its own lifecycle timing, ids and page tokens:
    every rule that applies to them runs (none skipped for want of service) and none fails."""
    if report.api != "wml":
        pytest.skip("WML only")
    names = set(RUN_KINDS) | {op.operation_id for op in RUN_OPERATIONS}
    mine = [o for o in report.outcomes if o.subject in names]
    assert [(o.rule, o.subject, o.message[:300]) for o in mine if o.status not in ("passed", "skipped")] == []
    assert [(o.rule, o.subject, o.message) for o in mine if o.message.startswith("not served")] == []
    passed = {(o.rule, o.subject) for o in mine if o.status == "passed"}
    for kind in RUN_KINDS:
        for rule in ("status.create", "status.delete", "lifecycle.documented-transitions",
                     "pagination.walk-forward", "pagination.next-link-complete", "isolation.other-space"):
            assert (rule, kind) in passed
    for rule in ("conflict.duplicate-create", "conflict.availability-probe", "patch.documented-ops-applied",
                 "deletion.delete-removes"):
        assert (rule, "deployment") in passed
    for kind in ("deployment_job", "training"):
        assert ("deletion.cancel-keeps", kind) in passed and ("deletion.hard-delete-removes", kind) in passed
    assert ("schema.positive", "deployments_compute_predictions") in passed


def test_everything_created_is_removed(report, independent):
    assert report.created > 0
    assert report.not_removed == 0
    with httpx.Client(base_url=independent, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        if report.api == "wml":
            spaces = client.get("/v2/spaces").json()["resources"]
            assert [s for s in spaces if s["entity"]["name"].startswith("mlmock-check-")] == []
        else:
            listed = client.get("/api/v1/mlmodels", params={"limit": 1000, "include": "all"}).json()
            assert listed["data"] == []


def test_wml_isolation_runs_in_the_suites_own_spaces(report):
    if report.api != "wml":
        pytest.skip("WML only")
    isolation = [o for o in report.outcomes if o.rule == "isolation.other-space" and o.subject == "model"]
    assert [o.status for o in isolation] == ["passed"]


def test_keep_leaves_the_sandbox(independent):
    target = Target.from_url(independent, token=TOKEN)
    try:
        kept = run_suite("wml", target, include="^isolation", keep=True)
    finally:
        target.close()
    assert kept.kept and kept.created >= 3
    with httpx.Client(base_url=independent, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        ours = [s for s in client.get("/v2/spaces").json()["resources"]
                if s["entity"]["name"].startswith("mlmock-check-")]
        assert len(ours) == 2
        for space in ours:
            client.delete(f"/v2/spaces/{space['metadata']['id']}")


class RefusesServices:
    """An implementation whose service creates fail: one setup finding, the dependants blocked."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT") \
                and scope["path"] == "/api/v1/services/mlmodelServices":
            from starlette.responses import JSONResponse

            await JSONResponse({"code": 400, "message": "services are frozen"}, status_code=400)(
                scope, receive, send)
            return
        await self.app(scope, receive, send)


def test_a_refused_fixture_is_one_finding_and_blocks_its_dependants():
    target = Target.from_asgi(RefusesServices(independent_app(TOKEN)), token=TOKEN)
    report = run_suite("openmetadata", target, families=["pagination", "deletion", "patch"])
    setup = [o for o in report.outcomes if o.family == "setup"]
    assert [o.rule for o in setup] == ["setup.createMlModelService"]
    assert "services are frozen" in setup[0].message and setup[0].reproduction.startswith("curl")
    blocked = [o for o in report.outcomes if o.status == "blocked"]
    assert len(blocked) >= 8
    assert not [o for o in report.failing if o.family != "setup"]
    assert report.exit_code == 1


def test_a_deployment_job_fixture_runs_on_a_batch_deployment():
    """The independent server refuses a job on an online deployment (reading 43): the suite's job
    fixture must create a batch deployment as its parent, not the minimal (online) one."""
    target = Target.from_asgi(independent_app(TOKEN), token=TOKEN)
    try:
        report = run_suite("wml", target, families=["status", "pagination"],
                           include=r"^(status\.create|pagination\.page-size)$")
    finally:
        target.close()
    assert not [o.rule for o in report.outcomes if o.family == "setup"]
    jobs = [o for o in report.outcomes if o.subject == "deployment_job"]
    assert [(o.rule, o.status, o.message[:200]) for o in jobs] == [
        ("pagination.page-size", "passed", ""), ("status.create", "passed", "")]


def test_a_server_without_deployment_jobs_is_judged_gracefully():
    """A partial server: /ml/v4/deployment_jobs is a plain 404 (the route does not exist). The suite
    lists the job operations as not served and skips their rules; nothing crashes, nothing fails,
    and the deployments the jobs would have run on are still judged."""
    app = independent_app(TOKEN, without=("/ml/v4/deployment_jobs",))
    target = Target.from_asgi(app, token=TOKEN)
    try:
        report = run_suite("wml", target, max_examples=2, seed=1,
                           families=["status", "deletion", "lifecycle", "pagination", "isolation", "versioning"])
    finally:
        target.close()
    jobs = {f"{op.method} {op.path}" for op in RUN_OPERATIONS if op.kind == "deployment_job"}
    assert jobs <= set(report.unserved)
    assert [(o.rule, o.subject, o.message[:200]) for o in report.failing] == []
    assert [(o.rule, o.subject, o.status) for o in report.outcomes if o.status in ("error", "blocked")] == []
    job_outcomes = [o for o in report.outcomes
                    if o.subject in ("deployment_job", *(op.operation_id for op in RUN_OPERATIONS
                                                          if op.kind == "deployment_job"))]
    assert job_outcomes and all(o.status == "skipped" and o.message.startswith("not served") for o in job_outcomes)
    assert ("status.create", "deployment") in {(o.rule, o.subject) for o in report.outcomes if o.status == "passed"}
    assert report.exit_code == 0 and report.not_removed == 0
