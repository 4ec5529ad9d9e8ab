"""Provenance levels: readings warn by default and fail with --strict; --profile, --list, JUnit."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import om_defects
import pytest
from servers import MOCK_TOKEN, mock_app

from mlmock.cli import main
from mlmock.contracts.registry import PROVENANCES, RULES
from mlmock.contracts.runner import run_suite
from mlmock.contracts.target import Target


def _run(defect, **options):
    app = defect(mock_app())
    return run_suite("openmetadata", Target.from_asgi(app, token=MOCK_TOKEN), seed=1,
                     include=f"^{defect.rule}$", discover=False, **options)


def test_every_rule_says_where_it_comes_from():
    for rule in RULES.values():
        assert rule.provenance in PROVENANCES
        assert rule.source, f"{rule.name} cites no source"
        if rule.provenance == "reading":
            assert "spec/README.md reading" in rule.source


def test_a_broken_reading_warns_by_default_and_fails_when_strict():
    report = _run(om_defects.NoopUpsertTouches)
    broken = [o for o in report.failed if o.rule == "conflict.version-rules"]
    assert broken and {o.provenance for o in broken} == {"reading"}
    assert all("reading 24" in o.source for o in broken)
    assert report.exit_code == 0 and report.warnings == broken
    report.strict = True
    assert report.exit_code == 1


def test_a_broken_documented_rule_fails_by_default():
    report = _run(om_defects.StartsAtOne)
    broken = [o for o in report.failed if o.rule == "conflict.version-rules"]
    assert broken and {o.provenance for o in broken} == {"documented"}
    assert report.exit_code == 1


def test_profile_documented_runs_only_documented_rules():
    report = run_suite("openmetadata", Target.from_asgi(mock_app(), token=MOCK_TOKEN), families=["patch"],
                       profile="documented", discover=False)
    ran = {o.rule for o in report.outcomes}
    assert ran and all(RULES[name].provenance == "documented" for name in ran)
    assert "patch.immutable-fields" not in ran


def test_list_prints_rules_with_provenance(capsys):
    assert main(["check", "--api", "wml", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RULES)
    assert any(line.split()[:3] == ["pagination.next-link-complete", "pagination", "client"] for line in lines)
    assert any(line.split()[:3] == ["patch.undocumented-rejected", "patch", "reading"] for line in lines)


@pytest.mark.parametrize("strict", [False, True])
def test_junit_carries_provenance_and_reasons(tmp_path, strict):
    report = _run(om_defects.NoopUpsertTouches, strict=strict)
    path = tmp_path / "report.xml"
    report.write_junit(str(path))
    cases = ET.parse(path).getroot().iter("testcase")
    case = next(c for c in cases if c.get("name").startswith("conflict.version-rules[mlmodel]"))
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["provenance"] == "reading" and "reading 24" in props["source"]
    assert (case.find("failure") is not None) == strict
    assert props["status"] == ("failed" if strict else "warned")
