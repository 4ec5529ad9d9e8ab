"""The stateful rules on single-resource responses: identity, uniqueness, deletion, isolation,
patch, versions, revisions and lifecycle, each judged against what was seen before."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jsonpatch

from mlmock.spec.declarations import Kind, pointer_get

from ..checks.lifecycle import _reachable
from . import registry as R
from .seeing import SINGLE, TRUE, Found, Seeing, _id
from .state import Seen


def _key(kind: Kind, unique, doc: Any, request: Any, scope: str | None, from_request: bool) -> tuple | None:
    values = []
    for pointer in unique.fields:
        if from_request:
            short = pointer
            for prefix in ("/entity", "/metadata"):
                if short.startswith(prefix + "/"):
                    short = short[len(prefix):]
            value = pointer_get(request, short) if isinstance(request, dict) else None
        else:
            value = pointer_get(doc, pointer) if isinstance(doc, dict) else None
        if value is None:
            return None
        values.append(json.dumps(value, sort_keys=True))
    within = None
    if unique.within == "scope":
        within = scope
    elif unique.within == "parent" and kind.parent is not None:
        parent = pointer_get(request, kind.parent.field) if from_request else pointer_get(doc, kind.parent.field)
        if isinstance(parent, dict):
            parent = parent.get("fullyQualifiedName") or parent.get("name") or parent.get("id")
        if parent is None:
            return None
        within = str(parent)
    return (kind.name, tuple(values), within)


def _comparable(kind: Kind, doc: dict) -> dict:
    out = json.loads(json.dumps(doc))
    for pointer in kind.server_managed:
        parts = pointer.strip("/").split("/")
        node = out
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return out


def _digest(kind: Kind, doc: dict) -> int:
    text = json.dumps(_comparable(kind, doc), sort_keys=True)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _contains(actual: Any, expected: Any) -> bool:
    """``actual`` holds ``expected`` (servers may add defaulted members to objects they store)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            _contains(a, e) for a, e in zip(actual, expected, strict=True))
    if isinstance(expected, float | int) and isinstance(actual, float | int):
        return float(actual) == float(expected)
    return actual == expected


def _compared(pointer: str) -> str:
    parts = pointer.split("/")
    while len(parts) > 1 and (parts[-1] == "-" or parts[-1].isdigit()):
        parts.pop()
    return "/".join(parts) or "/"


def _managed(kind: Kind, pointer: str) -> bool:
    return any(pointer == m or pointer.startswith(m + "/") for m in (*kind.server_managed, *kind.immutable))


def single(s: Seeing) -> Found:
    """Rules on an exchange that shows one resource (create, upsert, get, patch, restore) or deletes one."""
    kind, ex, op = s.kind, s.ex, s.op
    if kind is None:
        return
    action = op.action
    path_id = s.path_id()
    if action == "delete":
        yield from _deleted(s, path_id)
        return
    if action == "patch" and not ex.ok and path_id and ex.status != 404 and isinstance(ex.request_json, list):
        seen = s.state.seen(s.api, kind.name, path_id)
        if seen is not None and seen.doc is not None and kind.patch is not None:
            allowed = [o for o in ex.request_json
                       if isinstance(o, dict) and kind.patch.allows(o.get("op"), o.get("path", ""))]
            targets = [_compared(op_.get("path", "")) for op_ in kind.patch.translate(allowed)]
            seen.failed_patch = {t: pointer_get(seen.doc, t) for t in targets if not _managed(kind, t)}
        return
    if action == "patch" and ex.ok and isinstance(ex.request_json, list) and kind.patch is not None:
        bad = [o.get("path") for o in ex.request_json if isinstance(o, dict) and not kind.patch.allows(
            o.get("op"), o.get("path", ""))]
        if bad and not kind.patch.any_path:
            yield R.UNDOCUMENTED, f"a patch of undocumented paths {bad} was answered {ex.status}"
    if action not in SINGLE or not ex.ok:
        if ex.status == 404 and action in ("get", "get-by-name") and path_id:
            seen = s.state.seen(s.api, kind.name, path_id)
            if seen is not None and seen.deleted == "cancel":
                yield R.CANCEL_KEEPS, f"a cancelled {kind.name} {path_id} is no longer readable (404)"
            if seen is not None and seen.deleted is None and seen.restored:
                yield R.RESTORE, f"a restored {kind.name} {path_id} answers 404"
        return
    doc = ex.response_json
    id_ = _id(kind, doc)
    if id_ is None:
        return
    if "rev" in {p["name"] for p in op.parameters} and ex.param("rev") and ex.param("rev") != "latest":
        yield from _revision(s, id_, ex.param("rev"), doc)
        return
    scope = s.request_scope()
    seen = s.state.seen(s.api, kind.name, id_)
    if action == "create":
        yield from _duplicate(s, doc)
    if action == "upsert":
        yield from _upsert(s, doc)
    if seen is not None:
        yield from _isolation(s, seen, scope, id_)
        yield from _deletion(s, seen, id_, action)
        if seen.doc is not None:
            yield from _immutable(s, seen.doc, doc)
            if action == "patch":
                yield from _patch(s, seen.doc, doc)
            if action in ("patch", "upsert"):
                yield from _versions(s, seen.doc, doc)
            if seen.failed_patch:
                changed = [t for t, before in seen.failed_patch.items() if pointer_get(doc, t) != before]
                if changed and action != "patch":
                    yield R.ATOMIC, f"a refused patch of {kind.name} {id_} still changed {changed}"
        yield from _lifecycle(s, seen.doc, doc)
    else:
        yield from _lifecycle(s, None, doc)
    # remember the last state
    seen = s.state.seen(s.api, kind.name, id_, create=True)
    seen.doc = doc
    seen.failed_patch = None
    seen.restored = action == "restore"
    if action == "restore":
        seen.deleted = None
    if action in ("create", "upsert") or seen.scope is None:
        own = next((f"{n}={v}" for n in kind.scope for v in [pointer_get(doc, f"/metadata/{n}")] if v), None)
        seen.scope = own or scope if kind.scope else None
    for unique in kind.unique:
        key = _key(kind, unique, doc, None, seen.scope, from_request=False)
        if key is not None:
            s.state.unique.put((s.api, *key), id_)


