"""The development-tool layers around the guarded app, assembled in one place.

    request -> ControlPlane --/_mlmock/...--> control API and dashboard
                    |
                    +--> JournalLayer -> FaultLayer -> Guard -> connexion -> engine

The control plane is outside the journal and the fault rules: a rule for ``*`` never breaks the
dashboard, and the dashboard's polling never fills the journal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp

from mlmock.spec.declarations import ApiDeclaration

from ..core.engine import Engine
from ..http.routes import Routes
from .control import Control
from .control_http import ControlPlane
from .faults import FaultLayer, Faults
from .journal import Journal, JournalLayer


@dataclass
class DevTools:
    asgi: ControlPlane
    journal: Journal
    faults: Faults
    control: Control
    routes: Routes


def wrap(guarded: ASGIApp, *, engine: Engine, apis: Mapping[str, ApiDeclaration],
         routes: Routes | None = None, journal: Journal | None = None, seed: int | None = None) -> DevTools:
    """The dev-tool layers around ``guarded``, sharing the app's routing table (built from ``apis``
    when none is given)."""
    routes = routes or Routes(apis)
    journal = journal or Journal()
    faults = Faults(seed)
    control = Control(engine=engine, apis=apis, journal=journal, faults=faults, inner=guarded, seed=seed)
    data_plane = JournalLayer(FaultLayer(guarded, faults=faults, routes=routes),
                              journal=journal, routes=routes)
    return DevTools(asgi=ControlPlane(data_plane, control), journal=journal, faults=faults, control=control,
                    routes=routes)
