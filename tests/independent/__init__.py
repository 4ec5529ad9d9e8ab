"""A second, independent implementation of both APIs (never imports the mock or the contracts)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from . import openmetadata, wml


def create_app(token: str = "independent-token", *, without: tuple[str, ...] = ()) -> Starlette:
    """The app; ``without`` leaves out the routes under these path prefixes (a partial server,
    answering them with the framework's plain 404, as a server that never heard of them)."""
    routes = [r for r in openmetadata.build(token) + wml.build(token) if not r.path.startswith(without or ("\0",))]
    return Starlette(routes=routes, middleware=[Middleware(wml.Transactions)])
