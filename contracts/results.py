"""Outcomes of rules, and how they are reported (console table, JUnit XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

import httpx

from .target import curl, describe


class Violation(AssertionError):
    """The target broke a rule; carries the request that shows it."""

    def __init__(self, message: str, response: httpx.Response | None = None):
        super().__init__(message)
        self.message = message
        self.response = response

    @property
    def reproduction(self) -> str | None:
        return curl(self.response.request) if self.response is not None else None


class Skip(Exception):
    """The rule does not apply here (a precondition is not met)."""


def expect(condition: bool, message: str, response: httpx.Response | None = None) -> None:
    if not condition:
        if response is not None:
            message = f"{message} (got {describe(response)})"
        raise Violation(message, response)


@dataclass
class Outcome:
    rule: str
    family: str
    subject: str
    status: str  # passed | failed | skipped | error
    message: str = ""
    reproduction: str | None = None
    seconds: float = 0.0


@dataclass
class Report:
    api: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "error")]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def failed_rules(self) -> set[str]:
        return {o.rule for o in self.failed}

    def summary(self) -> str:
        families = sorted({o.family for o in self.outcomes})
        rows = [("family", "passed", "failed", "skipped", "error")]
        for family in families:
            counts = Counter(o.status for o in self.outcomes if o.family == family)
            rows.append((family, *(str(counts.get(s, 0)) for s in ("passed", "failed", "skipped", "error"))))
        total = Counter(o.status for o in self.outcomes)
        rows.append(("total", *(str(total.get(s, 0)) for s in ("passed", "failed", "skipped", "error"))))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def details(self) -> str:
        blocks = []
        for o in self.failed:
            block = f"{o.status.upper()} {o.rule} [{o.subject}]\n  {o.message}"
            if o.reproduction:
                block += f"\n  reproduce: {o.reproduction}"
            blocks.append(block)
        return "\n\n".join(blocks)

    def write_junit(self, path: str) -> None:
        suites = ET.Element("testsuites", name=f"mlmock check {self.api}")
        for family in sorted({o.family for o in self.outcomes}):
            mine = [o for o in self.outcomes if o.family == family]
            suite = ET.SubElement(
                suites, "testsuite", name=f"{self.api}.{family}", tests=str(len(mine)),
                failures=str(sum(o.status == "failed" for o in mine)),
                errors=str(sum(o.status == "error" for o in mine)),
                skipped=str(sum(o.status == "skipped" for o in mine)),
                time=f"{sum(o.seconds for o in mine):.3f}")
            for o in mine:
                case = ET.SubElement(suite, "testcase", classname=f"{self.api}.{family}",
                                     name=f"{o.rule}[{o.subject}]", time=f"{o.seconds:.3f}")
                text = o.message + (f"\nreproduce: {o.reproduction}" if o.reproduction else "")
                if o.status in ("failed", "error"):
                    ET.SubElement(case, "failure" if o.status == "failed" else "error",
                                  message=o.message[:500]).text = text
                elif o.status == "skipped":
                    ET.SubElement(case, "skipped", message=o.message[:500])
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