def _deleted(s: Seeing, path_id: str | None) -> Found:
    kind, ex = s.kind, s.ex
    if not ex.ok or not path_id:
        return
    seen = s.state.seen(s.api, kind.name, path_id, create=True)
    policy = kind.delete
    hard = policy.hard_param is not None and (ex.param(policy.hard_param) or "").lower() in TRUE
    if policy.cancel_state and not hard:
        seen.deleted = "cancel"
    elif policy.soft and not hard:
        seen.deleted = "soft"
    else:
        seen.deleted = "hard"
        seen.hard = hard
    return
    yield


def _deletion(s: Seeing, seen: Seen, id_: str, action: str) -> Found:
    if seen.deleted in ("hard", "soft") and action in ("get", "get-by-name"):
        include = (s.ex.param("include") or "").lower()
        if seen.deleted == "hard":
            rule = R.HARD_REMOVES if seen.hard else R.DELETE_REMOVES
            yield rule, f"{s.kind.name} {id_} was deleted{' (hard)' if rule is R.HARD_REMOVES else ''} " \
                        f"and is still served ({s.ex.status})"
        elif include not in ("all", "deleted"):
            yield R.SOFT_HIDES, f"{s.kind.name} {id_} was soft-deleted and is still served without include=all"


def _isolation(s: Seeing, seen: Seen, scope: str | None, id_: str) -> Found:
    if s.kind.scope and scope and seen.scope and scope != seen.scope and s.op.action in ("get", "patch"):
        yield R.ISOLATION, f"{s.kind.name} {id_}, seen in {seen.scope}, was served to {scope}"


def _duplicate(s: Seeing, doc: dict) -> Found:
    kind = s.kind
    for unique in kind.unique:
        key = _key(kind, unique, doc, s.ex.request_json, s.request_scope(), from_request=True)
        holder = s.state.unique.get((s.api, *key)) if key else None
        if holder is None:
            continue
        seen = s.state.seen(s.api, kind.name, holder)
        if seen is not None and seen.deleted is None:
            fields = ", ".join(unique.fields)
            yield R.DUPLICATE, (f"a create with the {fields} of live {kind.name} {holder} was answered "
                                f"{s.ex.status} instead of 409")
            return


def _upsert(s: Seeing, doc: dict) -> Found:
    kind = s.kind
    id_ = _id(kind, doc)
    for unique in kind.unique:
        key = _key(kind, unique, doc, s.ex.request_json, s.request_scope(), from_request=True)
        holder = s.state.unique.get((s.api, *key)) if key else None
        seen = s.state.seen(s.api, kind.name, holder) if holder else None
        if holder and holder != id_ and seen is not None and seen.deleted is None:
            yield R.UPSERT_ID, f"an upsert of existing {kind.name} {holder} answered a new id {id_}"
            return


