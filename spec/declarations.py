"""Typed view of the ``x-mlmock-*`` extensions of an OpenAPI document.

The vocabulary is described in ``spec/README.md``. Nothing here knows about HTTP or storage:
the mock turns these declarations into behaviour, the contract suite into checks.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .kindparse import parse_kind
from .kinds import (  # noqa: F401  (re-exported: the vocabulary is read from here)
    Attachments,
    DeletePolicy,
    Kind,
    Lifecycle,
    Link,
    Members,
    MetadataNames,
    Pagination,
    PatchPolicy,
    PatchRule,
    Predict,
    Provenance,
    Reference,
    RelationFields,
    Unique,
    Variant,
    Versioning,
    View,
)
from .opparse import Availability, OpExtensions, ParamPointer, Stats, parse_operation  # noqa: F401  (re-exported)
from .reading import DeclarationError, Node

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


# --------------------------------------------------------------------------- JSON pointers


@functools.lru_cache(maxsize=4096)
def pointer_parts(pointer: str) -> tuple[str, ...]:
    """Split an RFC 6901 pointer into unescaped tokens ("" is the whole document). Remembered: the
    pointers are the spec's own, read on every request (a WML list split 120 per answer)."""
    if pointer in ("", "/"):
        return ()
    if not pointer.startswith("/"):
        raise DeclarationError(f"not a JSON pointer: {pointer!r}")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/"))


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


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Filter:
    """A query parameter selecting list items (``x-mlmock-filter``)."""

    param: str
    field: str
    match: str = "equals"              # equals | contains | has-key
    syntax: str | None = None          # or-and | comma-any: how one value names several
    alternate_fields: tuple[str, ...] = ()
    item_field: str | None = None      # an array of objects, matched on this member of each


FILTER_MATCHES = ("equals", "contains", "has-key")
FILTER_SYNTAXES = ("or-and", "comma-any")


def _filter(param: Mapping[str, Any], source: str, where: str) -> Filter:
    n = Node(param["x-mlmock-filter"], source, where + "/x-mlmock-filter",
             ("field", "match", "syntax", "alternate-fields", "item-field"))
    match, syntax = n.string("match", "equals"), n.string("syntax", None)
    if match not in FILTER_MATCHES:
        raise n.error(f"match must be one of {', '.join(FILTER_MATCHES)}, not {match!r}", "match")
    if syntax not in (None, *FILTER_SYNTAXES):
        raise n.error(f"syntax must be one of {', '.join(FILTER_SYNTAXES)}, not {syntax!r}", "syntax")
    return Filter(param=param["name"], field=n.pointer("field"), match=match, syntax=syntax,
                  alternate_fields=n.pointers("alternate-fields"), item_field=n.pointer("item-field", None))


