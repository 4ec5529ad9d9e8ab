"""Compiled JSON Schema validation for connexion's request and response bodies.

connexion (3.3) builds a new ``jsonschema`` validator for every request body and every response
body it checks, and pure-Python ``jsonschema`` then walks the schema: on a list of ten ML models
that is most of the request's time. Here each schema is compiled once with ``jsonschema-rs`` and
used as a fast *acceptance* test:

* the compiled validator says valid -> the body is valid, nothing else runs;
* it says invalid -> connexion's own validator runs exactly as before, so every refusal (status,
  message, the path in it, the log line) is the one connexion produced without this module.

So this module may only ever be *stricter* than connexion's validator, never more lenient; what
makes the compiled validator agree with ``Draft4RequestValidator`` / ``Draft4ResponseValidator``:

* Draft 4 semantics on both sides (``1.0`` is not an integer, ``True`` is not a number, ``$ref``
  siblings ignored);
* ``format``: a custom keyword calls the very format checker of the validator stood in for
  (connexion: ``Draft4Validator.FORMAT_CHECKER``; validation.py: ``oas30_format_checker``) on any
  instance, as ``jsonschema`` does (``int64`` applies to numbers);
* ``pattern``: checked with Python's ``re.search``, as ``jsonschema`` does (not Rust's regex);
* ``nullable`` / ``x-nullable`` (OpenAPI 3.0): unknown to Draft 4, so ``None`` fails the compiled
  check and connexion's validator decides (slow path, same answer);
* a schema with ``writeOnly`` / ``x-writeOnly`` (connexion refuses such properties in responses),
  or one the compiled validator cannot take, is not compiled: connexion's validator alone runs.

Hooked in through connexion's documented ``validator_map`` argument of ``add_api`` (the classes
below replace the ``*/*json`` entries of ``connexion.validators.VALIDATOR_MAP``).
"""

from __future__ import annotations

import logging
import re
import threading
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.validators import VALIDATOR_MAP as CONNEXION_VALIDATOR_MAP
from connexion.validators import JSONRequestBodyValidator, JSONResponseBodyValidator
from jsonschema import Draft4Validator

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - a dependency; without it connexion's validators run alone
    jsonschema_rs = None

log = logging.getLogger("mlmock")

_FORMAT_CHECKER = Draft4Validator.FORMAT_CHECKER
_NOT_COMPILED = object()
# id(schema) -> (schema, compiled validator or _NOT_COMPILED). The schema is kept so that its id is
# never reused by another object while the entry lives. connexion's operation schemas live as long
# as the app; the cache is bounded all the same.
_CACHE: dict[int, tuple[dict, t.Any]] = {}
_CACHE_MAX = 4096
_LOCK = threading.Lock()


# OpenAPI 3.0's validator (validation.py) applies a $ref's siblings, Draft 4 ignores them: a schema
# with one of these asserting keywords beside a $ref is not compiled.
_ASSERTING = frozenset({
    "type", "enum", "properties", "required", "additionalProperties", "patternProperties", "dependencies",
    "items", "additionalItems", "allOf", "anyOf", "oneOf", "not", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "format", "minItems", "maxItems",
    "uniqueItems", "minProperties", "maxProperties", "nullable", "discriminator", "readOnly", "writeOnly",
})


def _format_keyword(checker) -> type:
    """``format`` as ``jsonschema`` checks it: the checker's ``conforms`` on any instance (int64 and
    friends apply to numbers), an unknown format passing."""

    class Format:
        def __init__(self, parent_schema, value, schema_path):
            self.name = value

        def validate(self, instance) -> None:
            if not checker.conforms(instance, self.name):
                raise ValueError("does not conform")

    return Format


class _Pattern:
    """``pattern`` with Python's ``re.search``, as ``jsonschema`` checks it."""

    def __init__(self, parent_schema, value, schema_path):
        self.regex = re.compile(value)

    def validate(self, instance) -> None:
        if isinstance(instance, str) and not self.regex.search(instance):
            raise ValueError("does not match")


def _walk(node, path: frozenset = frozenset()) -> bool:
    """False when the schema holds what the fast path leaves alone, or is cyclic (connexion
    resolves the $refs of a recursive schema into a dict that contains itself)."""
    if isinstance(node, dict | list):
        if id(node) in path:
            return False
        path = path | {id(node)}
    if isinstance(node, dict):
        if "writeOnly" in node or "x-writeOnly" in node:
            return False
        if "$ref" in node and not _ASSERTING.isdisjoint(node):
            return False
        return all(_walk(value, path) for value in node.values())
    if isinstance(node, list):
        return all(_walk(value, path) for value in node)
    return True


def _compile(schema: dict, checker):
    if jsonschema_rs is None or not isinstance(schema, dict):
        return _NOT_COMPILED
    try:
        if not _walk(schema):
            return _NOT_COMPILED
    except RecursionError:
        return _NOT_COMPILED
    try:
        return jsonschema_rs.Draft4Validator(schema, validate_formats=False,
                                             keywords={"pattern": _Pattern, "format": _format_keyword(checker)})
    except Exception as error:  # a schema jsonschema-rs refuses: connexion's validator alone
        log.debug("jsonschema-rs cannot compile a schema (%s); connexion's validator checks it", error)
        return _NOT_COMPILED


def compiled(schema: dict, checker=_FORMAT_CHECKER):
    """The compiled validator of ``schema`` (compiled on first use), or None. ``checker``: the
    format checker of the validator this one stands in for (one per schema object)."""
    entry = _CACHE.get(id(schema))
    if entry is None or entry[0] is not schema:
        with _LOCK:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            entry = (schema, _compile(schema, checker))
            _CACHE[id(schema)] = entry
    validator = entry[1]
    return None if validator is _NOT_COMPILED else validator


def accepts(schema: dict, body: t.Any, checker=_FORMAT_CHECKER) -> bool:
    """True when ``body`` is certainly valid against ``schema``; False: let the slow validator decide."""
    validator = compiled(schema, checker)
    if validator is None:
        return False
    try:
        return validator.is_valid(body)
    except Exception:  # e.g. a value jsonschema-rs cannot take: connexion decides
        return False


class FastJSONRequestBodyValidator(JSONRequestBodyValidator):
    def _validate(self, body: t.Any) -> dict | None:
        if body is not None and accepts(self._schema, body):
            return None  # what connexion's validator.validate() returns for a valid body
        return super()._validate(body)


class FastJSONResponseBodyValidator(JSONResponseBodyValidator):
    def _validate(self, body: dict):
        if body is not None and accepts(self._schema, body):
            return
        super()._validate(body)


def _replaced(media: MediaTypeDict, json_validator: type) -> MediaTypeDict:
    return MediaTypeDict({key: (json_validator if key == "*/*json" else value) for key, value in media.items()})


VALIDATOR_MAP = {
    **CONNEXION_VALIDATOR_MAP,
    "body": _replaced(CONNEXION_VALIDATOR_MAP["body"], FastJSONRequestBodyValidator),
    "response": _replaced(CONNEXION_VALIDATOR_MAP["response"], FastJSONResponseBodyValidator),
}
