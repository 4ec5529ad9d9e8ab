"""One ``Dialect`` object per API family: everything the engine needs of it, registered once.

A dialect knows an API family's representation (envelopes, versions, links), never a particular
kind: its actions serve the spec's ``x-mlmock-op`` actions for every kind, its envelope renders
errors, its seeder writes the read-only catalogues, its verifier accepts the bearer tokens it
issued, its forcer puts a resource into a lifecycle state for the control plane.

    WML = register(Dialect("wml", envelope=_envelope))

    @WML.action("create")
    def create(engine, request): ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlmock.spec.declarations import ApiDeclaration

    from .engine import Engine, Reply, Request
    from .errors import MockError

Action = Callable[["Engine", "Request"], "Reply"]
Envelope = Callable[["MockError", str], tuple[dict[str, Any], dict[str, str]]]
Seeder = Callable[["Engine", "ApiDeclaration"], None]
Verifier = Callable[["Engine", str], "str | None"]
Forcer = Callable[..., dict]


@dataclass(eq=False)
class Dialect:
    name: str
    envelope: Envelope
    actions: dict[str, Action] = field(default_factory=dict)
    seeder: Seeder | None = None
    verifier: Verifier | None = None
    forcer: Forcer | None = None

    def action(self, *names: str) -> Callable[[Action], Action]:
        """Register a function as the handler of ``names`` for every kind of this dialect."""

        def add(fn: Action) -> Action:
            for name in names:
                self.actions[name] = fn
            return fn

        return add

    def seeds(self, fn: Seeder) -> Seeder:
        """Register the seeder of the read-only catalogues (run at start and on reset)."""
        self.seeder = fn
        return fn

    def verifies(self, fn: Verifier) -> Verifier:
        """Register the check of bearer tokens beyond the configured one (WML: issued JWTs)."""
        self.verifier = fn
        return fn

    def forces(self, fn: Forcer) -> Forcer:
        """Register the control plane's ``force a resource into a lifecycle state``."""
        self.forcer = fn
        return fn


_DIALECTS: dict[str, Dialect] = {}


def register(dialect: Dialect) -> Dialect:
    if dialect.name in _DIALECTS and _DIALECTS[dialect.name] is not dialect:
        raise ValueError(f"dialect {dialect.name!r} is registered twice")
    _DIALECTS[dialect.name] = dialect
    return dialect


def dialect(name: str) -> Dialect | None:
    """The registered dialect called ``name`` (None when no module registered it)."""
    return _DIALECTS.get(name)


def serves(name: str) -> bool:
    """Whether ``name`` is a registered dialect with actions (an API without one is not served yet)."""
    found = _DIALECTS.get(name)
    return found is not None and bool(found.actions)
