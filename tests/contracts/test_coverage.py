"""The coverage matrix (contracts/COVERAGE.md) is current and claims only what the registry and the zoo hold."""

from __future__ import annotations

import copy

import pytest
import yaml

from mlmock.contracts import coverage
from mlmock.contracts.registry import RULES


@pytest.fixture(scope="module")
def data():
    return yaml.safe_load(coverage.STATEMENTS.read_text())


@pytest.fixture(scope="module")
def items(data):
    return coverage.statements(data)


def test_the_checked_in_matrix_is_current():
    assert coverage.MATRIX.read_text() == coverage.render(), \
        "contracts/COVERAGE.md is stale: run python -m mlmock.contracts.coverage"


def test_check_mode_reports_a_stale_matrix(tmp_path, monkeypatch):
    stale = tmp_path / "COVERAGE.md"
    stale.write_text("old\n")
    monkeypatch.setattr(coverage, "MATRIX", stale)
    assert coverage.main(["--check"]) == 1
    assert coverage.main([]) == 0
    assert coverage.main(["--check"]) == 0


def test_every_rule_checks_some_statement(items):
    claimed = {rule for s in items for rule in s.rules}
    assert set(RULES) - claimed == set()


def test_every_unchecked_statement_says_why(items):
    assert [s for s in items if not s.rules and not s.unchecked] == []


def test_the_counts_add_up(items):
    text = coverage.render(items)
    assert f"- statements: {len(items)}" in text
    assert f"- unchecked: {sum(not s.rules for s in items)}" in text


def test_a_statement_naming_an_unknown_rule_is_refused(data):
    broken = copy.deepcopy(data)
    broken["statements"][0]["rules"] = ["naming.no-such-rule"]
    with pytest.raises(ValueError, match="no-such-rule"):
        coverage.statements(broken)


def test_a_rule_that_does_not_apply_to_the_statements_kinds_is_refused(data):
    broken = copy.deepcopy(data)
    entry = next(s for s in broken["statements"] if s["api"] == "openmetadata")
    entry["rules"] = ["isolation.scope-required"]  # WML only: it applies to no OpenMetadata kind
    with pytest.raises(ValueError, match="apply to none"):
        coverage.statements(broken)


def test_derived_statements_list_only_rules_that_apply_to_the_operation(data):
    wider = copy.deepcopy(data)
    wider["statuses"].append({"actions": ["*"], "statuses": ["2xx"], "rules": ["naming.fqn-composition"]})
    wml = [s for s in coverage.statements(wider) if s.api == "wml"]
    assert not any("naming.fqn-composition" in s.rules for s in wml)


def test_defects_come_from_the_zoo():
    zoo = coverage.zoo_defects()
    assert "BareNameFqn" in zoo["openmetadata"]["naming.fqn-composition"]
    assert "GuessesSpace" in zoo["wml"]["isolation.scope-required"]
    assert "AcceptsAnyToken" in zoo["wml"]["auth.wrong-token"]  # imported from om_defects, listed for WML too
