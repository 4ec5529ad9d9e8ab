"""Fill in the ``default`` values a schema declares, as the real servers do for omitted fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlmock.spec.declarations import ApiDeclaration

from . import jsonsafety


def fill(api: ApiDeclaration, schema: Mapping[str, Any], instance: Any) -> Any:
    """Return ``instance`` with absent properties set to their declared defaults (recursively)."""
    schema = api.resolve(schema)
    if "allOf" in schema:
        for branch in schema["allOf"]:
            instance = fill(api, branch, instance)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            branch = _matching_branch(api, schema[combinator], instance)
            if branch is not None:
                instance = fill(api, branch, instance)
    if isinstance(instance, dict):
        for name, prop in schema.get("properties", {}).items():
            prop_schema = api.resolve(prop)
            if name not in instance and "default" in prop_schema:
                instance[name] = jsonsafety.copy(prop_schema["default"])
            elif name in instance:
                instance[name] = fill(api, prop_schema, instance[name])
    elif isinstance(instance, list) and "items" in schema:
        instance[:] = [fill(api, schema["items"], item) for item in instance]
    return instance


def _matching_branch(api: ApiDeclaration, branches: list, instance: Any) -> Mapping | None:
    if not isinstance(instance, dict):
        return None
    for branch in branches:
        branch = api.resolve(branch)
        if not all(key in instance for key in branch.get("required", ())):
            continue
        props = branch.get("properties", {})
        if branch.get("additionalProperties") is False and set(instance) - set(props):
            continue
        if any(name in instance and "enum" in api.resolve(p) and instance[name] not in api.resolve(p)["enum"]
               for name, p in props.items()):
            continue
        return branch
    return None
