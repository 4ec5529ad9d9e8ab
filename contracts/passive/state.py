"""What the passive judge remembers: the last observed state of each resource, never the traffic.

Every table is a bounded LRU: a long session costs at most ``limit`` resources and ``limit`` open
walks, whatever the number of exchanges.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    def __init__(self, limit: int):
        self.limit = limit
        self.data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.limit:
            self.data.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self.data.pop(key, None)

    def __len__(self) -> int:
        return len(self.data)


@dataclass
class Seen:
    """The last observation of one resource."""

    doc: dict[str, Any] | None = None
    scope: str | None = None
    deleted: str | None = None  # None | "soft" | "hard" | "cancel"
    revisions: dict[str, int] = field(default_factory=dict)  # rev -> hash of its content
    failed_patch: dict[str, Any] | None = None  # pointer -> value before a refused patch
    hard: bool = False  # deleted with the hard-delete parameter
    restored: bool = False  # the last exchange restored it


@dataclass
class Walk:
    """A client's walk along a list's next links."""

    ids: set[str] = field(default_factory=set)
    complete: bool = True  # started at the first page and every page was seen
    previous: list[str] = field(default_factory=list)  # ids of the page before the current one
    current: list[str] = field(default_factory=list)


WALK_IDS = 100_000  # beyond this many items a walk stops checking for duplicates


class State:
    def __init__(self, limit: int = 10_000):
        self.resources: Lru[tuple[str, str, str], Seen] = Lru(limit)
        self.unique: Lru[tuple, str] = Lru(limit)
        self.walks: Lru[tuple, Walk] = Lru(min(limit, 1000))
        self.before: Lru[tuple, list[str]] = Lru(min(limit, 1000))

    def seen(self, api: str, kind: str, id_: str, create: bool = False) -> Seen | None:
        found = self.resources.get((api, kind, id_))
        if found is None and create:
            found = Seen()
            self.resources.put((api, kind, id_), found)
        return found

    def resources_of(self, api: str, kind: str):
        for (a, k, id_), seen in self.resources.data.items():
            if a == api and k == kind:
                yield id_, seen
