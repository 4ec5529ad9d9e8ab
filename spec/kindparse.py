"""Parse one ``x-mlmock-kinds`` declaration into the typed ``Kind`` of ``spec/kinds.py``.

``parse_kind`` refuses unknown keys and ill-typed values with a ``DeclarationError`` naming the
spec file and the JSON pointer of the offending node, and fills in the documented defaults.
"""

from __future__ import annotations

from typing import Any

from .kinds import (
    ALL_PATCH_OPS,
    PAGINATION_DEFAULTS,
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
from .reading import Node, escape

# --------------------------------------------------------------------------- parsing

KIND_KEYS = ("schema", "id", "name", "id-format", "fqn", "scope", "parent", "references", "unique",
             "immutable", "server-managed", "relation-fields", "patch", "versioning", "delete",
             "pagination", "lifecycle", "child-fqns", "metadata-fields", "metadata-names", "readonly",
             "view-of", "attachments", "members", "links", "system-warnings", "generated",
             "parent-kind-field", "contains", "variants", "x-mlmock-provenance")


def parse_kind(name: str, data: Any, source: str = "<document>") -> Kind:
    """The typed declaration of kind ``name`` at ``/x-mlmock-kinds/<name>`` of ``source``."""
    n = Node(data, source, f"/x-mlmock-kinds/{escape(name)}", KIND_KEYS)
    id_format = n.string("id-format", None)
    if id_format not in (None, "uuid"):
        raise n.error(f"id-format must be uuid, not {id_format!r}", "id-format")
    return Kind(
        name=name,
        schema=n.string("schema"),
        id=n.pointer("id"),
        name_pointer=n.pointer("name", None),
        id_format=id_format,
        fqn=n.pointer("fqn", None),
        scope=n.strings("scope"),
        parent=_reference(n.child("parent")) if "parent" in n else None,
        references=tuple(_reference(r) for r in n.items("references")),
        unique=tuple(_unique(u) for u in n.items("unique")),
        immutable=n.pointers("immutable"),
        server_managed=n.pointers("server-managed"),
        relation_fields=_relation_fields(n.child("relation-fields")) if "relation-fields" in n else None,
        patch=_patch(n.child("patch")) if "patch" in n else None,
        versioning=_versioning(n.child("versioning")) if "versioning" in n else None,
        delete=_delete(n.child("delete")) if "delete" in n else DeletePolicy(),
        pagination=_pagination(n.child("pagination")) if "pagination" in n else None,
        lifecycle=_lifecycle(n.child("lifecycle")) if "lifecycle" in n else None,
        child_fqns=n.pointers("child-fqns"),
        metadata_fields=n.strings("metadata-fields") if "metadata-fields" in n else None,
        metadata_names=_metadata_names(n.child("metadata-names")) if "metadata-names" in n else MetadataNames(),
        readonly=n.flag("readonly"),
        view_of=_view(n.child("view-of")) if "view-of" in n else None,
        attachments=_attachments(n.child("attachments")) if "attachments" in n else Attachments(),
        members=_members(n.child("members")) if "members" in n else None,
        links=tuple(_link(x) for x in n.items("links")),
        system_warnings=tuple(dict(Node(w.data, w.source, w.at).data) for w in n.items("system-warnings")),
        generated=n.pointers("generated"),
        parent_kind_field=n.pointer("parent-kind-field", None),
        contains=n.string("contains", None),
        variants=tuple(_variant(v) for v in n.items("variants")),
        provenance=_provenance(n.child("x-mlmock-provenance")) if "x-mlmock-provenance" in n else None,
    )


def _reference(n: Node) -> Reference:
    Node(n.data, n.source, n.at, ("field", "kind", "lookup", "many", "copy", "create-with"))
    raw = n.data.get("kind")
    kinds = n.strings("kind") if isinstance(raw, list) else (n.string("kind"),)
    if not kinds:
        raise n.error("needs at least one kind", "kind")
    copy = dict(n.child("copy").data) if "copy" in n else {}
    create_with = dict(n.child("create-with").data) if "create-with" in n else {}
    for pointer in create_with:
        if not isinstance(pointer, str) or not pointer.startswith("/"):
            raise n.error(f"create-with keys are JSON pointers, not {pointer!r}", "create-with")
    return Reference(field=n.pointer("field"), kind=kinds[0], lookup=n.pointer("lookup", "/fullyQualifiedName"),
                     many=n.flag("many"), copy=copy, kinds=kinds, create_with=create_with)


def _unique(n: Node) -> Unique:
    Node(n.data, n.source, n.at, ("fields", "within"))
    within = n.string("within", "global")
    if within not in ("global", "parent", "scope"):
        raise n.error(f"within must be global, parent or scope, not {within!r}", "within")
    return Unique(fields=n.pointers("fields"), within=within)


def _relation_fields(n: Node) -> RelationFields:
    Node(n.data, n.source, n.at, ("param", "names", "every"))
    every = n.string("every", None)
    if every == "":
        raise n.error("expected a non-empty string", "every")
    return RelationFields(param=n.string("param", "fields"), names=n.strings("names"), every=every)


def _patch(n: Node) -> PatchPolicy:
    Node(n.data, n.source, n.at, ("media-type", "ops", "paths"))
    media_type = n.string("media-type", "application/json-patch+json")
    ops = frozenset(n.strings("ops", ALL_PATCH_OPS))
    if n.data.get("paths", "any") == "any":
        return PatchPolicy(media_type=media_type, ops=ops, any_path=True)
    rules = []
    for r in n.items("paths"):
        Node(r.data, r.source, r.at, ("path", "ops", "target"))
        path = r.pointer("path")
        rules.append(PatchRule(path=path, ops=frozenset(r.strings("ops", ("add", "remove", "replace"))),
                               target=r.pointer("target", path)))
    return PatchPolicy(media_type=media_type, ops=frozenset().union(*(r.ops for r in rules)) if rules else ops,
                       rules=tuple(rules))


def _versioning(n: Node) -> Versioning:
    Node(n.data, n.source, n.at,
         ("style", "initial", "minor", "major", "major-fields", "field", "param", "commit"))
    style = n.string("style")
    if style not in ("decimal", "revisions"):
        raise n.error(f"style must be decimal or revisions, not {style!r}", "style")
    return Versioning(style=style, initial=n.number("initial", 0.1), minor=n.number("minor", 0.1),
                      major=n.number("major", 1.0), major_fields=n.pointers("major-fields"),
                      field=n.pointer("field", "/metadata/rev"), param=n.string("param", "rev"),
                      commit=n.pointer("commit", "/metadata/commit_info"))


def _delete(n: Node) -> DeletePolicy:
    Node(n.data, n.source, n.at, ("soft", "hard-param", "restore", "cancel-state", "recursive-param"))
    return DeletePolicy(soft=n.flag("soft"), hard_param=n.string("hard-param", None), restore=n.flag("restore"),
                        cancel_state=n.string("cancel-state", None),
                        recursive_param=n.string("recursive-param", None))


def _pagination(n: Node) -> Pagination:
    Node(n.data, n.source, n.at,
         ("style", "limit-param", "order-by", "start-param", "total-param", "after-param", "before-param",
          "items", "data", "total", "first", "next", "limit", "after", "before"))
    style = n.string("style")
    if style not in PAGINATION_DEFAULTS:
        raise n.error(f"style must be one of {', '.join(PAGINATION_DEFAULTS)}, not {style!r}", "style")
    defaults = PAGINATION_DEFAULTS[style]
    if "items" in n and "data" in n:
        raise n.error("give items or data (its OpenMetadata name), not both")
    items = n.pointer("data") if "data" in n else n.pointer("items", defaults["items"])

    def at(key: str) -> str | None:
        return n.pointer(key, defaults.get(key))

    def param(key: str) -> str | None:
        return n.string(key, defaults.get(key))

    return Pagination(style=style, limit_param=n.string("limit-param", "limit"), order_by=n.pointer("order-by", None),
                      items=items, total=at("total"), start_param=param("start-param"),
                      total_param=param("total-param"), first=at("first"), next=at("next"), limit=at("limit"),
                      after_param=param("after-param"), before_param=param("before-param"),
                      after=at("after"), before=at("before"))


def _lifecycle(n: Node) -> Lifecycle:
    Node(n.data, n.source, n.at,
         ("field", "initial", "transitions", "on-patch", "on-patch-paths", "resting", "alternate-fields",
          "applies-if", "failure", "on-enter"))
    transitions = {}
    if "transitions" in n:
        t = n.child("transitions")
        transitions = {state: t.strings(state) for state in t.data}
    on_enter = {}
    if "on-enter" in n:
        hooks = n.child("on-enter")
        for state in hooks.data:
            hook = hooks.child(state, ("predict",))
            if "predict" in hook:
                p = hook.child("predict", ("input", "output"))
                on_enter[state] = Predict(input=p.pointer("input"), output=p.pointer("output"))
    lc = Lifecycle(field=n.pointer("field"), initial=n.string("initial"), transitions=transitions,
                   on_patch=n.string("on-patch", None), on_patch_paths=n.pointers("on-patch-paths"),
                   resting=n.strings("resting"), alternate_fields=n.pointers("alternate-fields"),
                   applies_if=n.pointer("applies-if", None), failure=n.pointer("failure", None),
                   on_enter=on_enter)
    named = {lc.initial, *lc.transitions, *(s for nxt in lc.transitions.values() for s in nxt), *lc.resting}
    if lc.initial not in lc.transitions and lc.initial not in lc.resting:
        raise n.error(f"initial state {lc.initial!r} has no transitions and does not rest", "initial")
    if lc.on_patch is not None and lc.on_patch not in named:
        raise n.error(f"on-patch state {lc.on_patch!r} is not a state of the lifecycle", "on-patch")
    return lc


def _metadata_names(n: Node) -> MetadataNames:
    Node(n.data, n.source, n.at, ("modified_at", "owner"))
    return MetadataNames(modified_at=n.string("modified_at", "modified_at"), owner=n.string("owner", "owner"))


def _view(n: Node) -> View:
    Node(n.data, n.source, n.at, ("kinds", "lookup", "creatable"))
    view = View(kinds=n.strings("kinds"), lookup=n.pointer("lookup"), creatable=n.strings("creatable"))
    if set(view.creatable) - set(view.kinds):
        raise n.error("creatable names kinds the view does not show", "creatable")
    return view


def _attachments(n: Node) -> Attachments:
    Node(n.data, n.source, n.at, ("multiple", "replace-key"))
    return Attachments(multiple=n.flag("multiple"), replace_key=n.strings("replace-key"))


def _members(n: Node) -> Members:
    Node(n.data, n.source, n.at, ("field", "key", "creator", "patch-paths", "principal"))
    creator = dict(n.child("creator").data) if "creator" in n else None
    return Members(field=n.pointer("field"), key=n.pointer("key"), creator=creator,
                   patch_paths=n.pointers("patch-paths") or Members.patch_paths, principal=n.pointers("principal"))


def _link(n: Node) -> Link:
    Node(n.data, n.source, n.at, ("pointer", "template", "when"))
    return Link(pointer=n.pointer("pointer"), template=n.string("template"), when=n.pointer("when", None))


def _variant(n: Node) -> Variant:
    Node(n.data, n.source, n.at, ("selector", "at", "schemas"))
    return Variant(selector=n.pointer("selector"), at=n.pointer("at"), schemas=dict(n.child("schemas").data))


def _provenance(n: Node) -> Provenance:
    Node(n.data, n.source, n.at, ("level", "source"))
    level = n.string("level")
    if level not in ("documented", "client", "reading"):
        raise n.error(f"level must be documented, client or reading, not {level!r}", "level")
    return Provenance(level=level, source=n.string("source", None))
