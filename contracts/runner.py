"""Run the registered rules against a target and collect a report.

Before the rules: served-operation discovery (rules on unserved operations are skipped) and,
for WML without a given space, a sandbox of two spaces. Families run side by side (``workers``);
a refused fixture create is one finding and the rules that needed it are ``blocked``. At the end
everything the suite created is deleted, unless ``keep``.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import mlmock.spec as specs
from mlmock.spec.declarations import ApiDeclaration, Kind

from . import (
    DEFAULT_MAX_EXAMPLES,
    checks,  # noqa: F401  (registers the rules)
    cleanup,
    discovery,
    processes,
    sandbox,
)
from .context import DEFAULT_API_VERSION, Context, Ledger
from .registry import FAMILIES, RULES, Rule, provenance_reading, subject_name
from .results import NotServed, Outcome, Report, SetupFailed, Skip, Violation
from .target import Target, Unreachable

# Families that drive hypothesis run one after the other in one worker.
SERIAL = ("schema", "stateful")
# Families that walk whole lists (a kind without a selecting filter) run alone, before the others:
# creates of a family running alongside would change the totals they count.
EXCLUSIVE = ("pagination",)


def selected_rules(families: Iterable[str] | None = None, include: str | None = None,
                   profile: str | None = None) -> list[Rule]:
    wanted = set(families or FAMILIES)
    pattern = re.compile(include) if include else None
    return [r for r in RULES.values() if r.family in wanted and (not pattern or pattern.search(r.name))
            and (profile is None or r.provenance == profile)]


def needs_space(api: ApiDeclaration) -> bool:
    return any("space_id" in kind.scope for kind in api.kinds.values())


def run_suite(api: str, target: Target, *, families: Iterable[str] | None = None,
              include: str | None = None, max_examples: int = DEFAULT_MAX_EXAMPLES, seed: int = 0,
              space: str | None = None, other_space: str | None = None,
              api_version: str = DEFAULT_API_VERSION, on_outcome=None, strict: bool = False,
              profile: str | None = None, workers: int = 1, discover: bool = True, keep: bool = False,
              on_family: Callable[[str, list[Outcome], float], None] | None = None) -> Report:
    """Run every rule of ``families`` (all by default) whose name matches ``include``."""
    declaration = specs.declaration(api)
    rules = selected_rules(families, include, profile)
    report = Report(api=api, strict=strict, kept=keep)
    run = uuid.uuid4().hex[:6]
    ledger = Ledger()
    spaces: list[str] = []
    # Worker processes for the schema family, started now so that their start overlaps the sandbox,
    # the discovery and the exclusive families (processes.py).
    in_workers = processes.Workers(api, target, workers) if processes.usable(target, workers) and any(
        processes.shared_out(rule) for rule in rules) else None
    try:
        if space is None and needs_space(declaration):
            spaces = sandbox.create_spaces(target, run)
            space, other_space = spaces[0], spaces[1]
        defaults = {"version": api_version, **({"space_id": space} if space else {})}
        unserved = discovery.unserved(declaration, target, defaults) if discover else []
        report.unserved = [f"{op.method} {op.path}" for op in unserved]
        unserved_ids = frozenset(op.operation_id for op in unserved)
        _run_rules(declaration, target, rules, report, dict(
            seed=seed, max_examples=max_examples, run=run, space=space, other_space=other_space,
            api_version=api_version, unserved=unserved_ids, ledger=ledger), workers, in_workers, on_outcome, on_family)
    finally:
        if in_workers is not None:
            in_workers.close()
        report.created = len(ledger.items) + len(spaces)
        if not keep:
            report.not_removed = cleanup.remove(declaration, target, ledger, spaces, api_version)
    return report


def judge_one(rule: Rule, subject, ctx: Context) -> tuple[Outcome, Outcome | None]:
    """Run one rule on one subject: its outcome, and the setup finding when a fixture create was
    refused (the outcome is then ``blocked``). ``mlmock check`` and the pytest items both judge here."""
    started = time.perf_counter()
    outcome = Outcome(rule=rule.name, family=rule.family, subject=subject_name(subject), status="passed",
                      provenance=rule.provenance, source=rule.source)
    setup = None
    # A kind the reference does not document (a platform resource) declares `x-mlmock-provenance`:
    # every verdict on it, or on its operations, is then at most that reading.
    kind = subject if isinstance(subject, Kind) else ctx.api.kinds.get(getattr(subject, "kind", None) or "")
    kind_reading = provenance_reading(kind.provenance) if kind is not None else None
    try:
        if getattr(subject, "operation_id", None) in ctx.unserved:
            raise NotServed(f"not served: {subject.method} {subject.path}")
        if isinstance(subject, Kind):
            # A kind the target serves none of (a partial server) is "not served" whatever the rule
            # would have looked at first (some skip on the declaration before any call).
            ops = [op for op in ctx.api.operations.values() if op.kind == subject.name]
            if ops and all(op.operation_id in ctx.unserved for op in ops):
                raise NotServed(f"not served: no operation of {subject.name} "
                                f"({', '.join(f'{op.method} {op.path}' for op in ops[:2])}, ...)")
        rule.fn(ctx, subject)
    except Violation as violation:
        outcome.status = "failed"
        outcome.message = violation.message
        outcome.reproduction = getattr(violation, "curl", None) or violation.reproduction
        if violation.reading or kind_reading:
            outcome.provenance, outcome.source = "reading", violation.reading or kind_reading
    except SetupFailed as failed:
        outcome.status = "blocked"
        outcome.message = f"blocked: the fixture create {failed.operation_id} was refused (see setup)"
        setup = Outcome(rule=f"setup.{failed.operation_id}", family="setup", subject=failed.operation_id,
                        status="failed", message=failed.message,
                        reproduction=Violation(failed.message, failed.response).reproduction,
                        provenance="documented", source="the create operation's documented success status")
    except Skip as skip:
        outcome.status = "skipped"
        outcome.message = str(skip)
    except Unreachable as error:  # preflight reached it: a dropped connection is this rule's error
        outcome.status = "error"
        outcome.message = f"transport failure: {error}"
    except Exception as error:  # a rule that crashes is reported, not hidden
        outcome.status = "error"
        outcome.message = f"{type(error).__name__}: {error}"
    outcome.seconds = time.perf_counter() - started
    return outcome, setup


def _run_rules(declaration, target, rules, report, options, workers, in_workers, on_outcome, on_family) -> None:
    order = {rule.name: n for n, rule in enumerate(rules)}
    # The schema family's operations are shared out among worker processes where it can be
    # (processes.py: hypothesis' generation is most of a run, and threads cannot share it out).
    in_processes = [rule for rule in rules if processes.shared_out(rule)] if in_workers is not None else []
    groups: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule not in in_processes:
            groups.setdefault("hypothesis" if rule.family in SERIAL else rule.family, []).append(rule)
    setups: dict[str, Outcome] = {}
    lock = threading.Lock()

    def settle(outcome: Outcome, setup: Outcome | None) -> Outcome:
        if setup is not None:
            with lock:
                setups.setdefault(setup.subject, setup)
        return outcome

    def judge(rule: Rule, subject) -> Outcome:
        ctx = Context(api=declaration, target=target, scope=f"{rule.name}:{subject_name(subject)}", **options)
        return settle(*judge_one(rule, subject, ctx))

    def run_group(group: list[Rule]) -> list[Outcome]:
        mine: list[Outcome] = []
        for family in dict.fromkeys(r.family for r in group):
            started = time.perf_counter()
            done: list[Outcome] = []
            for rule in (r for r in group if r.family == family):
                for subject in rule.subjects(declaration):
                    outcome = judge(rule, subject)
                    done.append(outcome)
                    if on_outcome is not None:
                        with lock:
                            on_outcome(outcome)
            if on_family is not None:
                with lock:
                    on_family(family, done, time.perf_counter() - started)
            mine += done
        return mine

    def run_in_processes() -> list[Outcome]:
        started = time.perf_counter()
        pairs = [(rule.name, subject.operation_id) for rule in in_processes for subject in rule.subjects(declaration)]
        done: list[Outcome] = []

        def one(outcome: Outcome, setup: Outcome | None) -> None:
            done.append(settle(outcome, setup))
            if on_outcome is not None:
                with lock:
                    on_outcome(outcome)

        created = in_workers.judge(pairs, options, one)
        if options.get("ledger") is not None:
            options["ledger"].extend(created)
        if on_family is not None:
            for family in dict.fromkeys(rule.family for rule in in_processes):
                with lock:
                    on_family(family, [o for o in done if o.family == family], time.perf_counter() - started)
        return done

    alone = [group for name, group in groups.items() if name in EXCLUSIVE]
    jobs = [functools.partial(run_group, group) for name, group in groups.items() if name not in EXCLUSIVE]
    if in_processes:
        jobs.insert(0, run_in_processes)  # the longest: started first
    results = [run_group(group) for group in alone]
    if workers <= 1:
        results += [job() for job in jobs]
    else:
        with ThreadPoolExecutor(max_workers=workers + (1 if in_processes else 0)) as pool:
            results += list(pool.map(lambda job: job(), jobs))
    outcomes = [o for chunk in results for o in chunk]
    outcomes.sort(key=lambda o: order[o.rule])
    report.outcomes.extend(setups.values())
    report.outcomes.extend(outcomes)
