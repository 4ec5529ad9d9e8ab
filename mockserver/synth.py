"""Bodies made from a schema, for responses the ``Prefer`` header asks for (Prism's rules).

Static (the default): a schema's ``example``, else its ``default``, else the first ``enum``
value, else a value fitting its type and ``format`` (``"string"`` and ``0`` when nothing says
more); every declared property is present, arrays hold one item. Dynamic (``dynamic=true``):
random values of the right type, format and bounds, optional properties sometimes left out,
arrays of 0 to 3 items. A string with a ``pattern`` keeps its example (a random string would not
match it).
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Mapping
from typing import Any

from mlmock.spec.declarations import ApiDeclaration

MAX_DEPTH = 8

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


class Synth:
    def __init__(self, api: ApiDeclaration, *, dynamic: bool = False, rng: random.Random | None = None):
        self.api = api
        self.dynamic = dynamic
        self.rng = rng or random.Random()

    def value(self, schema: Mapping[str, Any] | None, depth: int = 0) -> Any:
        schema = self.api.resolve(schema or {})
        if not self.dynamic or schema.get("pattern"):
            for key in ("example", "default"):
                if key in schema:
                    return schema[key]
        if schema.get("enum"):
            return self.rng.choice(schema["enum"]) if self.dynamic else schema["enum"][0]
        if "allOf" in schema:
            return self._all_of(schema, depth)
        for combinator in ("oneOf", "anyOf"):
            if schema.get(combinator):
                branches = schema[combinator]
                return self.value(self.rng.choice(branches) if self.dynamic else branches[0], depth + 1)
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

    def _all_of(self, schema: Mapping[str, Any], depth: int) -> Any:
        merged: dict[str, Any] = {}
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        for branch in [*schema["allOf"], rest]:
            part = self.value(branch, depth + 1) if branch else {}
            if isinstance(part, dict):
                merged.update(part)
            elif not merged:
                return part
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
