"""The OpenAPI documents and the reader of their ``x-mlmock-*`` rules.

Both the mock (``mlmock.mockserver``) and the contract suite (``mlmock.contracts``) import this
package, so every semantic rule is read from one place.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import cache
from .declarations import ApiDeclaration, Filter, Kind, Operation, read_declaration

SPEC_DIR = Path(__file__).resolve().parent
DOCUMENTS = {"openmetadata": "openmetadata.yaml", "wml": "wml.yaml"}

__all__ = [
    "ApiDeclaration",
    "DOCUMENTS",
    "Filter",
    "Kind",
    "Operation",
    "available",
    "declaration",
    "digest",
    "document",
    "path",
]


def path(api: str) -> Path:
    """File path of the OpenAPI document of ``api`` ("openmetadata" or "wml")."""
    try:
        return SPEC_DIR / DOCUMENTS[api]
    except KeyError:
        raise ValueError(f"unknown API {api!r}; known: {', '.join(sorted(DOCUMENTS))}") from None


def available() -> list[str]:
    """The APIs whose document is present."""
    return [name for name, file in DOCUMENTS.items() if (SPEC_DIR / file).is_file()]


@functools.cache
def _load(api: str) -> tuple[dict, str]:
    # Parsed once per process, and across processes from the spec cache (spec/cache.py), keyed by
    # the file's bytes.
    return cache.parse_yaml(path(api))


def document(api: str) -> dict:
    """The parsed OpenAPI document (shared, do not mutate)."""
    return _load(api)[0]


def digest(api: str) -> str:
    """A digest of the bytes ``document(api)`` was parsed from (a cache key for what derives from it)."""
    return _load(api)[1]


@functools.cache
def declaration(api: str) -> ApiDeclaration:
    """The semantic rules of ``api``, read from its ``x-mlmock-*`` extensions."""
    return read_declaration(document(api), source=f"spec/{DOCUMENTS[api]}")
