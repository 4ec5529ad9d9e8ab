"""Violations seen passively, and their reports (console line, JSON, JUnit XML)."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from .registry import PASSIVE

KEPT = 1000  # violations kept in full; later ones are only counted (bounded memory)


@dataclass
class PassiveViolation:
    rule: str
    family: str
    provenance: str
    source: str
    api: str
    operation: str
    message: str
    fails: bool
    exchange: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        req = self.exchange.get("request", {})
        res = self.exchange.get("response", {})
        mark = "FAIL" if self.fails else "warn"
        return (f"{mark} {self.rule} [{self.provenance}] {self.operation}: {self.message} "
                f"({req.get('method')} {req.get('url')} -> {res.get('status')})")


class Report:
    """Thread-safe: the proxy adds from its judging thread and reads from request handlers."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.violations: list[PassiveViolation] = []
        self.counts: Counter[str] = Counter()
        self.failing = 0
        self.exchanges = 0
        self.judged = 0
        self.unjudged: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, violation: PassiveViolation) -> None:
        with self._lock:
            self.counts[violation.rule] += 1
            self.failing += violation.fails
            if len(self.violations) < KEPT:
                self.violations.append(violation)

    @property
    def exit_code(self) -> int:
        return 1 if self.failing else 0

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {"exchanges": self.exchanges, "judged": self.judged, "unjudged": dict(self.unjudged),
                    "failing": self.failing, "counts": dict(self.counts), "strict": self.strict,
                    "rules": {name: {"family": r.family, "provenance": r.provenance, "source": r.source,
                                     "doc": r.doc} for name, r in PASSIVE.items()},
                    "violations": [asdict(v) for v in self.violations],
                    "truncated": sum(self.counts.values()) > len(self.violations)}

    def write_json(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.as_dict(), handle, indent=1)

    def table(self) -> str:
        rows = [("rule", "provenance", "count", "fails")]
        for name, count in sorted(self.counts.items()):
            rule = PASSIVE[name]
            rows.append((name, rule.provenance, str(count), "yes" if rule.fails(self.strict) else "no"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        summary = f"{self.exchanges} exchanges, {self.judged} judged, {sum(self.counts.values())} violations"
        return "\n".join(lines + [summary]) if self.counts else f"no violations ({summary})"

    def write_junit(self, path: str, name: str = "mlmock passive") -> None:
        suites = ET.Element("testsuites", name=name)
        by_rule: dict[str, list[PassiveViolation]] = {}
        for v in self.violations:
            by_rule.setdefault(v.rule, []).append(v)
        for family in sorted({r.family for r in PASSIVE.values()}):
            rules = [r for r in PASSIVE.values() if r.family == family]
            failures = sum(1 for r in rules if r.name in self.counts and r.fails(self.strict))
            suite = ET.SubElement(suites, "testsuite", name=f"passive.{family}", tests=str(len(rules)),
                                  failures=str(failures), errors="0", skipped="0")
            for rule in rules:
                case = ET.SubElement(suite, "testcase", classname=f"passive.{family}", name=rule.name)
                seen = by_rule.get(rule.name, [])
                if rule.name in self.counts:
                    text = "\n".join(v.line() for v in seen[:20])
                    tag = "failure" if rule.fails(self.strict) else "system-out"
                    element = ET.SubElement(case, tag)
                    if tag == "failure":
                        element.set("message", f"{self.counts[rule.name]} violations: {seen[0].message[:300]}"
                                    if seen else f"{self.counts[rule.name]} violations")
                    element.text = text
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
