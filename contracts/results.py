"""Outcomes of rules, and how they are reported (console table, JUnit XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

import httpx

from .target import curl, describe


class Violation(AssertionError):
    """The target broke a rule; carries the request that shows it.

    ``reading`` names the reading (``spec/README.md``) when the broken expectation is the project's
    reading of a silence inside an otherwise documented rule: the verdict then has provenance
    ``reading`` (a warning unless ``--strict``).
    """

    def __init__(self, message: str, response: httpx.Response | None = None, *, reading: str | None = None):
        super().__init__(message)
        self.message = message
        self.response = response
        self.reading = reading

    @property
    def reproduction(self) -> str | None:
        return curl(self.response.request) if self.response is not None else None


class Skip(Exception):
    """The rule does not apply here (a precondition is not met)."""


class NotServed(Skip):
    """The rule needs an operation the target does not serve at all."""


class SetupFailed(Exception):
    """Creating a fixture the rule needs was refused: one finding, the dependent rules are blocked."""

    def __init__(self, operation_id: str, message: str, response: httpx.Response | None = None):
        super().__init__(message)
        self.operation_id = operation_id
        self.message = message
        self.response = response


def expect(condition: bool, message: str, response: httpx.Response | None = None, *,
           reading: str | None = None) -> None:
    if not condition:
        if response is not None:
            message = f"{message} (got {describe(response)})"
        raise Violation(message, response, reading=reading)


STATUSES = ("passed", "failed", "warned", "blocked", "skipped", "error")


@dataclass
class Outcome:
    rule: str
    family: str
    subject: str
    status: str  # passed | failed | blocked | skipped | error ("warned" is how a non-failing failure shows)
    message: str = ""
    reproduction: str | None = None
    seconds: float = 0.0
    provenance: str = "documented"  # of the verdict: a rule's, or ``reading`` when a reading was broken
    source: str = ""


@dataclass
class Report:
    api: str
    outcomes: list[Outcome] = field(default_factory=list)
    strict: bool = False
    unserved: list[str] = field(default_factory=list)  # "METHOD /path" of documented operations not served
    created: int = 0  # resources the suite created (sandbox spaces included)
    not_removed: int = 0  # of those, how many it could not delete at the end
    kept: bool = False

    @property
    def failed(self) -> list[Outcome]:
        """Every violation and crash, whatever its provenance (``failing`` says which end the run)."""
        return [o for o in self.outcomes if o.status in ("failed", "error")]

    def counts_as_failure(self, outcome: Outcome) -> bool:
        if outcome.status == "error":
            return True
        return outcome.status == "failed" and (self.strict or outcome.provenance != "reading")

    @property
    def failing(self) -> list[Outcome]:
        return [o for o in self.outcomes if self.counts_as_failure(o)]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.failed if not self.counts_as_failure(o)]

    @property
    def exit_code(self) -> int:
        return 1 if self.failing else 0

    def failed_rules(self) -> set[str]:
        return {o.rule for o in self.failed}

    def shown_status(self, outcome: Outcome) -> str:
        return "warned" if outcome.status == "failed" and not self.counts_as_failure(outcome) else outcome.status

    def summary(self) -> str:
        families = list(dict.fromkeys(o.family for o in self.outcomes))
        rows = [("family", *STATUSES)]
        for family in families:
            counts = Counter(self.shown_status(o) for o in self.outcomes if o.family == family)
            rows.append((family, *(str(counts.get(s, 0)) for s in STATUSES)))
        total = Counter(self.shown_status(o) for o in self.outcomes)
        rows.append(("total", *(str(total.get(s, 0)) for s in STATUSES)))
        widths = [max(len(row[i]) for row in rows) for i in range(len(STATUSES) + 1)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if self.unserved:
            lines.append(f"not served ({len(self.unserved)}): " + ", ".join(self.unserved))
        cleanup = "kept (--keep)" if self.kept else f"{self.not_removed} could not be removed"
        lines.append(f"resources created: {self.created}; {cleanup}")
        return "\n".join(lines)

    def details(self) -> str:
        blocks = []
        for o in self.failed:
            label = "WARNING (reading)" if not self.counts_as_failure(o) else o.status.upper()
            block = f"{label} {o.rule} [{o.subject}] ({o.provenance}{': ' + o.source if o.source else ''})" \
                    f"\n  {o.message}"
            if o.reproduction:
                block += f"\n  reproduce: {o.reproduction}"
            blocks.append(block)
        return "\n\n".join(blocks)

    def reasons(self) -> str:
        """Why rules were blocked or skipped, one line per distinct reason."""
        seen = Counter((self.shown_status(o), "not served (operations listed below)"
                        if o.message.startswith("not served") else o.message)
                       for o in self.outcomes if o.status in ("blocked", "skipped"))
        return "\n".join(f"{status}: {message} ({n} rule x subject)" for (status, message), n in seen.items())

    def write_junit(self, path: str) -> None:
        suites = ET.Element("testsuites", name=f"mlmock check {self.api}")
        for family in sorted({o.family for o in self.outcomes}):
            mine = [o for o in self.outcomes if o.family == family]
            suite = ET.SubElement(
                suites, "testsuite", name=f"{self.api}.{family}", tests=str(len(mine)),
                failures=str(sum(o.status == "failed" and self.counts_as_failure(o) for o in mine)),
                errors=str(sum(o.status == "error" for o in mine)),
                skipped=str(sum(o.status in ("skipped", "blocked") for o in mine)),
                time=f"{sum(o.seconds for o in mine):.3f}")
            for o in mine:
                case = ET.SubElement(suite, "testcase", classname=f"{self.api}.{family}",
                                     name=f"{o.rule}[{o.subject}]", time=f"{o.seconds:.3f}")
                props = ET.SubElement(case, "properties")
                ET.SubElement(props, "property", name="provenance", value=o.provenance)
                ET.SubElement(props, "property", name="source", value=o.source)
                ET.SubElement(props, "property", name="status", value=self.shown_status(o))
                text = o.message + (f"\nreproduce: {o.reproduction}" if o.reproduction else "")
                if self.counts_as_failure(o):
                    ET.SubElement(case, "failure" if o.status == "failed" else "error",
                                  message=o.message[:500]).text = text
                elif o.status == "failed":
                    ET.SubElement(case, "system-out").text = f"warning ({o.provenance}: {o.source}): {text}"
                elif o.status in ("skipped", "blocked"):
                    ET.SubElement(case, "skipped", message=f"{o.status}: {o.message}"[:500])
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
