"""Run the registered rules against a target and collect a report."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable

import mlmock.spec as specs

from . import checks  # noqa: F401  (registers the rules)
from .context import DEFAULT_API_VERSION, Context
from .registry import FAMILIES, RULES, subject_name
from .results import Outcome, Report, Skip, Violation
from .target import Target, Unreachable


def run_suite(api: str, target: Target, *, families: Iterable[str] | None = None,
              include: str | None = None, max_examples: int = 25, seed: int = 0,
              space: str | None = None, other_space: str | None = None,
              api_version: str = DEFAULT_API_VERSION, on_outcome=None) -> Report:
    """Run every rule of ``families`` (all by default) whose name matches ``include``."""
    declaration = specs.declaration(api)
    wanted = set(families or FAMILIES)
    pattern = re.compile(include) if include else None
    report = Report(api=api)
    run = uuid.uuid4().hex[:6]
    for rule in RULES.values():
        if rule.family not in wanted or (pattern and not pattern.search(rule.name)):
            continue
        for subject in rule.subjects(declaration):
            ctx = Context(api=declaration, target=target, seed=seed, max_examples=max_examples,
                          scope=f"{rule.name}:{subject_name(subject)}", run=run, space=space,
                          other_space=other_space, api_version=api_version)
            started = time.perf_counter()
            outcome = Outcome(rule=rule.name, family=rule.family, subject=subject_name(subject),
                              status="passed")
            try:
                rule.fn(ctx, subject)
            except Violation as violation:
                outcome.status = "failed"
                outcome.message = violation.message
                outcome.reproduction = getattr(violation, "curl", None) or violation.reproduction
            except Skip as skip:
                outcome.status = "skipped"
                outcome.message = str(skip)
            except Unreachable:
                raise
            except Exception as error:  # a rule that crashes is reported, not hidden
                outcome.status = "error"
                outcome.message = f"{type(error).__name__}: {error}"
            outcome.seconds = time.perf_counter() - started
            report.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    return report
