"""The stateful mock: one engine, driven by the specs in ``mlmock.spec``."""

from .app import MockApp, create_app
from .engine import Engine, Settings
from .store import Store

__all__ = ["Engine", "MockApp", "Settings", "Store", "create_app"]
