"""Reading one object of a spec's ``x-mlmock-*`` extensions, with where it is for errors.

Every malformed key raises a ``DeclarationError`` naming the spec file and the JSON pointer of
the offending node: ``spec/wml.yaml: /x-mlmock-kinds/training/readonly: expected true or false``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DeclarationError(ValueError):
    """The document's extensions are inconsistent (a bug in the spec, not in a request)."""


ANNOTATIONS = ("x-mlmock-note",)  # free text allowed anywhere in a declaration


# --------------------------------------------------------------------------- reading helper


class Node:
    """One object of the document being read, with where it is (for errors)."""

    def __init__(self, data: Any, source: str, pointer: str, known: tuple[str, ...] | None = None):
        self.source, self.at = source, pointer
        if not isinstance(data, Mapping):
            raise self.error(f"expected an object, got {type(data).__name__}")
        self.data = data
        if known is not None:
            unknown = sorted(set(data) - set(known) - set(ANNOTATIONS))
            if unknown:
                raise self.error(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(known)})")

    def error(self, message: str, key: str | None = None) -> DeclarationError:
        where = self.at if key is None else f"{self.at}/{escape(key)}"
        return DeclarationError(f"{self.source}: {where or '/'}: {message}")

    def child(self, key: str, known: tuple[str, ...] | None = None) -> Node:
        return Node(self.data[key], self.source, f"{self.at}/{escape(key)}", known)

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def _typed(self, key: str, value: Any, types: tuple[type, ...], what: str) -> Any:
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise self.error(f"expected {what}, got {value!r}", key)
        return value

    def string(self, key: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.error(f"missing required key {key!r}")
            return default
        return self._typed(key, self.data[key], (str,), "a string")

    def pointer(self, key: str, default: Any = ...) -> Any:
        value = self.string(key, default)
        if key in self.data and value != "" and not value.startswith("/"):
            raise self.error(f"expected a JSON pointer, got {value!r}", key)
        return value

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        if key not in self.data:
            return default
        value = self._typed(key, self.data[key], (list,), "a list of strings")
        for item in value:
            if not isinstance(item, str):
                raise self.error(f"expected a list of strings, got an item {item!r}", key)
        return tuple(value)

    def pointers(self, key: str) -> tuple[str, ...]:
        values = self.strings(key)
        for value in values:
            if not value.startswith("/"):
                raise self.error(f"expected JSON pointers, got {value!r}", key)
        return values

    def flag(self, key: str, default: bool = False) -> bool:
        return self._typed(key, self.data[key], (bool,), "true or false") if key in self.data else default

    def number(self, key: str, default: float) -> float:
        return self._typed(key, self.data[key], (int, float), "a number") if key in self.data else default

    def items(self, key: str) -> list[Node]:
        if key not in self.data:
            return []
        value = self._typed(key, self.data[key], (list,), "a list")
        return [Node(item, self.source, f"{self.at}/{escape(key)}/{i}") for i, item in enumerate(value)]


def escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


