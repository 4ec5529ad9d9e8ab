"""connexion's check of a spec against the OpenAPI schema, run once per spec and remembered.

``connexion.spec.Specification`` validates every document it is given against the OpenAPI 3.0
schema (with each ``default`` against its own schema): half a second for ``wml.yaml``, on every
start, for the same bytes every time. :func:`add_api` runs that check as before the first time a
spec's bytes are served with a given connexion and jsonschema, and records the verdict in the spec
cache (``mlmock.spec.cache``); later starts with the same bytes and libraries skip it. A spec that
fails the check is never recorded, so it fails (with connexion's own error) on every start.
"""

from __future__ import annotations

import contextvars
from importlib import metadata
from typing import Any

from connexion.spec import OpenAPISpecification

import mlmock.spec as specs
from mlmock.spec import cache

# True while add_api builds a specification whose verdict is on record (this thread or task only).
_VERIFIED: contextvars.ContextVar[bool] = contextvars.ContextVar("mlmock_spec_verified", default=False)
_CURRENT = OpenAPISpecification._validate_spec.__func__  # a classmethod's function
_ORIGINAL = getattr(_CURRENT, "mlmock_original", _CURRENT)  # (this module imported twice)


def _validate_spec(cls, spec) -> None:
    """connexion's check, unless the spec being added has a verdict on record."""
    if _VERIFIED.get():
        return
    _ORIGINAL(cls, spec)


_validate_spec.mlmock_original = _ORIGINAL  # type: ignore[attr-defined]
OpenAPISpecification._validate_spec = classmethod(_validate_spec)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # pragma: no cover - both are dependencies
        return "?"


def verdict_key(api: str) -> str:
    return cache.key(specs.digest(api), "connexion-validates", _version("connexion"), _version("jsonschema"))


def add_api(app: Any, api: str, document: dict, **options: Any) -> None:
    """``app.add_api(document, **options)``, skipping connexion's spec validation when the bytes
    ``document`` was read from (``mlmock.spec.document(api)``) passed it before."""
    digest = verdict_key(api)
    known = cache.load("connexion-valid", digest) is True
    token = _VERIFIED.set(known)
    try:
        app.add_api(document, **options)
    finally:
        _VERIFIED.reset(token)
    if not known:  # connexion validated it, and it passed (InvalidSpecification otherwise)
        cache.store("connexion-valid", digest, True)
