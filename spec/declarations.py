"""Typed view of the ``x-mlmock-*`` extensions of an OpenAPI document.

The vocabulary is described in ``spec/README.md``. Nothing here knows about HTTP or storage:
the mock turns these declarations into behaviour, the contract suite into checks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class DeclarationError(ValueError):
    """The document's extensions are inconsistent (a bug in the spec, not in a request)."""


# --------------------------------------------------------------------------- JSON pointers


def pointer_parts(pointer: str) -> list[str]:
    """Split an RFC 6901 pointer into unescaped tokens ("" is the whole document)."""
    if pointer in ("", "/"):
        return []
    if not pointer.startswith("/"):
        raise DeclarationError(f"not a JSON pointer: {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


_MISSING = object()


def pointer_get(document: Any, pointer: str, default: Any = None) -> Any:
    """The value at ``pointer``, or ``default`` when any step is missing."""
    node = document
    for part in pointer_parts(pointer):
        if isinstance(node, Mapping):
            node = node.get(part, _MISSING)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
        if node is _MISSING:
            return default
    return node


def pointer_set(document: dict, pointer: str, value: Any) -> None:
    """Set the value at ``pointer``, creating intermediate objects."""
    parts = pointer_parts(pointer)
    node = document
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def pointer_delete(document: dict, pointer: str) -> None:
    parts = pointer_parts(pointer)
    node = pointer_get(document, "/" + "/".join(parts[:-1])) if len(parts) > 1 else document
    if isinstance(node, dict):
        node.pop(parts[-1], None)


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class PatchRule:
    path: str
    ops: frozenset[str]
    target: str


@dataclass(frozen=True)
class PatchPolicy:
    """Which JSON-Patch operations a kind accepts, and where each documented path lands."""

    media_type: str = "application/json-patch+json"
    ops: frozenset[str] = frozenset({"add", "remove", "replace", "move", "copy", "test"})
    any_path: bool = False
    rules: tuple[PatchRule, ...] = ()

    def rule_for(self, path: str) -> PatchRule | None:
        """The declared rule covering ``path`` (the path itself or a descendant of it)."""
        for rule in self.rules:
            if path == rule.path or path.startswith(rule.path + "/"):
                return rule
        return None

    def allows(self, op: str, path: str) -> bool:
        if self.any_path:
            return op in self.ops
        rule = self.rule_for(path)
        return rule is not None and op in rule.ops

    def translate(self, operations: list[dict]) -> list[dict]:
        """The operations as they act on the representation: each documented path (and ``from``)
        replaced by its declared target (``/name`` -> ``/metadata/name``). Allowed paths only."""
        if self.any_path:
            return [dict(op) for op in operations]
        out = []
        for op in operations:
            op = dict(op)
            for key in ("path", "from"):
                if key in op:
                    rule = self.rule_for(op[key])
                    op[key] = rule.target + op[key][len(rule.path):]
            out.append(op)
        return out


@dataclass(frozen=True)
class Reference:
    """A field of the create body that names another resource."""

    field: str
    kind: str
    lookup: str = "/fullyQualifiedName"
    many: bool = False
    copy: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unique:
    fields: tuple[str, ...]
    within: str = "global"


@dataclass(frozen=True)
class Versioning:
    style: str
    initial: float = 0.1
    minor: float = 0.1
    major: float = 1.0
    major_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeletePolicy:
    soft: bool = False
    hard_param: str | None = None
    restore: bool = False
    cancel_state: str | None = None


@dataclass(frozen=True)
class Pagination:
    style: str
    limit_param: str = "limit"
    order_by: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class Lifecycle:
    field: str
    initial: str
    transitions: Mapping[str, tuple[str, ...]]
    on_patch: str | None = None


@dataclass(frozen=True)
class RelationFields:
    param: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    name: str
    schema: str
    id: str
    name_pointer: str | None = None
    fqn: str | None = None
    scope: tuple[str, ...] = ()
    parent: Reference | None = None
    references: tuple[Reference, ...] = ()
    unique: tuple[Unique, ...] = ()
    immutable: tuple[str, ...] = ()
    server_managed: tuple[str, ...] = ()
    relation_fields: RelationFields | None = None
    patch: PatchPolicy | None = None
    versioning: Versioning | None = None
    delete: DeletePolicy = DeletePolicy()
    pagination: Pagination | None = None
    lifecycle: Lifecycle | None = None
    child_fqns: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filter:
    param: str
    field: str
    match: str = "equals"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    action: str | None
    kind: str | None
    options: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...]
    responses: Mapping[str, Any]
    request_body: Mapping[str, Any] | None
    security: tuple[Mapping[str, Any], ...]

    @property
    def filters(self) -> tuple[Filter, ...]:
        return tuple(
            Filter(param=p["name"], field=p["x-mlmock-filter"]["field"],
                   match=p["x-mlmock-filter"].get("match", "equals"))
            for p in self.parameters
            if "x-mlmock-filter" in p
        )

    def parameter(self, name: str, location: str = "query") -> Mapping[str, Any] | None:
        for p in self.parameters:
            if p["name"] == name and p["in"] == location:
                return p
        return None

    @property
    def success_statuses(self) -> tuple[int, ...]:
        return tuple(sorted(int(s) for s in self.responses if s.isdigit() and s.startswith("2")))

    @property
    def requires_auth(self) -> bool:
        return any(requirement for requirement in self.security)

    @property
    def request_media_types(self) -> tuple[str, ...]:
        if not self.request_body:
            return ()
        return tuple(self.request_body.get("content", {}))


