"""Generation bounds: the schema family draws request bodies with small arrays.

Drawing request bodies is most of a default run (``benchmarks/bench_check.py``; cProfile: 70 % of
the suite's CPU in hypothesis' ``draw``), and the cost follows the size of what is drawn. An array
without ``maxItems`` is drawn at any length: 34-item pipeline node lists and 53 KB training
definition bodies were drawn for WML, and those bodies cost 100-200 ms each. Judging a server
needs no such bodies (the body-size limit has its own rule), so the schema family draws from a
copy of the document in which every array a request body reaches holds at most
:data:`GENERATED_ITEMS` items (or ``minItems``, when that is more). Drawing a default WML run went
from 44-50 s to 25-28 s of CPU, OpenMetadata from 17 s to 8 s (whole runs: the README's run times).

- Responses are judged against the document as written: a bounded schema is a copy, under its own
  name, reached only from request bodies.
- A positive case from a bounded schema is a valid request of the documented one (a bound only
  removes values).
- A negative case whose body breaks only a bound added here (four items where the document allows
  any number) is no negative case: :func:`breaks_only_bounds` finds it, and the rule drops it
  before it is sent (``hypothesis.reject``), so no server is blamed for accepting a valid body.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Operation
from mlmock.spec.media import is_json_media

from .grading import body_only_negative

GENERATED_ITEMS = 3
_SCHEMAS = "#/components/schemas/"
_SUFFIX = ".generated"  # component names allow [A-Za-z0-9._-]


def _subschemas(schema: dict) -> Iterator[dict]:
    """The schemas directly inside ``schema`` (not its keywords' other values: a property named
    ``items`` is no ``items`` keyword)."""
    for key in ("properties", "patternProperties"):
        for value in (schema.get(key) or {}).values():
            if isinstance(value, dict):
                yield value
    for key in ("allOf", "anyOf", "oneOf"):
        for value in schema.get(key) or ():
            if isinstance(value, dict):
                yield value
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            yield schema[key]


def _refs(schema: dict) -> Iterator[str]:
    """The component schema names ``schema`` refers to, at any depth."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMAS):
        yield ref[len(_SCHEMAS):]
    for sub in _subschemas(schema):
        yield from _refs(sub)


def _bound(schema: dict, renamed: set[str]) -> None:
    """Bound every array in ``schema`` (in place), and point its references at the bounded copies."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMAS) and ref[len(_SCHEMAS):] in renamed:
        schema["$ref"] = ref + _SUFFIX
    if (schema.get("type") == "array" or "items" in schema) and "maxItems" not in schema:
        schema["maxItems"] = max(schema.get("minItems") or 0, GENERATED_ITEMS)
    for sub in _subschemas(schema):
        _bound(sub, renamed)


def _request_schemas(raw: dict) -> Iterator[dict]:
    """Every JSON request body schema of ``raw``, inline or in ``components/requestBodies``."""
    bodies = [op["requestBody"] for item in raw.get("paths", {}).values() for op in item.values()
              if isinstance(op, dict) and isinstance(op.get("requestBody"), dict)]
    bodies += list(raw.get("components", {}).get("requestBodies", {}).values())
    for body in bodies:
        for media, content in (body.get("content") or {}).items():
            if is_json_media(media) and isinstance(content, dict) and isinstance(content.get("schema"), dict):
                yield content["schema"]


def reached(components: dict, schemas: list[dict]) -> set[str]:
    """The names of the component schemas ``schemas`` refer to, directly or through each other."""
    found: set[str] = set()
    pending = [name for schema in schemas for name in _refs(schema)]
    while pending:
        name = pending.pop()
        if name in found or name not in components:
            continue
        found.add(name)
        pending += list(_refs(components[name]))
    return found


def bounded(raw: dict) -> dict:
    """``raw`` (changed in place and returned) with every array its JSON request bodies reach bounded
    to :data:`GENERATED_ITEMS` items; the component schemas they reach are bounded as copies named
    ``<name>.generated``, so that responses keep the schemas as written."""
    components = raw.get("components", {}).get("schemas", {})
    requests = list(_request_schemas(raw))
    names = reached(components, requests)
    for name in names:
        components[name + _SUFFIX] = copy.deepcopy(components[name])
        _bound(components[name + _SUFFIX], names)
    for schema in requests:
        _bound(schema, names)
    return raw


@functools.lru_cache(maxsize=256)
def _validator(api: ApiDeclaration, operation_id: str, media: str):
    from openapi_schema_validator import OAS30Validator

    content = (api.operations[operation_id].request_body or {}).get("content") or {}
    media_type = content.get(media) or {}
    if "schema" not in media_type:
        return None
    return OAS30Validator({**dict(media_type["schema"]), "components": api.document.get("components", {})})


def breaks_only_bounds(api: ApiDeclaration, op: Operation, case: Any) -> bool:
    """Whether a negative ``case`` is negative only through a bound of this module: its body is the
    only part generated invalid, and the document as written accepts that body."""
    media = getattr(case, "media_type", None) or "application/json"
    if not body_only_negative(case) or not is_json_media(media):
        return False
    validator = _validator(api, op.operation_id, media)
    return validator is not None and validator.is_valid(case.body)
