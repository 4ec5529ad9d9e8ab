"""One kind's resources of one API, as the dialects see them: ``engine.collection(api, kind)``.

The store (``store.py``) keeps every resource of every kind in a few tables, addressed by
``(api, kind, id)`` and by named attribute values. A collection fixes the API and the kind, and is
the one place that names those attributes: a declared filter's values (:func:`filter_key`), a
unique key (:func:`unique_key`), a generated id (:func:`generated_key`), an entity's fully
qualified name and parent (:data:`FQN`, :data:`PARENT`). What a document is indexed under comes
from its kind's declarations (``filtering.py`` reads the filters); lists page through
``paging.py``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from . import filtering, paging
from .errors import Conflict
from .store import Position, Record, Store

if TYPE_CHECKING:
    from .engine import Engine

FQN = "fqn"        # OpenMetadata: the fully qualified name an entity is found by
PARENT = "parent"  # OpenMetadata: the id of the entity's declared parent (a recursive delete finds it)
SCAN_BATCH = 500


def filter_key(param: str) -> str:
    """The store attribute holding the values a filter parameter selects on."""
    return f"filter:{param}"


def unique_key(fields: Iterable[str]) -> str:
    """The store attribute holding a resource's values of one declared unique constraint."""
    return "unique:" + ",".join(fields)


def generated_key(pointer: str) -> str:
    """The store attribute holding the fresh id generated at ``pointer`` (a job's ``platform_job``)."""
    return f"generated:{pointer}"


def unique_keys(kind: Kind, doc: Mapping[str, Any], *, parent: str = "", scope: str = "") -> dict[str, str]:
    """Index keys of a resource's declared unique fields (absent values are not keys)."""
    keys = {}
    for unique in kind.unique:
        values = [pointer_get(doc, f) for f in unique.fields]
        if any(v is None for v in values):
            continue
        within = {"parent": parent, "scope": scope}.get(unique.within, "")
        keys[unique_key(unique.fields)] = json.dumps([within, *values], sort_keys=True)
    return keys


def store_filters(conds: Iterable[filtering.Condition]) -> list[tuple[str, str | tuple[str, ...]]]:
    """Filter conditions (by parameter) as the store's attribute conditions."""
    return [(filter_key(param), value) for param, value in conds]


def remove_where(store: Store, api: str, *, scope: str | None = None,
                 filter: tuple[str, str] | None = None) -> int:
    """Remove every resource of ``api`` in ``scope``, or whose filter ``(param, value)`` matches."""
    attr = (filter_key(filter[0]), filter[1]) if filter is not None else None
    return store.remove_where(api, scope=scope, attr=attr)


