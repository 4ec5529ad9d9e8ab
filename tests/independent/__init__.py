"""A second, independent implementation of both APIs (never imports the mock or the contracts)."""

from __future__ import annotations

from starlette.applications import Starlette

from . import openmetadata, wml


def create_app(token: str = "independent-token") -> Starlette:
    return Starlette(routes=openmetadata.build(token) + wml.build(token))
