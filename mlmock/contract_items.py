"""The contract suite as pytest items: ``pytest --mlmock-target-url URL --mlmock-api wml`` makes each
rule x subject its own test, so pytest's selection (``-k``), reporting, ``--junitxml`` and ``-n``
apply. Registered by :mod:`mlmock.pytest_plugin`; built on the contracts package's public pieces
(``registry.RULES``, ``Rule.subjects``, ``Context``, ``Violation``/``Skip``), as ``run_suite`` is.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

_TARGET = pytest.StashKey[Any]()
_RUN = uuid.uuid4().hex[:6]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlmock", "the mlmock contract suite against a server")
    group.addoption("--mlmock-target-url", default=None, metavar="URL",
                    help="run the contract suite against this server root, one test per rule and subject")
    group.addoption("--mlmock-api", default=None, choices=["openmetadata", "wml"],
                    help="the API the target implements (with --mlmock-target-url)")
    group.addoption("--mlmock-token", default=None, help="bearer token (default: mlmock's dev token)")
    group.addoption("--mlmock-max-examples", type=int, default=25, help="generated cases per operation and mode")
    group.addoption("--mlmock-seed", type=int, default=0, help="makes generated data repeatable")
    group.addoption("--mlmock-space-id", default=None, help="WML: the space resources are created in")
    group.addoption("--mlmock-other-space-id", default=None, help="WML: a second space, for the isolation rules")


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


def _target(config: pytest.Config):
    if _TARGET not in config.stash:
        from mlmock import DEFAULT_TOKEN
        from mlmock.contracts.target import Target

        target = Target.from_url(config.getoption("mlmock_target_url"),
                                 token=config.getoption("mlmock_token") or DEFAULT_TOKEN)
        config.stash[_TARGET] = target
        config.add_cleanup(target.close)
    return config.stash[_TARGET]


class ContractItem(pytest.Item):
    """One rule on one subject (a kind, an operation or the whole API) of the target."""

    def __init__(self, *, rule, subject, declaration, **kwargs):
        super().__init__(**kwargs)
        self.rule, self.subject, self.declaration = rule, subject, declaration
        self.add_marker(pytest.mark.mlmock_contract)
        self.add_marker(getattr(pytest.mark, rule.family))

    def runtest(self) -> None:
        from mlmock.contracts.context import DEFAULT_API_VERSION, Context
        from mlmock.contracts.registry import subject_name
        from mlmock.contracts.results import Skip

        config = self.config
        ctx = Context(api=self.declaration, target=_target(config), seed=config.getoption("mlmock_seed"),
                      max_examples=config.getoption("mlmock_max_examples"),
                      scope=f"{self.rule.name}:{subject_name(self.subject)}", run=_RUN,
                      space=config.getoption("mlmock_space_id"),
                      other_space=config.getoption("mlmock_other_space_id"), api_version=DEFAULT_API_VERSION)
        try:
            self.rule.fn(ctx, self.subject)
        except Skip as skip:
            pytest.skip(str(skip))

    def repr_failure(self, excinfo, style=None):
        from mlmock.contracts.results import Violation

        if isinstance(excinfo.value, Violation):
            violation = excinfo.value
            reproduction = getattr(violation, "curl", None) or violation.reproduction
            text = f"{self.rule.name} on {self.name.rsplit('::', 1)[-1]}: {violation.message}"
            return text + (f"\n  reproduce: {reproduction}" if reproduction else "")
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"contract {self.name}"
