"""The operation-level ``x-mlmock-*`` vocabulary: typed, each key parsed once here.

Parameter keys (on a query parameter of the operation):

- ``x-mlmock-availability: {value-param, field, available, taken}``: ``<param>=true`` asks whether
  the value of ``value-param`` is free (``available``, 204 by default) or held by a resource at
  ``field`` (``taken``, 409 by default); WML ``conflict=true&serving_name=x``.
- ``x-mlmock-stats: {group-by, counts: {name: pointer}}``: ``<param>=true`` answers counts per
  group instead of a page (WML ``stats=true``).
- ``x-mlmock-attachment: <pointer>``: the parameter's value is kept at that pointer of an uploaded
  attachment's metadata (WML ``content_format``, ``name``...).
- ``x-mlmock-member-filter: <pointer>``: the parameter selects members whose value at that
  pointer equals it.

Operation key: ``x-mlmock-unlisted-statuses: [status]``, statuses the real service emits though
the reference does not list them (judged with the operation's 400 body).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .reading import DeclarationError, Node


@dataclass(frozen=True)
class Availability:
    param: str
    value_param: str
    field: str
    available: int = 204
    taken: int = 409


@dataclass(frozen=True)
class Stats:
    param: str
    group_by: str
    counts: tuple[tuple[str, str], ...]   # (name in the answer, pointer in the resource)


@dataclass(frozen=True)
class ParamPointer:
    param: str
    pointer: str


@dataclass(frozen=True)
class OpExtensions:
    availability: Availability | None = None
    stats: Stats | None = None
    attachment_fields: tuple[ParamPointer, ...] = ()
    member_filters: tuple[ParamPointer, ...] = ()
    unlisted_statuses: tuple[int, ...] = ()


def _pointer(value: Any, source: str, where: str) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise DeclarationError(f"{source}: {where}: expected a JSON pointer, got {value!r}")
    return value


def _status(value: Any, source: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise DeclarationError(f"{source}: {where}: expected an HTTP status, got {value!r}")
    return value


def parse_operation(raw: Mapping[str, Any], params: list[Mapping[str, Any]], source: str,
                    where: str) -> OpExtensions:
    """The typed extensions of one operation (``raw``) and of its resolved ``params``."""
    availability = stats = None
    attachments, members = [], []
    for p in params:
        at = f"{where}/parameters/{p['name']}"
        if "x-mlmock-availability" in p:
            n = Node(p["x-mlmock-availability"], source, f"{at}/x-mlmock-availability",
                     ("value-param", "field", "available", "taken"))
            availability = Availability(
                param=p["name"], value_param=n.string("value-param"), field=n.pointer("field"),
                available=_status(n.data.get("available", 204), source, f"{n.at}/available"),
                taken=_status(n.data.get("taken", 409), source, f"{n.at}/taken"))
        if "x-mlmock-stats" in p:
            n = Node(p["x-mlmock-stats"], source, f"{at}/x-mlmock-stats", ("group-by", "counts"))
            counts = n.child("counts")
            stats = Stats(param=p["name"], group_by=n.pointer("group-by"),
                          counts=tuple((name, counts.pointer(name)) for name in counts.data))
        if "x-mlmock-attachment" in p:
            attachments.append(ParamPointer(p["name"], _pointer(p["x-mlmock-attachment"], source,
                                                                f"{at}/x-mlmock-attachment")))
        if "x-mlmock-member-filter" in p:
            members.append(ParamPointer(p["name"], _pointer(p["x-mlmock-member-filter"], source,
                                                            f"{at}/x-mlmock-member-filter")))
    unlisted = raw.get("x-mlmock-unlisted-statuses", [])
    if not isinstance(unlisted, list):
        raise DeclarationError(f"{source}: {where}/x-mlmock-unlisted-statuses: expected a list of statuses")
    return OpExtensions(availability=availability, stats=stats, attachment_fields=tuple(attachments),
                        member_filters=tuple(members),
                        unlisted_statuses=tuple(_status(s, source, f"{where}/x-mlmock-unlisted-statuses")
                                                for s in unlisted))
