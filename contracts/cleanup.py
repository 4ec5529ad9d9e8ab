"""Delete what the suite created (hard delete where the API has one), and count what stayed."""

from __future__ import annotations

from mlmock.spec.declarations import ApiDeclaration

from . import sandbox
from .context import Ledger
from .target import Target, Unreachable


def remove(api: ApiDeclaration, target: Target, ledger: Ledger, spaces: list[str], api_version: str) -> int:
    """Delete every ledger item (newest first) and the sandbox spaces; returns how many stayed."""
    left = 0
    doomed = set(spaces)
    for kind_name, id_, space in reversed(ledger.items):
        if space in doomed:
            continue  # deleting the space removes its assets
        if not _delete(api, target, kind_name, id_, space, api_version):
            left += 1
    for space in spaces:
        try:
            removed = sandbox.delete_space(target, space)
        except Unreachable:
            removed = False
        if not removed:
            left += 1 + sum(1 for item in ledger.items if item[2] == space)
    return left


def _delete(api: ApiDeclaration, target: Target, kind_name: str, id_: str, space: str | None,
            api_version: str) -> bool:
    kind = api.kinds[kind_name]
    op = api.operation(kind_name, "delete") or api.operation(kind_name, "get")
    if op is None:
        return False
    path = api.base_path.rstrip("/") + op.path
    name = op.path[op.path.index("{") + 1: op.path.index("}")] if "{" in op.path else None
    if name is None:
        return False
    path = path.replace("{" + name + "}", id_)
    params: dict[str, str] = {}
    hard = kind.delete.hard_param if kind.delete else None
    if hard:
        params[hard] = "true"
    if op.action != "delete":  # no documented delete (OpenMetadata services): the real server's
        params["recursive"] = "true"
    if op.parameter("version"):
        params["version"] = api_version
    if space and op.parameter("space_id"):
        params["space_id"] = space
    try:
        response = target.request("DELETE", path, params=params)
    except Unreachable:
        return False
    return 200 <= response.status_code < 300 or response.status_code == 404
