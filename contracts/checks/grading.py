"""The level of a generated-case finding: documented, or a reading of a silence.

A schema constraint that is the project's reading, not the reference's word, carries
``x-mlmock-provenance: {level: reading, source: ..., documented: <schema>}`` in the spec:
``documented`` is the weakest schema the reference itself supports (``{}`` when it says nothing).
A finding of ``schema.positive`` or ``schema.negative`` is a reading verdict, a warning unless
``--strict``, when it disappears once every such constraint is relaxed to its documented form:

- a negative case accepted by the server, whose only negative part is the body, and whose body
  is valid against the relaxed body schema (the body broke a reading, nothing the reference says);
- an answer body that breaks its response schema but fits the relaxed one.

Anything else stays a documented verdict: grading never hides a finding the reference supports.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from schemathesis.core.failures import Failure, FailureGroup

from mlmock.spec import document
from mlmock.spec.declarations import ApiDeclaration, Operation

from ..registry import provenance_reading

MARK = "x-mlmock-provenance"
_URN = "urn:mlmock:spec"


@functools.cache
def _relaxed(api_name: str) -> tuple[dict, tuple[str, ...]]:
    """The API's document with every reading-marked schema replaced by its documented form, and
    the sources of those readings."""
    sources: list[str] = []

    def relax(node: Any) -> Any:
        if isinstance(node, dict):
            source = provenance_reading(node)  # the one reader of the mark's level (registry.py)
            if source is not None and "documented" in node[MARK]:
                sources.append(source)
                return relax(copy.deepcopy(node[MARK]["documented"]))
            return {key: relax(value) for key, value in node.items()}
        if isinstance(node, list):
            return [relax(item) for item in node]
        return node

    return relax(document(api_name)), tuple(dict.fromkeys(sources))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@functools.cache
def _registry(api_name: str):
    """The relaxed document as a schema resource (built once per API)."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    return Registry().with_resource(_URN, Resource.from_contents(_relaxed(api_name)[0], default_specification=DRAFT4))


def _valid(api: ApiDeclaration, pointer: str, value: Any) -> bool:
    """Whether ``value`` fits the relaxed schema at ``pointer`` (a pointer into the document)."""
    from openapi_schema_validator import OAS30Validator

    node: Any = _relaxed(api.name)[0]
    for token in pointer.lstrip("/").split("/"):
        node = node.get(token.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        if node is None:
            return False
    return OAS30Validator({"$ref": f"{_URN}#{pointer}"}, registry=_registry(api.name)).is_valid(value)


def body_only_negative(case) -> bool:
    components = getattr(getattr(case, "meta", None), "components", None) or {}
    negative = {getattr(location, "value", str(location)) for location, info in components.items()
                if info.mode.is_negative}
    return negative == {"body"}


def _reading_only(api: ApiDeclaration, op: Operation, case, response, failure: Failure) -> bool:
    from schemathesis.core.failures import AcceptedNegativeData
    from schemathesis.openapi.checks import JsonSchemaError

    base = f"/paths/{_escape(op.path)}/{op.method.lower()}"
    if isinstance(failure, AcceptedNegativeData):
        media = getattr(case, "media_type", None) or "application/json"
        return body_only_negative(case) and _valid(
            api, f"{base}/requestBody/content/{_escape(media)}/schema", case.body)
    if isinstance(failure, JsonSchemaError):
        status = str(response.status_code)
        declared = response.headers.get("content-type") or "application/json"
        if isinstance(declared, list):  # schemathesis' responses keep every value of a header
            declared = declared[0] if declared else "application/json"
        media = declared.split(";")[0].strip()
        try:
            body = response.json()
        except ValueError:
            return False
        responses = _relaxed(api.name)[0]["paths"].get(op.path, {}).get(op.method.lower(), {}).get("responses", {})
        key = status if status in responses else "default"
        return _valid(api, f"{base}/responses/{key}/content/{_escape(media)}/schema", body)
    return False


def reading_behind(api: ApiDeclaration, op: Operation, case, response, error: Failure | FailureGroup) -> str | None:
    """The reading(s) a finding rests on when every failure in it disappears under the documented
    forms of the reading-marked constraints; None when any part of it is documented."""
    readings = _relaxed(api.name)[1]
    if not readings or response is None:
        return None
    failures = list(error.exceptions) if isinstance(error, FailureGroup) else [error]
    if failures and all(_reading_only(api, op, case, response, f) for f in failures):
        return "; ".join(readings)
    return None
