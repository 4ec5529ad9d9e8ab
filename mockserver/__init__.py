"""The stateful mock: one engine, driven by the specs in ``mlmock.spec``."""

from .core.engine import Engine, Settings
from .core.store import Store
from .http.app import MockApp, create_app

__all__ = ["Engine", "MockApp", "Settings", "Store", "create_app"]
