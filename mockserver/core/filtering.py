"""List filters, once: what a stored document is found under, and what a list request asks for.

Both sides read the typed ``x-mlmock-filter`` declarations (``spec.declarations.Filter``):
``match`` (``equals``; ``contains``: an array holding the value; ``has-key``: an object with a
member of that name), ``alternate-fields`` (other pointers matched by the same parameter),
``item-field`` (an array of objects, matched on a member of each) and ``syntax`` (how one value
names several: ``or-and``, ``comma-any``).

Everything here speaks of filter *parameters*; the collection (``collection.py``) names the store
attributes they are kept under, so that a filtered page is one indexed query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Filter, Kind, Operation, pointer_get

# (parameter, value) or (parameter, (v1, v2, ...)): the latter matches any of the values.
Condition = tuple[str, "str | tuple[str, ...]"]


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
    """The values ``doc`` is found under for the filter ``flt``."""
    values: list[str] = []
    for pointer in (flt.field, *flt.alternate_fields):
        value = pointer_get(doc, pointer)
        if flt.item_field:  # an array of objects, matched on a member of each
            values += [stringify(pointer_get(item, flt.item_field)) for item in value or ()
                       if pointer_get(item, flt.item_field) is not None]
        elif flt.match == "has-key":
            values += list(value) if isinstance(value, dict) else []
        else:
            values += index_values(value, flt.match)
    return values


def declared(api: ApiDeclaration, kind: Kind) -> dict[str, Filter]:
    """The filters of a kind's list operations, by parameter (the first declaration of each)."""
    found: dict[str, Filter] = {}
    for op in api.operations_of(kind.name, "list"):
        for flt in op.filters:
            found.setdefault(flt.param, flt)
    return found


def index(api: ApiDeclaration, kind: Kind, doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per filter parameter, the values ``doc`` is found under (parameters without any left out)."""
    found: dict[str, list[str]] = {}
    for param, flt in declared(api, kind).items():
        values = values_of(flt, doc)
        if values:
            found[param] = values
    return found


def parse(flt: Filter, value: Any) -> list[Condition]:
    """The conditions one filter parameter's value stands for.

    ``syntax: or-and`` reads ``a or b`` as any of the values and ``a and b`` as all of them
    (``a or b and c`` as ``(a or b) and c``); ``syntax: comma-any`` reads ``a,b`` as any of them.
    """
    text = stringify(value)
    if flt.syntax == "or-and":
        groups = [tuple(v.strip() for v in re.split(r"\s+or\s+", group) if v.strip())
                  for group in re.split(r"\s+and\s+", text.strip())]
    elif flt.syntax == "comma-any":
        groups = [tuple(v.strip() for v in text.split(",") if v.strip())]
    else:
        groups = [(text,)]
    return [(flt.param, group if len(group) > 1 else group[0]) for group in groups if group]


def conditions(op: Operation, params: Mapping[str, Any]) -> list[Condition]:
    """The conditions of a list request: one or more per filter parameter given."""
    found: list[Condition] = []
    for flt in op.filters:
        value = params.get(flt.param)
        if value is not None:
            found += parse(flt, value)
    return found


def matches(values: Mapping[str, Iterable[str]], conds: Iterable[Condition]) -> bool:
    """Whether a document indexed under ``values`` (as :func:`index` gives them) meets every condition."""
    return all(any(v in values.get(param, ()) for v in (value if isinstance(value, tuple) else (value,)))
               for param, value in conds)
