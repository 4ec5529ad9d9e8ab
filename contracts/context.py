"""What a rule works with: the API's declarations, the target, and resource factories.

Request bodies are derived from the spec: the minimal instance of the create schema (required
properties only, combinators merged), with fresh values for names and unique fields, the scope
(space or project) where the kind has one, and a freshly created parent when the kind needs one.
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

from . import DEFAULT_MAX_EXAMPLES
from .results import NotServed, SetupFailed, Skip
from .target import Target, describe

_PARAM = re.compile(r"\{([^}]+)\}")
_SCALARS = {"string": str, "integer": int, "number": (int, float)}
DEFAULT_API_VERSION = "2024-05-01"


@dataclass
class Context:
    api: ApiDeclaration
    target: Target
    seed: int = 0
    max_examples: int = DEFAULT_MAX_EXAMPLES
    scope: str = ""
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    space: str | None = None
    other_space: str | None = None
    api_version: str = DEFAULT_API_VERSION
    unserved: frozenset[str] = frozenset()  # operation ids the target does not serve (discovery)
    ledger: Ledger | None = None  # what the suite created, for the cleanup at the end
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

    def defaults(self, op: Operation, space: str | None = None) -> dict[str, Any]:
        """Query values every call of ``op`` carries: the API version date and the scope."""
        values: dict[str, Any] = {}
        for param in op.parameters:
            if param["in"] != "query":
                continue
            if param["name"] == "version" and param.get("required"):
                values["version"] = self.api_version
            elif param["name"] == "space_id" and (space or self.space) and op.kind \
                    and "space_id" in self.api.kinds[op.kind].scope:
                values["space_id"] = space or self.space
        return values

    def call(self, op: Operation, *, path: Mapping[str, str] | None = None, token: str | None = "default",
             params: Mapping[str, Any] | None = None, space: str | None = None, bare: bool = False,
             **kwargs: Any) -> httpx.Response:
        """Send ``op``; ``bare`` leaves out the default query values (to test their absence)."""
        if op.operation_id in self.unserved:
            raise NotServed(f"not served: {op.method} {op.path}")
        query = {} if bare else self.defaults(op, space)
        query.update(params or {})
        query = {k: v for k, v in query.items() if v is not None}
        response = self.target.request(op.method, self.url(op, **(path or {})), token=token,
                                       params=query or None, **kwargs)
        if self.ledger is not None and op.kind and op.action in ("create", "upsert", "asset-create") \
                and response.status_code in (200, 201, 202):
            self.ledger.record(self.api, op.kind, response, query.get("space_id"), op=op)
        return response

    def serves(self, op: Operation | None) -> bool:
        """``op`` exists in the spec and the target serves it."""
        return op is not None and op.operation_id not in self.unserved

    def follow(self, href: str) -> httpx.Response:
        """GET a link the server returned, verbatim."""
        return self.target.request("GET", href)

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
        return names[0]

    # ------------------------------------------------------------------ pointers

    @staticmethod
    def representation_pointer(kind: Kind, body_pointer: str) -> str:
        """Where a create-body field lands in the representation (WML splits metadata/entity)."""
        metadata = kind.metadata_fields
        if metadata is None:
            return body_pointer
        first = body_pointer.split("/")[1]
        return ("/metadata" if first in metadata else "/entity") + body_pointer

    @staticmethod
    def body_pointer(kind: Kind, representation_pointer: str) -> str | None:
        """The create-body field behind a representation pointer (None if not client-settable)."""
        if kind.metadata_fields is None:
            return representation_pointer
        for prefix in ("/entity", "/metadata"):
            if representation_pointer.startswith(prefix + "/"):
                return representation_pointer[len(prefix):]
        return None

    # ------------------------------------------------------------------ data

    def name(self, prefix: str = "mlmock") -> str:
        return f"{prefix}_{self.run}_{uuid.UUID(int=self.random.getrandbits(128)).hex[:10]}"

    def _merged(self, schema: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
        schema = self.api.resolve(schema)
        required = list(schema.get("required", ()))
        props = dict(schema.get("properties", {}))
        branches = list(schema.get("allOf", ()))
        for combinator in ("oneOf", "anyOf"):
            if schema.get(combinator):
                branches.append(schema[combinator][0])
        for branch in branches:
            more_required, more_props = self._merged(branch)
            required += [r for r in more_required if r not in required]
            props.update(more_props)
        return required, props

    def minimal(self, schema: Mapping[str, Any]) -> Any:
        """The smallest instance of ``schema``: required properties only, first enum values, and the
        spec's ``example`` (the reference's, where it gives one) for a scalar it fits, so that fixture
        bodies carry what the reference shows (a model's ``type``, a software specification's name)
        rather than placeholders."""
        schema = self.api.resolve(schema)
        if "default" in schema:
            return schema["default"]
        if "enum" in schema:
            return schema["enum"][0]
        if "example" in schema and _fits_scalar(schema, schema["example"]):
            return schema["example"]
        required, props = self._merged(schema)
        kind = schema.get("type") or ("object" if required or props else None)
        if kind is None:
            for combinator in ("oneOf", "anyOf", "allOf"):
                if schema.get(combinator):
                    return self.minimal(schema[combinator][0])
            kind = "object"
        if kind == "object":
            return {name: self.minimal(props.get(name, {})) for name in required}
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
        if fmt == "email":
            return f"{self.random.getrandbits(32):08x}@example.com"
        return "x" * max(1, schema.get("minLength", 1))

    def body_schema(self, op: Operation, media: str = "application/json") -> Mapping[str, Any]:
        content = (op.request_body or {}).get("content", {})
        if media not in content:
            raise Skip(f"{op.operation_id} takes no {media} body")
        schema = self.api.resolve(content[media]["schema"])
        if schema.get("type") == "array":
            schema = self.api.resolve(schema["items"])
        return schema

    def create_op(self, kind: Kind) -> Operation:
        return self.api.operation(kind.name, "create") or self.operation(kind, "upsert")

    def create_body(self, kind: Kind, *, parent: Mapping[str, Any] | None = None, space: str | None = None,
                    **overrides: Any) -> dict[str, Any]:
        """A valid create body for ``kind`` (creating its parent first unless one is given)."""
        op = self.create_op(kind)
        body = self.minimal(self.body_schema(op))
        schema = self.body_schema(op)
        _, props = self._merged(schema)
        if kind.name_pointer:
            pointer = self.body_pointer(kind, kind.name_pointer)
            leaf = pointer.rsplit("/", 1)[1] if pointer else ""
            if pointer and pointer.split("/")[1] not in props and leaf in props:
                pointer = "/" + leaf  # a platform kind's `entity.name` is `name` in its create body (a project)
            if pointer:
                pointer_set(body, pointer, self.name(kind.name))
        for scope_param in kind.scope:
            body.pop(scope_param, None)
        if kind.scope and "space_id" in kind.scope and (space or self.space) and "space_id" in props:
            body["space_id"] = space or self.space
        for unique in kind.unique:
            for pointer in unique.fields:
                target = self.body_pointer(kind, pointer)
                if target and target != self.body_pointer(kind, kind.name_pointer or ""):
                    pointer_set(body, target, self.name(kind.name[:8]).lower())
        if kind.parent is not None:
            if parent is None:
                parent = self.create_parent(kind, space=space)
            pointer_set(body, kind.parent.field, pointer_get(parent, kind.parent.lookup))
        for pointer, value in overrides.items():
            pointer_set(body, pointer if pointer.startswith("/") else "/" + pointer, value)
        self._choose_branch(schema, body, {p.lstrip("/").split("/")[0] for p in overrides})
        return body

    def create_parent(self, kind: Kind, *, space: str | None = None) -> dict:
        """Create a parent fit for ``kind``: `parent.create-with` names the body fields it needs (a
        deployment job runs on a batch deployment; the minimal deployment is an online one)."""
        return self.create(self.api.kinds[kind.parent.kind], space=space, **dict(kind.parent.create_with))

    def _choose_branch(self, schema: Mapping[str, Any], body: dict[str, Any], chosen: set[str]) -> None:
        """An override that sets a property one `oneOf` branch requires picks that branch: the
        properties only the other branches require (the minimal instance's first branch) go."""
        branches = [set(self.api.resolve(b).get("required", ())) for b in schema.get("oneOf", ())]
        picked = [names for names in branches if names & chosen]
        if not picked:
            return
        keep = set().union(*picked)
        for names in branches:
            for name in names - keep:
                body.pop(name, None)

    def create(self, kind: Kind, *, parent: Mapping[str, Any] | None = None, space: str | None = None,
               **overrides: Any) -> dict:
        """Create a resource of ``kind`` through its create (or upsert) operation."""
        op = self.create_op(kind)
        body = self.create_body(kind, parent=parent, space=space, **overrides)
        response = self.call(op, json=body, space=space)
        if response.status_code not in op.success_statuses:
            raise SetupFailed(op.operation_id, f"{op.operation_id} of a valid body should succeed with one of "
                              f"{op.success_statuses} (got {describe(response)})", response)
        if op.answer:  # the answer says where the resource is (a project's `location`): read it there
            id_ = answered_id(op, response.json())
            got = self.fetch(kind, id_, space=space) if id_ else None
            if got is None or got.status_code != 200:
                raise SetupFailed(op.operation_id, f"{op.operation_id} answered where the new {kind.name} is, "
                                  f"but it cannot be read there ({describe(got) if got else response.text[:200]})",
                                  got or response)
            return got.json()
        return response.json()


    def fetch(self, kind: Kind, id_: str, *, space: str | None = None, **params: Any) -> httpx.Response:
        op = self.operation(kind, "get")
        return self.call(op, path={self.id_param(op): id_}, params=params or None, space=space)

    def id_of(self, kind: Kind, entity: Mapping[str, Any]) -> str:
        return pointer_get(entity, kind.id)

    def parent_filter(self, kind: Kind, list_op: Operation) -> tuple[str, str] | None:
        """(query parameter, parent pointer) of a list filter that selects one parent's children."""
        if kind.parent is None:
            return None
        field_in_repr = self.representation_pointer(kind, kind.parent.field)
        for flt in list_op.filters:
            if flt.field == field_in_repr:
                return flt.param, kind.parent.lookup
            if flt.field.startswith(field_in_repr + "/"):
                return flt.param, flt.field[len(field_in_repr):]
        return None

    def tag_filter(self, kind: Kind, list_op: Operation) -> tuple[str, str] | None:
        """(query parameter, body pointer) of a `contains` filter on a client-set list of strings."""
        schema = self.body_schema(self.create_op(kind))
        for flt in list_op.filters:
            if flt.match != "contains":
                continue
            pointer = self.body_pointer(kind, flt.field)
            sub = self.api.schema_at(schema, pointer) if pointer else None
            if sub and sub.get("type") == "array" and self.api.resolve(sub.get("items", {})).get("type") == "string":
                return flt.param, pointer
        return None


class Ledger:
    """Every resource the suite created (through its own calls or schemathesis'), newest last."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self.items: list[tuple[str, str, str | None]] = []  # (kind, id, space)

    def record(self, api: ApiDeclaration, kind_name: str, response: httpx.Response, space: str | None,
               op: Operation | None = None) -> None:
        try:
            body = response.json()
            id_ = answered_id(op, body) if op is not None and op.answer else pointer_get(body, api.kinds[kind_name].id)
        except (ValueError, KeyError, TypeError, AttributeError):
            return
        if isinstance(id_, str):
            scope = space or (pointer_get(body, "/metadata/space_id") if isinstance(body, dict) else None)
            with self._lock:
                if (kind_name, id_, scope) not in self.items:
                    self.items.append((kind_name, id_, scope))

    def extend(self, items) -> None:
        """Add what another ledger recorded (a worker process's), in its order."""
        with self._lock:
            self.items += [tuple(item) for item in items if tuple(item) not in self.items]


def answered_id(op: Operation, body: Any) -> str | None:
    """The id in an answer declared by ``x-mlmock-op.answer`` (``/v2/projects/{id}``)."""
    for link in op.answer:
        value = pointer_get(body, link.pointer)
        pattern = re.escape(link.template).replace(r"\{origin\}", ".*").replace(r"\{id\}", "([^/?#]+)")
        found = re.fullmatch(pattern, value) if isinstance(value, str) else None
        if found:
            return found.group(1)
    return None


def _fits_scalar(schema: Mapping[str, Any], value: Any) -> bool:
    """Whether ``value`` is a string or number that meets ``schema``'s own keywords (type, length,
    pattern, bounds). A format (uuid, date-time...) is left to :meth:`Context.minimal`: an example id
    names a resource that does not exist."""
    expected = _SCALARS.get(schema.get("type", ""))
    if expected is None or isinstance(value, bool) or not isinstance(value, expected) or schema.get("format"):
        return False
    if isinstance(value, str):
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            return False
        return "pattern" not in schema or re.search(schema["pattern"], value) is not None
    return schema.get("minimum", value) <= value <= schema.get("maximum", value)