@dataclass(eq=False)  # identity semantics: one declaration per loaded document
class ApiDeclaration:
    name: str
    dialect: str
    base_path: str
    kinds: dict[str, Kind]
    operations: dict[str, Operation]
    document: Mapping[str, Any]

    def operation(self, kind: str, action: str) -> Operation | None:
        """The first operation serving ``action`` on ``kind`` (or None)."""
        for op in self.operations.values():
            if op.kind == kind and op.action == action:
                return op
        return None

    def operations_of(self, kind: str | None = None, action: str | None = None) -> Iterator[Operation]:
        for op in self.operations.values():
            if (kind is None or op.kind == kind) and (action is None or op.action == action):
                yield op

    def resolve(self, node: Any) -> Any:
        """Follow local ``$ref`` links until ``node`` is not a reference."""
        seen = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                raise DeclarationError(f"cannot resolve {ref!r}")
            seen.add(ref)
            node = pointer_get(self.document, ref[1:])
            if node is None:
                raise DeclarationError(f"dangling reference {ref!r}")
        return node

    def schema(self, name: str) -> Mapping[str, Any]:
        found = pointer_get(self.document, f"/components/schemas/{name}")
        if found is None:
            raise DeclarationError(f"no schema {name!r}")
        return self.resolve(found)

    def schema_at(self, schema: Mapping[str, Any], pointer: str) -> Mapping[str, Any] | None:
        """The sub-schema describing ``pointer`` inside instances of ``schema``."""
        node = self.resolve(schema)
        for part in pointer_parts(pointer):
            node = self._child_schema(node, part)
            if node is None:
                return None
        return node

    def _child_schema(self, node: Mapping[str, Any], part: str) -> Mapping[str, Any] | None:
        node = self.resolve(node)
        for combinator in ("allOf", "oneOf", "anyOf"):
            for branch in node.get(combinator, ()):
                found = self._child_schema(branch, part)
                if found is not None:
                    return found
        if part in node.get("properties", {}):
            return self.resolve(node["properties"][part])
        if "items" in node and (part.isdigit() or part == "-"):
            return self.resolve(node["items"])
        extra = node.get("additionalProperties")
        if isinstance(extra, Mapping):
            return self.resolve(extra)
        return None

    def limit_bounds(self, op: Operation, param: str = "limit") -> tuple[int | None, int | None, int | None]:
        """(minimum, maximum, default) of the ``limit`` parameter, from its own schema."""
        declared = op.parameter(param)
        if declared is None:
            return None, None, None
        schema = self.resolve(declared.get("schema", {}))
        return schema.get("minimum"), schema.get("maximum"), schema.get("default")

    def lifecycle_states(self, kind: Kind) -> tuple[str, ...]:
        """The documented states of a kind's lifecycle: the enum of the schema at its field."""
        if kind.lifecycle is None:
            return ()
        node = self.schema_at(self.schema(kind.schema), kind.lifecycle.field)
        return tuple(node.get("enum", ())) if node else ()


