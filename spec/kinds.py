"""The typed ``x-mlmock-kinds`` vocabulary: one frozen dataclass per key.

``spec/kindparse.py`` fills them from a document, once, with the documented defaults (a
``pagination: {style: start}`` block gets WML's parameter names and response pointers). The mock
and the contract suite read these objects, never the raw mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ALL_PATCH_OPS = ("add", "remove", "replace", "move", "copy", "test")


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
    ops: frozenset[str] = frozenset(ALL_PATCH_OPS)
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
    """A field of the create body that names another resource (of one of ``kinds``)."""

    field: str
    kind: str
    lookup: str = "/fullyQualifiedName"
    many: bool = False
    copy: Mapping[str, str] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()
    # The create-body fields (by pointer) a parent created for this kind needs (reading 43).
    create_with: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.kinds:
            object.__setattr__(self, "kinds", (self.kind,))


@dataclass(frozen=True)
class Unique:
    fields: tuple[str, ...]
    within: str = "global"


@dataclass(frozen=True)
class Versioning:
    """``decimal`` (OpenMetadata entity versions) or ``revisions`` (WML ``rev`` snapshots)."""

    style: str
    initial: float = 0.1
    minor: float = 0.1
    major: float = 1.0
    major_fields: tuple[str, ...] = ()
    field: str = "/metadata/rev"          # revisions: where a snapshot keeps its number
    param: str = "rev"                    # revisions: the get parameter naming one
    commit: str = "/metadata/commit_info"  # revisions: where a snapshot keeps its commit info


@dataclass(frozen=True)
class DeletePolicy:
    soft: bool = False
    hard_param: str | None = None
    restore: bool = False
    cancel_state: str | None = None
    recursive_param: str | None = None


@dataclass(frozen=True)
class Pagination:
    """How a kind's lists page: request parameter names and response pointers, defaults filled.

    ``cursor`` (OpenMetadata ``after``/``before``), ``start`` (WML ``start`` tokens and ``href``
    links) or ``none`` (one unpaged list). Bounds come from the ``limit`` parameter's schema.
    """

    style: str
    limit_param: str = "limit"
    order_by: str | None = None
    items: str = "/data"
    total: str | None = None
    start_param: str | None = None   # start: the token parameter
    total_param: str | None = None   # start: the parameter asking for the total (where documented)
    first: str | None = None
    next: str | None = None
    limit: str | None = None
    after_param: str | None = None   # cursor: the parameters taking the cursors
    before_param: str | None = None
    after: str | None = None
    before: str | None = None


# What each style means when a block leaves a key out (a WML list is just `{style: start}`).
PAGINATION_DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "cursor": {"items": "/data", "total": "/paging/total", "after": "/paging/after",
               "before": "/paging/before", "after-param": "after", "before-param": "before"},
    "start": {"items": "/resources", "total": "/total_count", "first": "/first/href",
              "next": "/next/href", "limit": "/limit", "start-param": "start"},
    "none": {"items": "/resources", "total": "/total_results"},
}


@dataclass(frozen=True)
class Predict:
    input: str
    output: str


@dataclass(frozen=True)
class Lifecycle:
    field: str
    initial: str
    transitions: Mapping[str, tuple[str, ...]]
    on_patch: str | None = None
    on_patch_paths: tuple[str, ...] = ()
    resting: tuple[str, ...] = ()
    alternate_fields: tuple[str, ...] = ()
    applies_if: str | None = None
    failure: str | None = None
    on_enter: Mapping[str, Predict] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every pointer following this lifecycle: the main field, then the alternates."""
        return (self.field, *self.alternate_fields)


@dataclass(frozen=True)
class RelationFields:
    param: str
    names: tuple[str, ...]
    every: str | None = None   # the value of ``param`` that asks for every name (OpenMetadata's ``*``)


@dataclass(frozen=True)
class Link:
    pointer: str
    template: str
    when: str | None = None


@dataclass(frozen=True)
class Members:
    field: str
    key: str
    creator: Mapping[str, Any] | None = None
    patch_paths: tuple[str, ...] = ("/role", "/state")
    principal: tuple[str, ...] = ()   # more pointers of the creator member set to the principal (besides key)


@dataclass(frozen=True)
class View:
    kinds: tuple[str, ...]
    lookup: str
    creatable: tuple[str, ...] = ()  # kinds a create through the view makes (POST /v2/assets)


@dataclass(frozen=True)
class Attachments:
    multiple: bool = False
    replace_key: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variant:
    selector: str
    at: str
    schemas: Mapping[str, str]


@dataclass(frozen=True)
class MetadataNames:
    modified_at: str = "modified_at"
    owner: str = "owner"


@dataclass(frozen=True)
class Provenance:
    level: str
    source: str | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    schema: str
    id: str
    name_pointer: str | None = None
    id_format: str | None = None
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
    metadata_fields: tuple[str, ...] | None = None  # WML: body fields stored under /metadata
    metadata_names: MetadataNames = MetadataNames()
    readonly: bool = False
    view_of: View | None = None
    attachments: Attachments = Attachments()
    members: Members | None = None
    links: tuple[Link, ...] = ()
    system_warnings: tuple[Mapping[str, Any], ...] = ()
    generated: tuple[str, ...] = ()
    parent_kind_field: str | None = None
    contains: str | None = None
    variants: tuple[Variant, ...] = ()
    provenance: Provenance | None = None
