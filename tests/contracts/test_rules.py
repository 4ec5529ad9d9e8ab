"""Every rule of the contract suite, proven twice: it passes on the mock and fails on a defect.

The defects (``om_defects.py``, ``wml_defects.py``) wrap the correct mock; each breaks exactly
one rule the way a real server might. A rule that does not fail on its defect is worthless, and
a rule that fails on the correct mock is a false positive: both are test failures here.
"""

from __future__ import annotations

import re

import om_defects
import pytest
import wml_defects

from mlmock.contracts.registry import RULES
from mlmock.contracts.runner import run_suite
from mlmock.contracts.target import Target
from mlmock.mockserver import Settings, create_app
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID

TOKEN = "t"
LIMITED = "limited"  # the second user of auth.limited-token (om_defects.LimitedTokenServed.limited)
OPTIONS = {"openmetadata": {}, "wml": {"space": DEFAULT_SPACE_ID, "other_space": OTHER_SPACE_ID}}
ZOO = [("openmetadata", d) for d in om_defects.DEFECTS] + [("wml", d) for d in wml_defects.DEFECTS]


def _mock():
    # Statuses move one step per read, so lifecycle rules see every state within a few polls.
    return create_app(settings=Settings(token=TOKEN, limited_token=LIMITED, progression="reads:1"))


def _run(api, app, **options):
    target = Target.from_asgi(app, token=TOKEN)
    target.limited_token = LIMITED
    return run_suite(api, target, seed=1, **OPTIONS[api], **options)


@pytest.fixture(scope="module", params=sorted(OPTIONS))
def correct_report(request):
    return _run(request.param, _mock(), max_examples=5)


def test_the_correct_mock_passes_every_rule(correct_report):
    assert correct_report.outcomes, "no rule ran"
    failures = [(o.rule, o.subject, o.message) for o in correct_report.failed]
    assert failures == []


def test_every_rule_applies_to_some_api():
    applied = set()
    for api in OPTIONS:
        report = _run(api, _mock(), max_examples=1, families=["auth", "pagination", "patch", "conflict",
                                                                "versioning", "lifecycle", "isolation",
                                                                "deletion", "naming", "status", "content",
                                                                "references", "errors"])
        applied |= {o.rule for o in report.outcomes if o.status == "passed"}
    expected = {name for name, r in RULES.items() if r.family not in ("schema", "stateful")}
    assert expected - applied == set()


def test_every_rule_has_a_defect():
    covered = {defect.rule for _, defect in ZOO}
    assert set(RULES) - covered <= {"stateful.links"}


@pytest.mark.parametrize(("api", "defect"), ZOO, ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_rule_catches_its_defect(api, defect):
    app = defect(_mock())
    app.token = TOKEN
    report = _run(api, app, include=f"^{re.escape(defect.rule)}$", max_examples=10)
    failed = [o for o in report.failed if o.rule == defect.rule]
    assert failed, f"{defect.rule} did not notice {defect.__name__}: {defect.__doc__}"
    first = failed[0]
    assert first.status == "failed", f"{defect.rule} crashed instead of reporting: {first.message}"
    assert first.message and first.reproduction and first.reproduction.startswith("curl")
