"""Validate a document against a component schema of the spec (OpenAPI 3.0 dialect).

Connexion validates what arrives; this validates what an action is about to store, e.g. the
result of a JSON Patch, which no request schema can describe.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from mlmock.spec.declarations import ApiDeclaration

from .errors import BadRequest
from .fastvalidation import accepts

if TYPE_CHECKING:
    from openapi_schema_validator import OAS30Validator


@functools.lru_cache(maxsize=256)
def _validator(api: ApiDeclaration, schema_name: str) -> OAS30Validator:
    # Imported on the first write, not at start-up: openapi_schema_validator loads pydantic's
    # settings machinery (~0.15 s), which no read needs.
    from openapi_schema_validator import OAS30Validator, oas30_format_checker

    root = {"$ref": f"#/components/schemas/{schema_name}", "components": api.document["components"]}
    return OAS30Validator(root, format_checker=oas30_format_checker)


def validate(api: ApiDeclaration, schema_name: str, instance: Any, *, what: str = "entity") -> None:
    validator = _validator(api, schema_name)
    oas30_format_checker = validator.format_checker
    # The compiled validator only ever accepts what OAS30Validator accepts (fastvalidation.py):
    # anything else, and every error message, comes from OAS30Validator as before.
    if accepts(validator.schema, instance, oas30_format_checker):
        return
    error = next(iter(validator.iter_errors(instance)), None)
    if error is not None:
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        raise BadRequest(f"{what} would be invalid at {where}: {error.message}")
