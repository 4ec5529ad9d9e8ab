"""The contract suite as pytest items: ``pytest --mlmock-target-url URL --mlmock-api wml`` makes each
rule x subject its own test, so pytest's selection (``-k``), reporting, ``--junitxml`` and ``-n``
apply. Registered by :mod:`mlmock.pytest_plugin`; built on the contracts package's public pieces
(``registry.RULES``, ``Rule.subjects``, ``Context``, ``Violation``/``Skip``), as ``run_suite`` is.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mlmock.contracts import DEFAULT_MAX_EXAMPLES

_TARGET = pytest.StashKey[Any]()
_RUN = uuid.uuid4().hex[:6]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlmock", "the mlmock contract suite against a server")
    group.addoption("--mlmock-target-url", default=None, metavar="URL",
                    help="run the contract suite against this server root, one test per rule and subject")
    group.addoption("--mlmock-api", default=None, choices=["openmetadata", "wml"],
                    help="the API the target implements (with --mlmock-target-url)")
    group.addoption("--mlmock-token", default=None, help="bearer token (default: mlmock's dev token)")
    group.addoption("--mlmock-max-examples", type=int, default=DEFAULT_MAX_EXAMPLES,
                    help="generated cases per operation and mode")
    group.addoption("--mlmock-seed", type=int, default=0, help="makes generated data repeatable")
    group.addoption("--mlmock-space-id", default=None, help="WML: the space resources are created in")
    group.addoption("--mlmock-other-space-id", default=None, help="WML: a second space, for the isolation rules "
                    "(without both space options the suite makes its own two spaces and deletes them at the end)")
    group.addoption("--mlmock-strict", action="store_true", default=False,
                    help="fail on the project's readings of silences too (by default they warn)")


def collect(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    url = config.getoption("mlmock_target_url")
    if not url:
        return
    api = config.getoption("mlmock_api")
    if api is None:
        raise pytest.UsageError("--mlmock-target-url needs --mlmock-api (openmetadata or wml)")
    import mlmock.spec as specs
    from mlmock.contracts import runner  # noqa: F401  (registers the rules)
    from mlmock.contracts.registry import RULES, subject_name

    declaration = specs.declaration(api)
    for rule in RULES.values():
        for subject in rule.subjects(declaration):
            name = f"{api}::{rule.name}::{subject_name(subject)}"
            items.append(ContractItem.from_parent(session, name=name, rule=rule, subject=subject,
                                                  declaration=declaration))


class _Session:
    """What every item of one pytest run shares, set up as ``mlmock check`` does: preflight, the
    WML sandbox when no space was given, served-operation discovery; cleanup when pytest ends."""

    def __init__(self, config: pytest.Config, declaration) -> None:
        from mlmock import DEFAULT_TOKEN
        from mlmock.contracts import discovery, preflight, sandbox
        from mlmock.contracts.context import DEFAULT_API_VERSION, Ledger
        from mlmock.contracts.runner import needs_space
        from mlmock.contracts.target import CannotRun, Target, Unreachable

        self.declaration = declaration
        self.target = Target.from_url(config.getoption("mlmock_target_url"),
                                      token=config.getoption("mlmock_token") or DEFAULT_TOKEN)
        self.space = config.getoption("mlmock_space_id")
        self.other_space = config.getoption("mlmock_other_space_id")
        self.ledger, self.spaces = Ledger(), []
        try:
            preflight.check(declaration, self.target, space=self.space, api_version=DEFAULT_API_VERSION)
            if self.space is None and needs_space(declaration):
                self.spaces = sandbox.create_spaces(self.target, _RUN)
                self.space, self.other_space = self.spaces
            defaults = {"version": DEFAULT_API_VERSION, **({"space_id": self.space} if self.space else {})}
            self.unserved = frozenset(op.operation_id for op in discovery.unserved(declaration, self.target, defaults))
        except (CannotRun, Unreachable) as error:
            self.close()
            pytest.exit(f"mlmock contract suite cannot run: {error}", returncode=pytest.ExitCode.USAGE_ERROR)

    def close(self) -> None:
        from mlmock.contracts import cleanup
        from mlmock.contracts.context import DEFAULT_API_VERSION

        try:
            cleanup.remove(self.declaration, self.target, self.ledger, self.spaces, DEFAULT_API_VERSION)
        finally:
            self.target.close()


def _session(config: pytest.Config, declaration) -> _Session:
    if _TARGET not in config.stash:
        session = _Session(config, declaration)
        config.stash[_TARGET] = session
        config.add_cleanup(session.close)
    return config.stash[_TARGET]


class ContractReading(UserWarning):
    """A target broke the project's reading of a silence of the reference (not the reference itself)."""


class ContractItem(pytest.Item):
    """One rule on one subject (a kind, an operation or the whole API) of the target. Verdicts as in
    ``mlmock check``: documented and client rules fail, readings warn unless ``--mlmock-strict``, a
    rule whose fixture create was refused fails as blocked, unserved operations skip."""

    def __init__(self, *, rule, subject, declaration, **kwargs):
        super().__init__(**kwargs)
        self.rule, self.subject, self.declaration = rule, subject, declaration
        self.add_marker(pytest.mark.mlmock_contract)
        self.add_marker(getattr(pytest.mark, rule.family))

    def runtest(self) -> None:
        import warnings

        from mlmock.contracts.context import DEFAULT_API_VERSION, Context
        from mlmock.contracts.registry import subject_name
        from mlmock.contracts.runner import judge_one

        config = self.config
        shared = _session(config, self.declaration)
        ctx = Context(api=self.declaration, target=shared.target, seed=config.getoption("mlmock_seed"),
                      max_examples=config.getoption("mlmock_max_examples"),
                      scope=f"{self.rule.name}:{subject_name(self.subject)}", run=_RUN,
                      space=shared.space, other_space=shared.other_space, api_version=DEFAULT_API_VERSION,
                      unserved=shared.unserved, ledger=shared.ledger)
        outcome, setup = judge_one(self.rule, self.subject, ctx)
        if outcome.status == "skipped":
            pytest.skip(outcome.message)
        if outcome.status == "passed":
            return
        cited = f"{outcome.provenance}: {outcome.source}" if outcome.source else outcome.provenance
        text = f"{self.rule.name} on {outcome.subject} ({cited}): {outcome.message}"
        if setup is not None:
            text += f"\n  setup: {setup.message}"
        reproduction = outcome.reproduction or (setup.reproduction if setup else None)
        if reproduction:
            text += f"\n  reproduce: {reproduction}"
        if outcome.status == "failed" and outcome.provenance == "reading" and not config.getoption("mlmock_strict"):
            warnings.warn(ContractReading(text), stacklevel=1)
            return
        raise ContractFailure(text)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ContractFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"contract {self.name}"


class ContractFailure(AssertionError):
    """The target broke a documented or client rule (or, with ``--mlmock-strict``, a reading)."""