def _kind(name: str, raw: Mapping[str, Any]) -> Kind:
    def ref(data: Mapping[str, Any] | None) -> Reference | None:
        if not data:
            return None
        return Reference(field=data["field"], kind=data["kind"],
                         lookup=data.get("lookup", "/fullyQualifiedName"),
                         many=bool(data.get("many", False)), copy=dict(data.get("copy", {})))

    patch = None
    if "patch" in raw:
        p = raw["patch"]
        ops = frozenset(p.get("ops", ("add", "remove", "replace", "move", "copy", "test")))
        if p.get("paths", "any") == "any":
            patch = PatchPolicy(media_type=p.get("media-type", "application/json-patch+json"),
                                ops=ops, any_path=True)
        else:
            rules = tuple(
                PatchRule(path=r["path"], ops=frozenset(r.get("ops", ("add", "remove", "replace"))),
                          target=r.get("target", r["path"]))
                for r in p["paths"]
            )
            patch = PatchPolicy(media_type=p.get("media-type", "application/json-patch+json"),
                                ops=frozenset().union(*(r.ops for r in rules)) if rules else ops,
                                rules=rules)
    versioning = None
    if "versioning" in raw:
        v = raw["versioning"]
        versioning = Versioning(style=v["style"], initial=v.get("initial", 0.1),
                                minor=v.get("minor", 0.1), major=v.get("major", 1.0),
                                major_fields=tuple(v.get("major-fields", ())))
    delete = DeletePolicy()
    if "delete" in raw:
        d = raw["delete"]
        delete = DeletePolicy(soft=bool(d.get("soft", False)), hard_param=d.get("hard-param"),
                              restore=bool(d.get("restore", False)),
                              cancel_state=d.get("cancel-state"))
    pagination = None
    if "pagination" in raw:
        p = dict(raw["pagination"])
        pagination = Pagination(style=p.pop("style"), limit_param=p.pop("limit-param", "limit"),
                                order_by=p.pop("order-by", None), options=p)
    lifecycle = None
    if "lifecycle" in raw:
        lc = raw["lifecycle"]
        lifecycle = Lifecycle(field=lc["field"], initial=lc["initial"],
                              transitions={k: tuple(v) for k, v in lc.get("transitions", {}).items()},
                              on_patch=lc.get("on-patch"))
    relation = None
    if "relation-fields" in raw:
        rf = raw["relation-fields"]
        relation = RelationFields(param=rf.get("param", "fields"), names=tuple(rf.get("names", ())))
    return Kind(
        name=name,
        schema=raw["schema"],
        id=raw["id"],
        name_pointer=raw.get("name"),
        fqn=raw.get("fqn"),
        scope=tuple(raw.get("scope", ())),
        parent=ref(raw.get("parent")),
        references=tuple(filter(None, (ref(r) for r in raw.get("references", ())))),
        unique=tuple(Unique(fields=tuple(u["fields"]), within=u.get("within", "global"))
                     for u in raw.get("unique", ())),
        immutable=tuple(raw.get("immutable", ())),
        server_managed=tuple(raw.get("server-managed", ())),
        relation_fields=relation,
        patch=patch,
        versioning=versioning,
        delete=delete,
        pagination=pagination,
        lifecycle=lifecycle,
        child_fqns=tuple(raw.get("child-fqns", ())),
        raw=raw,
    )


def read_declaration(document: Mapping[str, Any]) -> ApiDeclaration:
    """Read the ``x-mlmock-*`` extensions of an OpenAPI document."""
    api = document.get("x-mlmock-api") or {}
    if "name" not in api or "dialect" not in api:
        raise DeclarationError("x-mlmock-api needs a name and a dialect")
    servers = document.get("servers") or [{"url": "/"}]
    base_path = servers[0]["url"].rstrip("/")
    kinds = {name: _kind(name, raw) for name, raw in (document.get("x-mlmock-kinds") or {}).items()}
    decl = ApiDeclaration(name=api["name"], dialect=api["dialect"], base_path=base_path,
                          kinds=kinds, operations={}, document=document)
    default_security = tuple(document.get("security", ()))
    for path, item in (document.get("paths") or {}).items():
        shared = [decl.resolve(p) for p in item.get("parameters", ())]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            raw = item[method]
            params = {(p["name"], p["in"]): p for p in shared}
            params.update({(p["name"], p["in"]): p
                           for p in (decl.resolve(x) for x in raw.get("parameters", ()))})
            ext = dict(raw.get("x-mlmock-op") or {})
            kind = ext.pop("kind", None)
            action = ext.pop("action", None)
            if kind is not None and kind not in kinds:
                raise DeclarationError(f"{raw.get('operationId')}: unknown kind {kind!r}")
            body = decl.resolve(raw["requestBody"]) if "requestBody" in raw else None
            op = Operation(
                operation_id=raw.get("operationId") or f"{method} {path}",
                method=method.upper(),
                path=path,
                action=action,
                kind=kind,
                options=ext,
                parameters=tuple(params.values()),
                responses={str(k): decl.resolve(v) for k, v in raw.get("responses", {}).items()},
                request_body=body,
                security=tuple(raw.get("security", default_security)),
            )
            if op.operation_id in decl.operations:
                raise DeclarationError(f"duplicate operationId {op.operation_id!r}")
            decl.operations[op.operation_id] = op
    for name, kind in list(decl.kinds.items()):
        if kind.relation_fields is not None and not kind.relation_fields.names:
            decl.kinds[name] = dataclasses.replace(
                kind, relation_fields=RelationFields(kind.relation_fields.param, _enum_of(decl, kind)))
    return decl


def _enum_of(decl: ApiDeclaration, kind: Kind) -> tuple[str, ...]:
    """The allowed relation fields: the item enum of the ``fields`` parameter of the kind's get."""
    get = decl.operation(kind.name, "get")
    param = get.parameter(kind.relation_fields.param) if get else None
    schema = decl.resolve(param.get("schema", {})) if param else {}
    items = decl.resolve(schema.get("items", {}))
    if "enum" not in items:
        raise DeclarationError(f"{kind.name}: relation fields need an enum on {kind.relation_fields.param}")
    return tuple(items["enum"])
