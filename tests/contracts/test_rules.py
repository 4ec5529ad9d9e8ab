"""Every rule of the contract suite, proven twice: it passes on the mock and fails on a defect.

The defects (``om_defects.py``) wrap the correct mock; each breaks exactly one rule the way a
real server might. A rule that does not fail on its defect is worthless, and a rule that fails
on the correct mock is a false positive: both are test failures here.
"""

from __future__ import annotations

import re

import pytest
from om_defects import DEFECTS

from mlmock.contracts.registry import RULES
from mlmock.contracts.runner import run_suite
from mlmock.contracts.target import Target
from mlmock.mockserver import Settings, create_app

TOKEN = "t"


def _mock():
    return create_app(settings=Settings(token=TOKEN))


@pytest.fixture(scope="module")
def correct_report():
    return run_suite("openmetadata", Target.from_asgi(_mock(), token=TOKEN), max_examples=5, seed=1)


def test_the_correct_mock_passes_every_rule(correct_report):
    assert correct_report.outcomes, "no rule ran"
    failures = [(o.rule, o.subject, o.message) for o in correct_report.failed]
    assert failures == []


def test_every_openmetadata_rule_applies_somewhere(correct_report):
    applied = {o.rule for o in correct_report.outcomes if o.status == "passed"}
    om_rules = {name for name in RULES if name != "patch.undocumented-rejected"}  # no explicit paths in OM
    assert om_rules - applied == set()


def test_every_rule_has_a_defect():
    covered = {defect.rule for defect in DEFECTS}
    assert set(RULES) - covered <= {"patch.undocumented-rejected"}  # proven with the WML spec


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.__name__)
def test_rule_catches_its_defect(defect):
    app = defect(_mock())
    app.token = TOKEN
    report = run_suite("openmetadata", Target.from_asgi(app, token=TOKEN), include=f"^{re.escape(defect.rule)}$",
                       max_examples=25, seed=1)
    failed = [o for o in report.failed if o.rule == defect.rule]
    assert failed, f"{defect.rule} did not notice {defect.__name__}: {defect.__doc__}"
    first = failed[0]
    assert first.status == "failed", f"{defect.rule} crashed instead of reporting: {first.message}"
    assert first.message and first.reproduction and first.reproduction.startswith("curl")
