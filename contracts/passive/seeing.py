"""What a stateful rule is given (:class:`Seeing`) and the small readers every rule shares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from .exchange import Exchange
from .registry import PassiveRule
from .state import State

Found = Iterator[tuple[PassiveRule, str]]


SINGLE = ("create", "upsert", "get", "get-by-name", "patch", "restore")


TRUE = ("true", "1", "yes")


@dataclass
class Seeing:
    decl: ApiDeclaration
    op: Operation
    kind: Kind | None
    ex: Exchange
    params: dict[str, str]
    state: State

    @property
    def api(self) -> str:
        return self.decl.name

    def path_id(self) -> str | None:
        return list(self.params.values())[-1] if self.params else None

    def request_scope(self) -> str | None:
        if self.kind is None:
            return None
        for name in self.kind.scope:
            value = self.ex.param(name)
            if value:
                return f"{name}={value}"
        body = self.ex.request_json
        for name in self.kind.scope:
            if isinstance(body, dict) and isinstance(body.get(name), str):
                return f"{name}={body[name]}"
        return None


def _id(kind: Kind, doc: Any) -> str | None:
    value = pointer_get(doc, kind.id) if isinstance(doc, dict) else None
    return str(value) if value is not None else None


def _items(kind: Kind, body: Any) -> list | None:
    pointer = kind.pagination.items
    items = pointer_get(body, pointer) if pointer and isinstance(body, dict) else None
    return items if isinstance(items, list) else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