class Collection:
    """The resources of ``kind`` in ``api``: reads, writes, index, history, blobs and pages.

    A kind the API does not declare (an entity reference naming another type) has an empty
    collection: reads find nothing in it."""

    def __init__(self, engine: Engine, api: ApiDeclaration, kind: Kind | str):
        name = kind if isinstance(kind, str) else kind.name
        self.engine, self.api = engine, api
        self.kind: Kind = api.kinds.get(name) if isinstance(kind, str) else kind  # type: ignore[assignment]
        self._store = engine.store
        self._at = (api.name, name)

    # ------------------------------------------------------------------ transactions, reads

    def transaction(self) -> contextlib.AbstractContextManager[Store]:
        """Serialise a read-modify-write (the store's one lock and SQLite transaction)."""
        return self._store.transaction()

    def get(self, id_: str) -> Record | None:
        return self._store.get(*self._at, id_)

    def find(self, attr: str, value: str, scope: str | None = None) -> list[Record]:
        """Resources whose attribute ``attr`` (``FQN``, ``PARENT`` or a ``*_key``) holds ``value``."""
        return self._store.find(*self._at, attr, value, scope)

    def by_filter(self, param: str, value: str) -> list[Record]:
        return self.find(filter_key(param), value)

    def by_generated(self, pointer: str, value: str) -> list[Record]:
        return self.find(generated_key(pointer), value)

    # ------------------------------------------------------------------ index, uniqueness

    def unique_keys(self, doc: Mapping[str, Any], *, parent: str = "", scope: str = "") -> dict[str, str]:
        return unique_keys(self.kind, doc, parent=parent, scope=scope)

    def check_unique(self, keys: Mapping[str, str], exclude: str | None = None,
                     message: str | None = None) -> None:
        """409 when another resource holds any of the unique ``keys``."""
        for name, value in keys.items():
            for other in self.find(name, value):
                if other.id != exclude:
                    fields = name.split(":", 1)[-1]
                    raise Conflict(message or f"a {self._at[1]} with the same {fields} already exists")

    def index(self, doc: Mapping[str, Any], extra: Mapping[str, Iterable[str]] | None = None,
              *, generated: bool = False) -> dict[str, list[str]]:
        """The attribute values to keep for ``doc``: ``extra`` (unique keys, FQN, ...), then its
        declared filters' values, then (``generated``) the ids generated at the kind's pointers."""
        found: dict[str, list[str]] = {k: list(v) for k, v in (extra or {}).items()}
        for param, values in filtering.index(self.api, self.kind, doc).items():
            found.setdefault(filter_key(param), []).extend(values)
        for pointer in self.kind.generated if generated else ():
            value = pointer_get(doc, pointer)
            if value is not None:
                found[generated_key(pointer)] = [str(value)]
        return found

    def filter_values(self, doc: Mapping[str, Any]) -> dict[str, list[str]]:
        """Per filter parameter, the values ``doc`` is found under (for ``filtering.matches``)."""
        return filtering.index(self.api, self.kind, doc)

    # ------------------------------------------------------------------ writes

    def put(self, id_: str, doc: dict[str, Any], *, scope: str = "", sort_key: str = "",
            deleted: bool = False, attrs: Mapping[str, Iterable[str]] | None = None) -> Record:
        return self._store.put(*self._at, id_, doc, scope=scope, sort_key=sort_key, deleted=deleted, attrs=attrs)

    def remove(self, id_: str) -> bool:
        """Delete a resource, its history and its blobs; False when it did not exist."""
        return self._store.remove(*self._at, id_)

    def remove_where(self, *, scope: str | None = None, filter: tuple[str, str] | None = None) -> int:
        """Remove every resource of the API (any kind) in ``scope`` or matching ``filter``."""
        return remove_where(self._store, self.api.name, scope=scope, filter=filter)

    # ------------------------------------------------------------------ history, blobs

    def history(self, id_: str, *, newest_first: bool = True) -> list[tuple[str, dict]]:
        return self._store.history(*self._at, id_, newest_first=newest_first)

    def add_history(self, id_: str, key: str, doc: dict[str, Any]) -> None:
        self._store.add_history(*self._at, id_, key, doc)

    def history_count(self, id_: str) -> int:
        return self._store.history_count(*self._at, id_)

    def history_page(self, id_: str, token: str | None, query: str, *, limit: int,
                     name: str = "start") -> tuple[list[tuple[str, dict]], str | None]:
        """A page of a resource's history, newest first, at an offset token (``paging.offset_page``)."""
        return paging.offset_page(
            self.history_count(id_),
            lambda offset, size: self._store.history_slice(*self._at, id_, offset=offset, limit=size),
            token, query, limit=limit, name=name)

    def history_entry(self, id_: str, key: str) -> dict | None:
        return self._store.history_entry(*self._at, id_, key)

    def blobs(self, id_: str) -> list[dict[str, Any]]:
        return self._store.blobs(*self._at, id_)

    def blob(self, id_: str, key: str) -> tuple[dict[str, Any], bytes] | None:
        return self._store.blob(*self._at, id_, key)

    def put_blob(self, id_: str, key: str, meta: dict[str, Any], data: bytes) -> None:
        self._store.put_blob(*self._at, id_, key, meta, data)

    def remove_blob(self, id_: str, key: str) -> bool:
        return self._store.remove_blob(*self._at, id_, key)

    # ------------------------------------------------------------------ lists

    def conditions(self, op: Operation, params: Mapping[str, Any]) -> list[filtering.Condition]:
        return filtering.conditions(op, params)

    def page(self, *, scope: str = "", deleted: bool | None = False,
             conds: Iterable[filtering.Condition] = (), limit: int, after: str | None = None,
             before: str | None = None, names: tuple[str, str] = ("after", "before"),
             refine: paging.Refine | None = None) -> paging.Page:
        """One page in sort order after or before a token (see ``paging.fetch``)."""
        conds = list(conds)
        filters = store_filters(conds)
        query = paging.fingerprint(self._at[1], scope, deleted, conds)

        def batch(start: Position | None, end: Position | None, size: int) -> tuple[list[Record], bool]:
            return self._store.page(*self._at, scope=scope, deleted=deleted, filters=filters,
                                    after=start, before=end, limit=size)

        return paging.fetch(batch, query, limit=limit, after=after, before=before, names=names, refine=refine)

    def count(self, *, scope: str = "", deleted: bool | None = False,
              conds: Iterable[filtering.Condition] = ()) -> int:
        return self._store.count(*self._at, scope=scope, deleted=deleted, filters=store_filters(conds))

    def scan(self, *, scope: str | None = "", conds: Iterable[filtering.Condition] = ()) -> Iterator[Record]:
        """Every live resource in ``scope`` (every scope: None) matching ``conds``, in batches."""
        if scope is None:
            scopes = [s for api, kind, s, _ in self._store.kinds_summary() if (api, kind) == self._at]
        else:
            scopes = [scope]
        filters = store_filters(conds)
        for where in scopes:
            position = None
            while True:
                records, more = self._store.page(*self._at, scope=where, filters=filters, after=position,
                                                 limit=SCAN_BATCH)
                yield from records
                if not more or not records:
                    break
                position = Position(records[-1].sort_key, records[-1].rowid)
