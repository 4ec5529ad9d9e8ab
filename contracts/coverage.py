"""The coverage matrix: every normative statement of the references, and what checks it.

Run from a checkout (it reads the defect zoo under ``tests/contracts``)::

    python -m mlmock.contracts.coverage            # rewrite contracts/COVERAGE.md
    python -m mlmock.contracts.coverage --check    # exit 1 when COVERAGE.md is stale

Statements come from ``statements.yaml`` (prose of the references) and from the spec (the
references' per-operation status and parameter tables). Rules come from the registry, and a rule
is listed for a statement only when the registry applies it to the statement's operation or kinds;
defects come from the zoo modules, read without importing them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import mlmock.spec as specs
from mlmock.spec.declarations import ApiDeclaration, Operation

from . import checks  # noqa: F401  (registers the rules)
from .checks import scope, spaces, unknown, version_param
from .checks.scope import requires_scope
from .registry import RULES, subject_name

HERE = Path(__file__).resolve().parent
STATEMENTS = HERE / "statements.yaml"
MATRIX = HERE / "COVERAGE.md"
ZOO = HERE.parent / "tests" / "contracts"
APIS = ("openmetadata", "wml")


@dataclass
class Statement:
    api: str
    section: str
    topic: str
    says: str
    rules: list[str] = field(default_factory=list)
    unchecked: str = ""

    @property
    def checked(self) -> bool:
        return bool(self.rules)


# ----------------------------------------------------------------------------- the zoo


def zoo_defects(directory: Path = ZOO) -> dict[str, dict[str, list[str]]]:
    """{api: {rule: [defect class names]}} from ``*_defects.py``, read with ``ast`` (nothing imported)."""
    modules = {"openmetadata": directory / "om_defects.py", "wml": directory / "wml_defects.py"}
    rules_of: dict[str, str] = {}
    listed: dict[str, list[str]] = {}
    for api, path in modules.items():
        tree = ast.parse(path.read_text())
        names: list[str] = []
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.Assign) and any(getattr(t, "id", "") == "rule" for t in item.targets) \
                            and isinstance(item.value, ast.Constant):
                        rules_of[node.name] = item.value.value
            target = getattr(node, "target", None) or (node.targets[0] if isinstance(node, ast.Assign) else None)
            if getattr(target, "id", "") == "DEFECTS" and isinstance(node.value, ast.List):
                names += [elt.id for elt in node.value.elts if isinstance(elt, ast.Name)]
        listed[api] = names
    out: dict[str, dict[str, list[str]]] = {}
    for api, names in listed.items():
        for name in names:
            out.setdefault(api, {}).setdefault(rules_of[name], []).append(name)
    return out


# ----------------------------------------------------------------------------- applicability


# Kind rules that call only some operations of their kind: the rules' own selection of them.
EXERCISED = {
    "isolation.scope-required": lambda api, kind: scope.scoped_operations(api, kind),
    "versioning.version-on-every-call": lambda api, kind: version_param._operations(api, kind),
    "deletion.unknown-id": lambda api, kind: unknown._operations(api, kind) + unknown._creates_with_parent(api, kind),
    "isolation.unknown-space": lambda api, kind: spaces.unknown_scope_operations(api, kind),
}


def _applies_to_op(api: ApiDeclaration, rule_name: str, op: Operation) -> bool:
    rule = RULES[rule_name]
    subjects = {subject_name(s) for s in rule.subjects(api)}
    if rule.per == "operation":
        return op.operation_id in subjects
    if rule.per == "kind":
        if op.kind not in subjects:
            return False
        select = EXERCISED.get(rule_name)
        return select is None or op in select(api, api.kinds[op.kind])
    return bool(subjects)


def _applies_to_kinds(api: ApiDeclaration, rule_name: str, kinds: Iterable[str]) -> bool:
    rule = RULES[rule_name]
    subjects = {subject_name(s) for s in rule.subjects(api)}
    kinds = list(kinds)
    if rule.per == "kind":
        return bool(subjects & set(kinds))
    if rule.per == "operation":
        return any(api.operations[s].kind in kinds for s in subjects)
    return bool(subjects)


def _known(names: Iterable[str], where: str) -> list[str]:
    names = list(names)
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise ValueError(f"{where} names rules the registry does not have: {unknown}")
    return names


def _matches(entry: dict, action: str | None, status: str) -> bool:
    actions = entry["actions"]
    if "*" not in actions and action not in actions:
        return False
    return any(s == status or (s.endswith("xx") and status.startswith(s[0])) for s in entry["statuses"])


# ----------------------------------------------------------------------------- statements


def _method_path(api: ApiDeclaration, op: Operation) -> str:
    return f"{op.method} {api.base_path}{op.path}"


def _linked_operations(api: ApiDeclaration) -> set[str]:
    """Operations the state machine of ``stateful.links`` chains: those with links, and their targets."""
    found = set()
    for op in api.operations.values():
        for response in op.responses.values():
            for link in (response.get("links") or {}).values():
                found |= {op.operation_id, api.resolve(link).get("operationId")}
    return found - {None}


def _reason(api: ApiDeclaration, op: Operation, what: str, reasons: dict[str, str]) -> str:
    """Why nothing checks ``what`` (a status or "parameter") of ``op``: the most specific reason given."""
    made = op.kind is not None and (api.operation(op.kind, "create") or api.operation(op.kind, "upsert"))
    keys = [f"{what}-{op.action}", f"action-{op.action}", what if what != "parameter" else None,
            "platform" if not made else None, what]
    return next((reasons[k] for k in keys if k in reasons), reasons["default"])


def derived(api: ApiDeclaration, data: dict) -> list[Statement]:
    """Statements the spec transcribes from the reference's per-operation tables."""
    reasons = data["unchecked"]
    out: list[Statement] = []
    linked = _linked_operations(api)
    for op in api.operations.values():
        section = _method_path(api, op)
        for status, response in sorted(op.responses.items()):
            if not status.isdigit():
                continue
            claimed = [r for entry in data["statuses"] if _matches(entry, op.action, status)
                       for r in _known(entry["rules"], "statuses")]
            rules = sorted({r for r in claimed if _applies_to_op(api, r, op)})
            what = (response.get("description") or "").strip().splitlines()[0] if response.get("description") else ""
            reason = "" if rules else _reason(api, op, status, reasons)
            out.append(Statement(api.name, section, "status", f"{status} {what}".strip(), rules, reason))
        for param in op.parameters:
            if param["in"] != "query":
                continue
            scoped = op.kind is not None and param["name"] in api.kinds[op.kind].scope \
                and requires_scope(api, api.kinds[op.kind], op)
            if not (param.get("required") or scoped):
                continue
            if scoped and not param.get("required") and param["name"] != api.kinds[op.kind].scope[0]:
                continue  # "either space_id or project_id": one statement
            claimed = [r for entry in data["parameters"] if param["name"] in entry["params"]
                       and op.action in entry["actions"] for r in _known(entry["rules"], "parameters")]
            rules = sorted({r for r in claimed if _applies_to_op(api, r, op)})
            if scoped and not param.get("required"):
                says = f"one of {', '.join(api.kinds[op.kind].scope)} is required"
            else:
                says = f"`{param['name']}` is required"
            reason = "" if rules else _reason(api, op, "parameter", reasons)
            out.append(Statement(api.name, section, "required", says, rules, reason))
        if op.request_body:
            rules = sorted(r for r in ("schema.negative",) if _applies_to_op(api, r, op))
            out.append(Statement(api.name, section, "formats",
                                 "the request body's schema (required fields, types, formats, patterns, bounds) holds",
                                 rules, "" if rules else reasons["body"]))
        rules = sorted(r for r in ("schema.positive",) if _applies_to_op(api, r, op))
        if op.operation_id in linked and _applies_to_op(api, "stateful.links", op):
            rules.append("stateful.links")
        out.append(Statement(api.name, section, "status", "answers only documented statuses, bodies of their schema",
                             rules, "" if rules else reasons["default"]))
    return out


