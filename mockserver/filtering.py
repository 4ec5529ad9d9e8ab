"""List filters, once: what a resource is indexed under, and what a list request asks for.

Both sides are read from the typed ``x-mlmock-filter`` declarations (``spec.declarations.Filter``):
``match`` (``equals``, ``contains``: an array holding the value, ``has-key``: an object with a
member of that name), ``alternate-fields`` (other pointers matched by the same parameter),
``item-field`` (an array of objects, matched on a member of each) and ``syntax`` (how one value
names several: ``or-and``, ``comma-any``). The store keeps the indexed values as attributes
named by ``attribute``; a filtered page is then a plain indexed query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Filter, Kind, Operation, pointer_get

# (attribute, value) or (attribute, (v1, v2)): the latter matches any of the values.
Condition = tuple[str, str | tuple[str, ...]]


def attribute(param: str) -> str:
    """The store attribute a filter parameter's values are indexed under."""
    return f"filter:{param}"


def stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def index_values(value: Any, match: str) -> list[str]:
    if value is None:
        return []
    if match == "contains" and isinstance(value, list):
        return [stringify(v) for v in value if v is not None]
    return [stringify(value)]


def values_of(flt: Filter, doc: Mapping[str, Any]) -> list[str]:
    """What ``doc`` is found under for ``flt``."""
    values: list[str] = []
    for pointer in (flt.field, *flt.alternate_fields):
        value = pointer_get(doc, pointer)
        if flt.item_field:
            values += [stringify(pointer_get(item, flt.item_field)) for item in value or ()
                       if pointer_get(item, flt.item_field) is not None]
        elif flt.match == "has-key":
            values += list(value) if isinstance(value, dict) else []
        else:
            values += index_values(value, flt.match)
    return values


def index(api: ApiDeclaration, kind: Kind, doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """The filter attributes of ``doc``: every filter of the kind's list operations."""
    found: dict[str, list[str]] = {}
    for op in api.operations_of(kind.name, "list"):
        for flt in op.filters:
            values = values_of(flt, doc)
            if values:
                found.setdefault(attribute(flt.param), []).extend(values)
    return found


def conditions(op: Operation, params: Mapping[str, Any]) -> list[Condition]:
    """The store conditions of a list request.

    ``syntax: or-and`` reads ``a or b`` as any of the tags and ``a and b`` as all of them
    (``a or b and c`` as ``(a or b) and c``); ``syntax: comma-any`` reads ``a,b`` as any of them.
    """
    found: list[Condition] = []
    for flt in op.filters:
        value = params.get(flt.param)
        if value is None:
            continue
        attr, text = attribute(flt.param), stringify(value)
        if flt.syntax == "or-and":
            groups = [tuple(v.strip() for v in re.split(r"\s+or\s+", group) if v.strip())
                      for group in re.split(r"\s+and\s+", text.strip())]
        elif flt.syntax == "comma-any":
            groups = [tuple(v.strip() for v in text.split(",") if v.strip())]
        else:
            groups = [(text,)]
        for group in groups:
            if group:
                found.append((attr, group if len(group) > 1 else group[0]))
    return found


def matches(attrs: Mapping[str, Iterable[str]], conds: Iterable[Condition]) -> bool:
    """Whether a resource indexed under ``attrs`` meets every condition."""
    return all(any(v in attrs.get(name, ()) for v in (value if isinstance(value, tuple) else (value,)))
               for name, value in conds)
