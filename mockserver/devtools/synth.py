"""Bodies made from a schema, for responses the ``Prefer`` header asks for (Prism's rules).

Static (the default): a schema's ``example``, else its ``default``, else the first ``enum``
value, else a value fitting its type and ``format`` (``"string"`` and ``0`` when nothing says
more); every declared property is present, arrays hold one item. Dynamic (``dynamic=true``):
random values of the right type, format and bounds, optional properties sometimes left out,
arrays of 0 to 3 items. A string with a ``pattern`` keeps its example, else is made from the pattern.
"""

from __future__ import annotations

import random
import re
import string
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlmock.spec.declarations import ApiDeclaration

if TYPE_CHECKING:
    from openapi_schema_validator import OAS30Validator

MAX_DEPTH = 8
MAX_REPAIRS = 50

_STATIC_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "c3RyaW5n",
}


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**base, **{k: v for k, v in extra.items() if k not in ("properties", "required", "description")}}
    if "properties" in base or "properties" in extra:
        merged["properties"] = {**base.get("properties", {}), **extra.get("properties", {})}
    if "required" in base or "required" in extra:
        merged["required"] = list(dict.fromkeys([*base.get("required", ()), *extra.get("required", ())]))
    return merged


class Synth:
    def __init__(self, api: ApiDeclaration, *, dynamic: bool = False, rng: random.Random | None = None):
        self.api = api
        self.dynamic = dynamic
        self.rng = rng or random.Random()

    def sample(self, schema: Mapping[str, Any] | None) -> Any:
        """A value for ``schema`` that validates against it: generated, then repaired where the
        schema's cross-field rules (``not``, ``anyOf`` of ``required``) reject it."""
        # Imported here, not at start-up: it loads pydantic's settings machinery (~0.15 s).
        from openapi_schema_validator import OAS30Validator, oas30_format_checker

        value = self.value(schema)
        root = {**(schema or {}), "components": self.api.document.get("components", {})}
        validator = OAS30Validator(root, format_checker=oas30_format_checker)
        return repair(value, validator)

    def value(self, schema: Mapping[str, Any] | None, depth: int = 0) -> Any:
        schema = self._flatten(self.api.resolve(schema or {}))
        if not self.dynamic or schema.get("pattern"):
            for key in ("example", "default"):
                if key in schema:
                    return schema[key]
        if schema.get("enum"):
            return self.rng.choice(schema["enum"]) if self.dynamic else schema["enum"][0]
        for combinator in ("oneOf", "anyOf"):
            if schema.get(combinator):
                branches = schema[combinator]
                branch = self.rng.choice(branches) if self.dynamic else branches[0]
                rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
                return self.value(_merge(rest, self._flatten(self.api.resolve(branch))), depth + 1)
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if kind == "object" or kind is None and "additionalProperties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "integer":
            return self._number(schema, integer=True)
        if kind == "number":
            return self._number(schema, integer=False)
        if kind == "boolean":
            return self.rng.random() < 0.5 if self.dynamic else True
        if kind == "string":
            return self._string(schema)
        return {} if depth == 0 else "string"

    def _flatten(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """One schema for an ``allOf``: properties and required lists united."""
        if "allOf" not in schema:
            return schema
        merged: Mapping[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for branch in schema["allOf"]:
            merged = _merge(merged, self._flatten(self.api.resolve(branch)))
        return merged

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        required = set(schema.get("required", ()))
        out: dict[str, Any] = {}
        if depth >= MAX_DEPTH:
            names = [n for n in schema.get("properties", {}) if n in required]
        else:
            names = list(schema.get("properties", {}))
        for name in names:
            if self.dynamic and name not in required and self.rng.random() < 0.3:
                continue
            out[name] = self.value(schema["properties"][name], depth + 1)
        extra = schema.get("additionalProperties")
        if not names and isinstance(extra, Mapping) and depth < MAX_DEPTH:
            out["key"] = self.value(extra, depth + 1)
        return out

    def _array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        if depth >= MAX_DEPTH:
            count = low
        elif self.dynamic:
            count = self.rng.randint(low, max(low, min(high, 3)))
        else:
            count = max(low, min(1, high))
        items = [self.value(schema.get("items"), depth + 1) for _ in range(count)]
        if schema.get("uniqueItems") and len({repr(i) for i in items}) < len(items):
            items = items[:1]
        return items

    def _number(self, schema: Mapping[str, Any], *, integer: bool) -> int | float:
        low = schema.get("minimum")
        high = schema.get("maximum")
        if schema.get("exclusiveMinimum") is True and low is not None:
            low = low + 1 if integer else low + 0.5
        if schema.get("exclusiveMaximum") is True and high is not None:
            high = high - 1 if integer else high - 0.5
        lo = low if low is not None else (0 if high is None or high >= 0 else high - 100)
        hi = high if high is not None else lo + 100
        if not self.dynamic:
            value = lo if low is not None or high is None else min(0, hi)
            return int(value) if integer else float(value)
        return self.rng.randint(int(lo), int(hi)) if integer else round(self.rng.uniform(lo, hi), 3)

    def _string(self, schema: Mapping[str, Any]) -> str:
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            made = from_pattern(pattern, self.rng if self.dynamic else None)
            if made is not None and schema.get("minLength", 0) <= len(made) <= schema.get("maxLength", len(made)):
                return made
        fmt = schema.get("format")
        if fmt == "uuid" and self.dynamic:
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        if fmt in _STATIC_FORMATS:
            return _STATIC_FORMATS[fmt]
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", max(low, 16)))
        if not self.dynamic:
            text = "string"
        else:
            size = self.rng.randint(max(low, 1), max(low, 1, min(high, 16)))
            text = "".join(self.rng.choice(string.ascii_lowercase) for _ in range(size))
        if len(text) < low:
            text += "x" * (low - len(text))
        return text[:high] if high >= low else text


def _errors(validator: OAS30Validator, value: Any) -> int:
    return sum(1 for _ in validator.iter_errors(value))


def repair(value: Any, validator: OAS30Validator) -> Any:
    """Drop optional parts until ``value`` validates (or nothing more helps): the first error's
    object loses the member whose removal removes errors, else the object itself goes."""
    for _ in range(MAX_REPAIRS):
        error = next(iter(validator.iter_errors(value)), None)
        if error is None:
            return value
        path = list(error.absolute_path)
        target = value
        for part in path:
            target = target[part]
        before = _errors(validator, value)
        fixed = False
        if isinstance(target, dict):
            for key in reversed(list(target)):
                held = target.pop(key)
                if _errors(validator, value) < before:
                    fixed = True
                    break
                target[key] = held
        if not fixed:
            if not path:
                return value
            parent = value
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
    return value


_CATEGORY_CHARS = {"CATEGORY_DIGIT": string.digits, "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
                   "CATEGORY_SPACE": " ", "CATEGORY_NOT_DIGIT": string.ascii_letters,
                   "CATEGORY_NOT_WORD": "-.", "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits}


def from_pattern(pattern: str, rng: random.Random | None) -> str | None:
    """A string matching ``pattern`` (first choices when ``rng`` is None), or None when the
    pattern uses what this small walker does not know."""
    from re import _parser as parser  # the regex parser of the standard library (3.11+)

    def pick(options: str) -> str:
        return rng.choice(options) if rng is not None else options[0]

    def charset(items: list) -> str:
        chars, negate = [], False
        for op, arg in items:
            name = str(op)
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                chars.append(chr(arg))
            elif name == "RANGE":
                chars.extend(chr(c) for c in range(arg[0], min(arg[1], arg[0] + 25) + 1))
            elif name == "CATEGORY":
                chars.extend(_CATEGORY_CHARS.get(str(arg), ""))
        if negate:
            return "".join(c for c in string.ascii_letters + string.digits + "_-" if c not in chars)
        return "".join(chars)

    def walk(tokens: Any) -> str:
        out = []
        for op, arg in tokens:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "NOT_LITERAL":
                out.append("a" if chr(arg) != "a" else "b")
            elif name == "ANY":
                out.append(pick(string.ascii_lowercase))
            elif name == "IN":
                out.append(pick(charset(arg) or "a"))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, body = arg
                high = low + 3 if high == parser.MAXREPEAT else high
                count = max(low, 1) if rng is None else rng.randint(low, max(low, min(high, low + 3)))
                out.extend(walk(body) for _ in range(min(count, high)))
            elif name == "SUBPATTERN":
                out.append(walk(arg[-1]))
            elif name == "BRANCH":
                branches = arg[1]
                out.append(walk(rng.choice(branches) if rng is not None else branches[0]))
            elif name in ("AT", "ASSERT", "ASSERT_NOT"):
                continue  # zero-width: the final match check catches what they forbid
            else:
                raise ValueError(name)
        return "".join(out)

    try:
        made = walk(parser.parse(pattern))
    except (ValueError, TypeError, IndexError, re.error, RecursionError):
        return None
    return made if re.search(pattern, made) else None