def written(api: ApiDeclaration, data: dict) -> list[Statement]:
    out = []
    for entry in data["statements"]:
        if entry["api"] != api.name:
            continue
        named = _known(entry.get("rules", ()), f"the statement {entry['says']!r}")
        kinds = entry.get("kinds") or []
        rules = [r for r in named if _applies_to_kinds(api, r, kinds)]
        idle = sorted(set(named) - set(rules))
        if idle:
            raise ValueError(f"the statement {entry['says']!r} names {idle}, which apply to none of {kinds}")
        reason = entry.get("unchecked", "")
        if not rules and not reason:
            raise ValueError(f"the statement {entry['says']!r} needs rules or an `unchecked` reason")
        out.append(Statement(api.name, entry["section"], entry["topic"], entry["says"], rules, reason))
    return out


def statements(data: dict | None = None) -> list[Statement]:
    data = data or yaml.safe_load(STATEMENTS.read_text())
    out: list[Statement] = []
    for name in APIS:
        api = specs.declaration(name)
        out += written(api, data) + derived(api, data)
    return out


# ----------------------------------------------------------------------------- the matrix


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(items: list[Statement] | None = None, zoo: dict | None = None) -> str:
    data = yaml.safe_load(STATEMENTS.read_text())
    items = items if items is not None else statements(data)
    zoo = zoo if zoo is not None else zoo_defects()
    unchecked = Counter(s.unchecked for s in items if not s.checked)
    lines = ["# Coverage of the API references by the contract rules", "",
             "Generated by `python -m mlmock.contracts.coverage` from `contracts/statements.yaml`, the spec, "
             "the rule registry and the defect zoo (`tests/contracts/*_defects.py`); "
             "`tests/contracts/test_coverage.py` fails when this file is stale. Do not edit by hand.", "",
             "References: " + "; ".join(f"{k}: {v}" for k, v in data["references"].items()) + ".", "",
             "## Counts", "",
             f"- statements: {len(items)}",
             f"- checked: {sum(s.checked for s in items)}",
             f"- unchecked: {sum(not s.checked for s in items)}", ""]
    for api in APIS:
        mine = [s for s in items if s.api == api]
        lines.append(f"- {api}: {len(mine)} statements, {sum(s.checked for s in mine)} checked, "
                     f"{sum(not s.checked for s in mine)} unchecked")
    lines += ["", "Unchecked, by reason:", ""]
    lines += [f"- {n}: {reason}" for reason, n in sorted(unchecked.items(), key=lambda x: (-x[1], x[0]))]
    lines += ["", "Rules by provenance: " + ", ".join(
        f"{p} {n}" for p, n in sorted(Counter(r.provenance for r in RULES.values()).items())) + ".", ""]
    for api in APIS:
        lines += [f"## {api}", "", "| section | topic | statement | checked by | defects |", "|---|---|---|---|---|"]
        for s in (s for s in items if s.api == api):
            defects = sorted({d for r in s.rules for d in zoo.get(api, {}).get(r, ())})
            checked = ", ".join(f"`{r}`" for r in s.rules) if s.rules else f"unchecked: {s.unchecked}"
            lines.append(f"| {_cell(s.section)} | {s.topic} | {_cell(s.says)} | {_cell(checked)} | "
                         f"{', '.join(defects) or '-'} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlmock.contracts.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if COVERAGE.md is not current")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not MATRIX.exists() or MATRIX.read_text() != text:
            print(f"{MATRIX} is stale: run python -m mlmock.contracts.coverage", file=sys.stderr)
            return 1
        return 0
    MATRIX.write_text(text)
    print(f"wrote {MATRIX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