def _answer(raw: Any, source: str, where: str) -> tuple[Link, ...]:
    """``x-mlmock-op.answer``: a list of ``{pointer, template}`` written into the success body."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise DeclarationError(f"{source}: {where}: expected a non-empty list of {{pointer, template}}")
    links = []
    for i, item in enumerate(raw):
        n = Node(item, source, f"{where}/{i}", ("pointer", "template"))
        links.append(Link(pointer=n.pointer("pointer"), template=n.string("template")))
    return tuple(links)


@dataclass(frozen=True)
class Scope:
    """A scope query parameter and the kind of resource it names (``x-mlmock-api.scopes``)."""

    param: str
    kind: str
    auto_create: bool = False


@dataclass(frozen=True)
class EchoedHeader:
    """A request header the API writes back into its error answers (``x-mlmock-echoed-in``).

    Declared on a header parameter (WML's ``X-Global-Transaction-Id``: "the value is anything that
    you choose"), it holds for every request of the API, whichever operations list the parameter.
    """

    name: str      # as declared; HTTP header names compare without case
    pointer: str   # where the sent value lands in an error body (``/trace``)
    description: str = ""  # the parameter's own (what the reference says of the header)


ECHOED_IN = "x-mlmock-echoed-in"


def _echoed(param: Mapping[str, Any], source: str, where: str) -> EchoedHeader:
    n = Node(param, source, where)
    if param.get("in") != "header":
        raise n.error(f"only a header parameter is echoed, not one in {param.get('in')!r}", ECHOED_IN)
    pointer = n.pointer(ECHOED_IN)
    if pointer in ("", "/"):
        raise n.error("expected the pointer of a field of the error body, not the whole body", ECHOED_IN)
    return EchoedHeader(name=param["name"], pointer=pointer, description=" ".join(n.string("description", "").split()))


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
    filters: tuple[Filter, ...] = ()
    # ``x-mlmock-op.answer``: the success body is these links (``{id}``, ``{origin}``), not the
    # resource (a project create answers ``{"location": "/v2/projects/<id>"}``)
    answer: tuple[Link, ...] = ()
    # the typed operation and parameter extensions (spec/opparse.py)
    extensions: OpExtensions = OpExtensions()

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
    scopes: Mapping[str, Scope] = field(default_factory=dict)
    source: str = "<document>"
    echoed_headers: tuple[EchoedHeader, ...] = ()
    # operations_of answers, by (kind, action): the operations are fixed once the document is parsed.
    _selected: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def operation(self, kind: str, action: str) -> Operation | None:
        """The first operation serving ``action`` on ``kind`` (or None)."""
        found = self.operations_of(kind, action)
        return found[0] if found else None

    def operations_of(self, kind: str | None = None, action: str | None = None) -> tuple[Operation, ...]:
        found = self._selected.get((kind, action))
        if found is None:
            found = self._selected[(kind, action)] = tuple(
                op for op in self.operations.values()
                if (kind is None or op.kind == kind) and (action is None or op.action == action))
        return found

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


def read_declaration(document: Mapping[str, Any], source: str = "<document>") -> ApiDeclaration:
    """Read the ``x-mlmock-*`` extensions of an OpenAPI document.

    ``source`` (the file name) prefixes every ``DeclarationError``, with the JSON pointer of the
    malformed node: ``spec/wml.yaml: /x-mlmock-kinds/deployment/lifecycle: unknown key(s) ...``.
    """
    api = Node(document.get("x-mlmock-api") or {}, source, "/x-mlmock-api", ("name", "dialect", "scopes"))
    name, dialect = api.string("name"), api.string("dialect")
    scopes = {}
    if "scopes" in api:
        declared = api.child("scopes")
        for param in declared.data:
            s = declared.child(param, ("kind", "auto-create"))
            scopes[param] = Scope(param=param, kind=s.string("kind"), auto_create=s.flag("auto-create"))
    servers = document.get("servers") or [{"url": "/"}]
    base_path = servers[0]["url"].rstrip("/")
    kinds = {name: parse_kind(name, raw, source) for name, raw in (document.get("x-mlmock-kinds") or {}).items()}
    for scope in scopes.values():
        if scope.kind not in kinds:
            raise api.error(f"scope {scope.param!r} names an unknown kind {scope.kind!r}", "scopes")
    decl = ApiDeclaration(name=name, dialect=dialect, base_path=base_path, kinds=kinds, operations={},
                          document=document, scopes=scopes, source=source)
    default_security = tuple(document.get("security", ()))
    echoed = [_echoed(p, source, f"/components/parameters/{name.replace('~', '~0').replace('/', '~1')}")
              for name, p in ((document.get("components") or {}).get("parameters") or {}).items() if ECHOED_IN in p]
    for path, item in (document.get("paths") or {}).items():
        shared = [decl.resolve(p) for p in item.get("parameters", ())]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            raw = item[method]
            echoed += [_echoed(p, source, f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}/parameters/"
                                          f"{p['name']}")
                       for p in raw.get("parameters", ()) if "$ref" not in p and ECHOED_IN in p]
            params = {(p["name"], p["in"]): p for p in shared}
            params.update({(p["name"], p["in"]): p
                           for p in (decl.resolve(x) for x in raw.get("parameters", ()))})
            ext = dict(raw.get("x-mlmock-op") or {})
            kind = ext.pop("kind", None)
            action = ext.pop("action", None)
            where = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}"
            answer = _answer(ext.pop("answer", None), source, f"{where}/x-mlmock-op/answer")
            if kind is not None and kind not in kinds:
                raise DeclarationError(f"{source}: {where}/x-mlmock-op: unknown kind {kind!r}")
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
                extensions=parse_operation(raw, list(params.values()), source, where),
                filters=tuple(_filter(p, source, f"{where}/parameters/{p['name']}")
                              for p in params.values() if "x-mlmock-filter" in p),
                answer=answer,
            )
            if op.operation_id in decl.operations:
                raise DeclarationError(f"{source}: {where}: duplicate operationId {op.operation_id!r}")
            decl.operations[op.operation_id] = op
    decl.echoed_headers = _check_echoed(decl, echoed)
    for name, kind in list(decl.kinds.items()):
        if kind.relation_fields is not None and not kind.relation_fields.names:
            decl.kinds[name] = dataclasses.replace(
                kind, relation_fields=dataclasses.replace(kind.relation_fields, names=_enum_of(decl, kind)))
    return decl


def _enum_of(decl: ApiDeclaration, kind: Kind) -> tuple[str, ...]:
    """The allowed relation fields: the item enum of the ``fields`` parameter of the kind's get."""
    get = decl.operation(kind.name, "get")
    param = get.parameter(kind.relation_fields.param) if get else None
    schema = decl.resolve(param.get("schema", {})) if param else {}
    items = decl.resolve(schema.get("items", {}))
    if "enum" not in items:
        raise DeclarationError(f"{kind.name}: relation fields need an enum on {kind.relation_fields.param}")
    every = kind.relation_fields.every
    if every is not None and every not in items["enum"]:
        raise DeclarationError(f"{kind.name}: relation-fields every {every!r} is not in the enum of "
                               f"{kind.relation_fields.param}")
    return tuple(name for name in items["enum"] if name != every)


def _check_echoed(decl: ApiDeclaration, found: list[EchoedHeader]) -> tuple[EchoedHeader, ...]:
    """One pointer per header, naming a field of the error answers of every operation that lists it."""
    by_name: dict[str, EchoedHeader] = {}
    for header in found:
        known = by_name.setdefault(header.name.lower(), header)
        if known.pointer != header.pointer:
            raise DeclarationError(f"{decl.source}: {header.name} is echoed in {known.pointer} and in "
                                   f"{header.pointer}: one pointer per header")
    for header in by_name.values():
        for op in decl.operations.values():
            if not any(p["in"] == "header" and p["name"].lower() == header.name.lower() for p in op.parameters):
                continue
            for status, response in op.responses.items():
                if status.isdigit() and int(status) < 400:
                    continue
                for media, content in (response.get("content") or {}).items():
                    if "json" in media and "schema" in content \
                            and decl.schema_at(content["schema"], header.pointer) is None:
                        raise DeclarationError(f"{decl.source}: {header.name} is echoed in {header.pointer}, which "
                                               f"the {status} answer of {op.operation_id} does not have")
    return tuple(by_name.values())
