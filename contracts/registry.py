"""Rules are small functions registered with their family and the subjects they apply to.

A rule is called once per subject (a resource kind or an operation of the spec) for which its
precondition holds; it raises :class:`~.results.Violation` when the target breaks it and
:class:`~.results.Skip` when it cannot judge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, Provenance

FAMILIES = ("schema", "auth", "pagination", "patch", "conflict", "versioning", "lifecycle", "isolation", "deletion",
            "stateful")
FAMILIES += ("naming", "status")  # issue 15: fully qualified names; documented success answers
FAMILIES += ("content",)  # uploads read back byte for byte (WML content, code, archives)
FAMILIES += ("references",)  # OpenMetadata: references name live entities
FAMILIES += ("errors",)  # issue 15: the error envelope's declared echoes (X-Global-Transaction-Id as trace)

# Where a rule comes from. ``documented``: the API reference says so (``source`` cites the section);
# ``client``: an official SDK breaks without it (``source`` cites what it reads); ``reading``: the
# project's reading of a silence (``source`` names the reading in spec/README.md).
PROVENANCES = ("documented", "client", "reading")


@dataclass(frozen=True)
class Rule:
    name: str
    family: str
    per: str  # "kind" | "operation" | "api"
    when: Callable[[ApiDeclaration, Any], bool]
    fn: Callable[..., None]
    doc: str
    provenance: str = "documented"
    source: str = ""

    def subjects(self, api: ApiDeclaration) -> Iterable[Kind | Operation]:
        if self.per == "api":
            return [api] if self.when(api, api) else []
        pool = api.kinds.values() if self.per == "kind" else api.operations.values()
        return [subject for subject in pool if self.when(api, subject)]


RULES: dict[str, Rule] = {}


def rule(name: str, *, family: str, per: str = "kind",
         when: Callable[[ApiDeclaration, Any], bool] = lambda api, subject: True,
         provenance: str = "documented", source: str = "") -> Callable:
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    if provenance not in PROVENANCES:
        raise ValueError(f"unknown provenance {provenance!r}")

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        RULES[name] = Rule(name=name, family=family, per=per, when=when, fn=fn,
                           doc=(fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
                           provenance=provenance, source=source)
        return fn

    return register


def subject_name(subject: Kind | Operation | ApiDeclaration) -> str:
    if isinstance(subject, Kind | ApiDeclaration):
        return subject.name
    return subject.operation_id


def provenance_reading(node: Any) -> str | None:
    """The reading behind a spec constraint, if its ``x-mlmock-provenance`` says ``reading``.

    ``x-mlmock-provenance: {level: documented|client|reading, source: ...}`` annotates a parameter
    or schema whose constraint a rule enforces; a violation of a ``reading`` constraint is a
    reading verdict (a warning unless ``--strict``). On a schema, ``documented`` gives the weaker
    form the reference supports, against which generated-case findings are graded
    (``checks/grading.py``).
    """
    if isinstance(node, Provenance):  # a kind's, already typed
        return (node.source or "spec/README.md") if node.level == "reading" else None
    mark = node.get("x-mlmock-provenance") if isinstance(node, dict) else None
    if isinstance(mark, dict) and mark.get("level") == "reading":
        return mark.get("source") or "spec/README.md"
    return None