def _immutable(s: Seeing, before: dict, after: dict) -> Found:
    for pointer in s.kind.immutable:
        old, new = pointer_get(before, pointer), pointer_get(after, pointer)
        if old is not None and new is not None and old != new:
            yield R.IMMUTABLE, f"immutable {pointer} of {s.kind.name} changed from {old!r} to {new!r}"


def _patch(s: Seeing, before: dict, after: dict) -> Found:
    kind, ops = s.kind, s.ex.request_json
    if not isinstance(ops, list) or kind.patch is None:
        return
    if not all(isinstance(o, dict) and kind.patch.allows(o.get("op"), o.get("path", "")) for o in ops):
        return
    translated = kind.patch.translate(ops)
    for o in translated:  # a patch must not set what the server computes
        target = o.get("path", "")
        managed = any(target == m or target.startswith(m + "/") for m in kind.server_managed)
        if o.get("op") in ("add", "replace") and managed \
                and pointer_get(after, target) == o.get("value") != pointer_get(before, target):
            yield R.SERVER_FIELDS, f"a patch set server-managed {target} to {o.get('value')!r}"
    try:
        expected = jsonpatch.apply_patch(before, translated)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, ValueError):
        return  # the last state seen lacks what the patch acts on (a partial view): cannot judge
    for o in translated:
        for key in ("path", "from") if o.get("op") == "move" else ("path",):
            pointer = _compared(o.get(key, ""))
            if _managed(kind, pointer) or pointer == "/":
                continue
            want, got = pointer_get(expected, pointer), pointer_get(after, pointer)
            if not _contains(got, want):
                yield R.PATCH_APPLIED, (f"{o.get('op')} {o.get('path')}: the answer has {got!r} at {pointer}, "
                                        f"the patch applied to the last state gives {want!r}")
                return


def _versions(s: Seeing, before: dict, after: dict) -> Found:
    v = s.kind.versioning
    if v is None or v.style != "decimal":
        return
    old, new = before.get("version"), after.get("version")
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return
    a, b = _comparable(s.kind, before), _comparable(s.kind, after)
    common = set(a) & set(b)
    changed = sorted(k for k in common if a[k] != b[k])
    step = round(new - old, 1)
    if new < old:
        yield R.VERSIONS, f"the version went back from {old} to {new}"
    elif step and step not in (round(v.minor, 1), round(v.major, 1), round(v.minor + v.major, 1)):
        yield R.VERSIONS, f"the version moved from {old} to {new}, not by {v.minor} or {v.major}"
    elif not step and changed:
        yield R.VERSIONS, f"{changed} changed and the version stayed {old}"


def _revision(s: Seeing, id_: str, rev: str, doc: dict) -> Found:
    seen = s.state.seen(s.api, s.kind.name, id_, create=True)
    digest = _digest(s.kind, doc)
    if rev in seen.revisions and seen.revisions[rev] != digest:
        yield R.REVISIONS, f"revision {rev} of {s.kind.name} {id_} reads differently from before"
    seen.revisions[rev] = digest


def revision_created(s: Seeing) -> Found:
    """The answer to a revision create is what that revision must read forever."""
    if s.kind is None or s.op.action != "revision-create" or not s.ex.ok:
        return
    doc = s.ex.response_json
    rev = pointer_get(doc, s.kind.versioning.field if s.kind.versioning else "/metadata/rev") \
        if isinstance(doc, dict) else None
    id_ = _id(s.kind, doc) or s.path_id()
    if rev is not None and id_:
        yield from _revision(s, id_, str(rev), doc)


def _lifecycle(s: Seeing, before: dict | None, after: dict) -> Found:
    lc = s.kind.lifecycle
    if lc is None:
        return
    applies = lc.applies_if
    if applies and pointer_get(after, applies) is None:
        return
    state = pointer_get(after, lc.field)
    if state is None:
        return
    states = s.decl.lifecycle_states(s.kind)
    if states and state not in states:
        yield R.LIFECYCLE, f"state {state!r} at {lc.field} is not one of the documented {list(states)}"
        return
    old = pointer_get(before, lc.field) if before else None
    if old is None or old == state or old not in states:
        return
    if state in (lc.on_patch, s.kind.delete.cancel_state) or _reachable(s.kind, old, state):
        return
    yield R.LIFECYCLE, f"{s.kind.name} moved from {old!r} to {state!r}, which no documented transition allows"
