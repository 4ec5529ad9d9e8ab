"""The passive judge: every exchange through the spec rules, then the stateful rules."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import mlmock.spec as specs
from mlmock.har import Entry

from . import rules, specjudge
from .exchange import Exchange
from .registry import PassiveRule
from .report import PassiveViolation, Report
from .state import State

APIS = ("openmetadata", "wml")


class Judge:
    """Judges exchanges in the order given; thread-safe (one exchange at a time)."""

    def __init__(self, api: str = "auto", *, strict: bool = False, limit: int = 10_000, on_violation=None):
        self.apis = [a for a in APIS if a in specs.available()] if api == "auto" else [api]
        self.report = Report(strict=strict)
        self.state = State(limit)
        self.on_violation = on_violation
        self._lock = threading.Lock()

    def observe(self, entry: Entry) -> list[PassiveViolation]:
        with self._lock:
            return self._observe(Exchange(entry))

    def observe_all(self, entries: Iterable[Entry]) -> Report:
        for entry in entries:
            self.observe(entry)
        return self.report

    def _observe(self, ex: Exchange) -> list[PassiveViolation]:
        self.report.exchanges += 1
        api = self.apis[0] if len(self.apis) == 1 else specjudge.api_of(ex.raw_path, self.apis)
        matched = specjudge.match(api, ex.method, ex.raw_path) if api else None
        if matched is None:
            self.report.unjudged[f"{ex.method} {ex.path}"[:120]] += 1
            if len(self.report.unjudged) > 200:  # bounded: keep the most frequent
                del self.report.unjudged[min(self.report.unjudged, key=self.report.unjudged.get)]
            return []
        self.report.judged += 1
        op, params = matched
        decl = specs.declaration(api)
        found: list[tuple[PassiveRule, str]] = list(specjudge.judge(decl, op, ex))
        seeing = rules.Seeing(decl=decl, op=op, kind=decl.kinds.get(op.kind) if op.kind else None,
                              ex=ex, params=params, state=self.state)
        for judge in rules.RULES:
            found.extend(judge(seeing))
        out = []
        for rule, message in _dedupe(found):
            violation = PassiveViolation(rule=rule.name, family=rule.family, provenance=rule.provenance,
                                         source=rule.source, api=api, operation=op.operation_id,
                                         message=message, fails=rule.fails(self.report.strict),
                                         exchange=ex.describe())
            self.report.add(violation)
            out.append(violation)
            if self.on_violation is not None:
                self.on_violation(violation)
        return out


def _dedupe(found: list[tuple[PassiveRule, str]]) -> list[tuple[PassiveRule, str]]:
    """A request outside its bounds is reported once, under the more specific mirrored rule."""
    names = {rule.name for rule, _ in found}
    return [(rule, message) for rule, message in found
            if not (rule.name == "schema.request" and names & {"pagination.limit-bounds", "patch.malformed-rejected",
                                                               "versioning.version-required"})]
