"""The judge's bookkeeping: provenance mirrored from the active rules, bounded memory, unjudged traffic."""

from __future__ import annotations

import dataclasses
import json

from mlmock.contracts.passive import registry
from mlmock.contracts.passive.judge import Judge
from mlmock.contracts.registry import RULES
from mlmock.har import Entry


def test_mirrored_rules_take_provenance_from_the_active_rule(monkeypatch):
    mirrored = [r for r in registry.PASSIVE.values() if r.mirrors]
    assert len(mirrored) > 20
    for rule in mirrored:
        assert rule.provenance == RULES[rule.name].provenance and rule.source == RULES[rule.name].source
    # a provenance change lands in one place: the active rule
    monkeypatch.setitem(RULES, "auth.missing-token",
                        dataclasses.replace(RULES["auth.missing-token"], provenance="reading", source="R-1"))
    assert registry.AUTH_MISSING.provenance == "reading" and not registry.AUTH_MISSING.fails()
    assert registry.AUTH_MISSING.fails(strict=True)
    assert registry.SCHEMA_RESPONSE.provenance == "documented"  # passive-only: its own


def _created(i: int) -> Entry:
    body = {"name": f"m{i}", "service": "s", "algorithm": "a"}
    answer = {"id": f"00000000-0000-4000-8000-{i:012d}", "name": f"m{i}", "fullyQualifiedName": f"s.m{i}",
              "algorithm": "a", "service": {"id": "00000000-0000-4000-8000-000000000000", "type": "mlmodelService",
                          "name": "s", "fullyQualifiedName": "s"},
              "version": 0.1, "updatedAt": 1, "updatedBy": "admin", "deleted": False}
    return Entry(method="POST", url="http://h/api/v1/mlmodels",
                 request_headers=[("Authorization", "Bearer x"), ("Content-Type", "application/json")],
                 request_body=json.dumps(body).encode(), status=201,
                 response_headers=[("Content-Type", "application/json")], response_body=json.dumps(answer).encode())


def test_memory_is_bounded_by_resources_not_traffic():
    judge = Judge("openmetadata", limit=50)
    for i in range(400):
        judge.observe(_created(i))
    assert judge.report.exchanges == 400
    assert len(judge.state.resources) == 50 and len(judge.state.unique) <= 50


def test_a_duplicate_seen_after_eviction_is_not_invented():
    judge = Judge("openmetadata", limit=5)
    for i in range(10):
        judge.observe(_created(i))
    assert judge.observe(_created(0)) == []  # forgotten: no claim without evidence
    assert [v.rule for v in judge.observe(_created(9))] == ["conflict.duplicate-create"]


def test_traffic_outside_the_spec_is_counted_not_judged():
    judge = Judge("auto")
    judge.observe(Entry(method="GET", url="http://h/metrics", status=200))
    assert judge.report.judged == 0 and judge.report.unjudged == {"GET /metrics": 1}
