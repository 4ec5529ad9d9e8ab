"""What a rule works with: the API's declarations, the target, and resource factories.

Request bodies are derived from the spec: the minimal instance of the create schema (required
properties only), with a fresh name and, when the kind has a parent, a freshly created parent.
Nothing here is specific to one kind.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get, pointer_set

from .results import Skip, expect
from .target import Target

_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass
class Context:
    api: ApiDeclaration
    target: Target
    seed: int = 0
    max_examples: int = 25
    scope: str = ""
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        # Repeatable per (seed, rule, subject); ``run`` keeps names of two runs against one
        # persistent server apart without making generated data depend on the clock.
        self.random = random.Random(f"{self.seed}:{self.scope}")

    # ------------------------------------------------------------------ URLs and calls

    def url(self, op: Operation, **path: str) -> str:
        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name not in path:
                raise KeyError(f"{op.operation_id} needs path parameter {name!r}")
            return quote(str(path[name]), safe="")
        return self.api.base_path + _PARAM.sub(fill, op.path)

    def call(self, op: Operation, *, path: Mapping[str, str] | None = None, token: str | None = "default",
             **kwargs: Any) -> httpx.Response:
        return self.target.request(op.method, self.url(op, **(path or {})), token=token, **kwargs)

    def operation(self, kind: Kind, action: str) -> Operation:
        op = self.api.operation(kind.name, action)
        if op is None:
            raise Skip(f"{kind.name} has no {action} operation")
        return op

    @staticmethod
    def id_param(op: Operation) -> str:
        names = _PARAM.findall(op.path)
        if not names:
            raise KeyError(f"{op.operation_id} has no path parameter")
        return names[-1]

    # ------------------------------------------------------------------ data

    def name(self, prefix: str = "mlmock") -> str:
        return f"{prefix}_{self.run}_{uuid.UUID(int=self.random.getrandbits(128)).hex[:10]}"

    def minimal(self, schema: Mapping[str, Any]) -> Any:
        """The smallest instance of ``schema``: required properties only, first enum values."""
        schema = self.api.resolve(schema)
        if "default" in schema:
            return schema["default"]
        if "enum" in schema:
            return schema["enum"][0]
        for combinator in ("oneOf", "anyOf", "allOf"):
            if combinator in schema:
                return self.minimal(schema[combinator][0])
        kind = schema.get("type", "object")
        if kind == "object":
            props = schema.get("properties", {})
            return {name: self.minimal(props.get(name, {})) for name in schema.get("required", ())}
        if kind == "array":
            return [self.minimal(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return float(schema.get("minimum", 1))
        if kind == "boolean":
            return False
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.UUID(int=self.random.getrandbits(128)))
        if fmt == "uri":
            return "http://example.com/"
        if fmt == "date-time":
            return "2024-01-01T00:00:00Z"
        if fmt == "date":
            return "2024-01-01"
        return "x" * max(1, schema.get("minLength", 1))

    def body_schema(self, op: Operation, media: str = "application/json") -> Mapping[str, Any]:
        content = (op.request_body or {}).get("content", {})
        if media not in content:
            raise Skip(f"{op.operation_id} takes no {media} body")
        schema = self.api.resolve(content[media]["schema"])
        if schema.get("type") == "array":
            schema = self.api.resolve(schema["items"])
        return schema

    def create_body(self, kind: Kind, *, parent: Mapping[str, Any] | None = None,
                    **overrides: Any) -> dict[str, Any]:
        """A valid create body for ``kind`` (creating its parent first unless one is given)."""
        op = self.operation(kind, "create") if self.api.operation(kind.name, "create") \
            else self.operation(kind, "upsert")
        body = self.minimal(self.body_schema(op))
        if kind.name_pointer:
            pointer_set(body, kind.name_pointer, self.name(kind.name))
        if kind.parent is not None:
            parent = parent if parent is not None else self.create(self.api.kinds[kind.parent.kind])
            pointer_set(body, kind.parent.field, pointer_get(parent, kind.parent.lookup))
        for pointer, value in overrides.items():
            pointer_set(body, pointer if pointer.startswith("/") else "/" + pointer, value)
        return body

    def create(self, kind: Kind, *, parent: Mapping[str, Any] | None = None, **overrides: Any) -> dict:
        """Create a resource of ``kind`` through its create (or upsert) operation."""
        op = self.api.operation(kind.name, "create") or self.operation(kind, "upsert")
        body = self.create_body(kind, parent=parent, **overrides)
        response = self.call(op, json=body)
        expect(response.status_code in op.success_statuses,
               f"{op.operation_id} of a valid body should succeed with one of {op.success_statuses}",
               response)
        return response.json()

    def fetch(self, kind: Kind, id_: str, **params: Any) -> httpx.Response:
        op = self.operation(kind, "get")
        return self.call(op, path={self.id_param(op): id_}, params=params or None)

    def id_of(self, kind: Kind, entity: Mapping[str, Any]) -> str:
        return pointer_get(entity, kind.id)

    def parent_filter(self, kind: Kind, list_op: Operation) -> tuple[str, str] | None:
        """(query parameter, parent pointer) of a list filter that selects one parent's children."""
        if kind.parent is None:
            return None
        for flt in list_op.filters:
            if flt.field.startswith(kind.parent.field + "/") or flt.field == kind.parent.field:
                return flt.param, flt.field[len(kind.parent.field):] or kind.parent.lookup
        return None
