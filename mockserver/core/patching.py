"""RFC 6902 JSON Patch under a kind's declared policy, applied atomically.

The ``jsonpatch`` package does the patching (move, copy and test included) on a copy, so a
failing operation leaves the stored resource untouched.
"""

from __future__ import annotations

from typing import Any

import jsonpatch
import jsonpointer

from mlmock.spec.declarations import Kind, pointer_get, pointer_set

from . import jsonsafety
from .errors import BadRequest


def check_policy(kind: Kind, operations: Any) -> None:
    """Refuse a patch document that is malformed or uses a path or op the kind does not allow."""
    if not isinstance(operations, list):
        raise BadRequest("a JSON Patch document must be an array of operations")
    policy = kind.patch
    if policy is None:
        raise BadRequest(f"{kind.name} cannot be patched")
    for index, op in enumerate(operations):
        if not isinstance(op, dict) or not isinstance(op.get("op"), str) or not isinstance(op.get("path"), str):
            raise BadRequest(f"patch operation {index} needs string 'op' and 'path' members")
        if op["op"] in ("move", "copy") and not isinstance(op.get("from"), str):
            raise BadRequest(f"patch operation {index} ({op['op']}) needs a string 'from' member")
        if op["op"] in ("add", "replace", "test") and "value" not in op:
            raise BadRequest(f"patch operation {index} ({op['op']}) needs a 'value' member")
        if not policy.allows(op["op"], op["path"]):
            raise BadRequest(f"patch operation {index}: '{op['op']}' on '{op['path']}' is not allowed for {kind.name}")
        if op["op"] in ("move", "copy") and not policy.allows("remove" if op["op"] == "move" else "add", op["from"]) \
                and not policy.any_path:
            raise BadRequest(f"patch operation {index}: '{op['op']}' from '{op['from']}' is not allowed")


def apply(document: dict, operations: list) -> dict:
    """The patched copy of ``document``; the original is never modified."""
    try:
        return jsonpatch.apply_patch(jsonsafety.copy(document), operations, in_place=False)
    except jsonpatch.JsonPatchTestFailed as exc:
        raise BadRequest(f"patch test failed: {exc}") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise BadRequest(f"patch cannot be applied: {exc}") from None
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise BadRequest(f"patch cannot be applied: {exc}") from None


def restore(original: dict, patched: dict, pointers: tuple[str, ...]) -> dict:
    """Put back the values at ``pointers`` (immutable or server-managed fields)."""
    for pointer in pointers:
        old = pointer_get(original, pointer, _ABSENT)
        if old is _ABSENT:
            parent, _, last = pointer.rpartition("/")
            holder = pointer_get(patched, parent) if parent else patched
            if isinstance(holder, dict):
                holder.pop(last.replace("~1", "/").replace("~0", "~"), None)
        else:
            pointer_set(patched, pointer, jsonsafety.copy(old))
    return patched


_ABSENT = object()
