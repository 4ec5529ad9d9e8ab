"""Export and import the whole state of the store as one JSON document.

A snapshot lists every resource (seeded catalogues included) in insertion order, each with its
document, the attribute values it is indexed under, its version history and its uploaded blobs
(base64)::

    {"format": "mlmock-snapshot", "version": 1, "created": "2024-01-01T00:00:00.000Z",
     "resources": [{"api": "openmetadata", "kind": "mlmodel", "id": "...", "scope": "",
                    "sort_key": "churn", "deleted": false, "doc": {...},
                    "attrs": {"fqn": ["svc.churn"]}, "history": [{"key": "0.1", "doc": {...}}],
                    "blobs": []}]}

Importing replaces everything, in one transaction: a malformed snapshot is a 400 naming the
first bad field, and the state before it is kept.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..core.errors import BadRequest
from ..core.store import Store

FORMAT = "mlmock-snapshot"
VERSION = 1


def export(store: Store) -> dict[str, Any]:
    resources = []
    for record in store.records():
        history = store.history(record.api, record.kind, record.id, newest_first=False)
        blobs = store.blob_rows(record.api, record.kind, record.id)
        resources.append({
            "api": record.api, "kind": record.kind, "id": record.id, "scope": record.scope,
            "sort_key": record.sort_key, "deleted": record.deleted, "doc": record.doc,
            "attrs": store.attrs_of(record.rowid),
            "history": [{"key": key, "doc": doc} for key, doc in history],
            "blobs": [{"key": key, "meta": meta, "data": base64.b64encode(data).decode("ascii")}
                      for key, meta, data in blobs],
        })
    created = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"format": FORMAT, "version": VERSION, "created": created, "resources": resources}


def _text(item: Mapping[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str):
        raise BadRequest(f"snapshot: {where}.{name} must be a string")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"snapshot: {where} must be a JSON object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"snapshot: {where} must be a list")
    return value


def _attrs(value: Any, where: str) -> dict[str, list[str]]:
    attrs = _object(value if value is not None else {}, where)
    for name, values in attrs.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadRequest(f"snapshot: {where}.{name} must be a list of strings")
    return attrs


def _check(snapshot: Any) -> list[dict[str, Any]]:
    snapshot = _object(snapshot, "the snapshot")
    if snapshot.get("format") != FORMAT or snapshot.get("version") != VERSION:
        raise BadRequest(f"snapshot: expected format {FORMAT!r} version {VERSION} "
                         "(a document exported by GET /_mlmock/api/snapshot)")
    resources = _list(snapshot.get("resources"), "resources")
    checked, seen = [], set()
    for index, item in enumerate(resources):
        where = f"resources[{index}]"
        item = _object(item, where)
        key = tuple(_text(item, name, where) for name in ("api", "kind", "id"))
        if key in seen:
            raise BadRequest(f"snapshot: {where} repeats {'/'.join(key)}")
        seen.add(key)
        deleted = item.get("deleted", False)
        if not isinstance(deleted, bool):
            raise BadRequest(f"snapshot: {where}.deleted must be true or false")
        history = []
        for n, entry in enumerate(_list(item.get("history"), f"{where}.history")):
            entry = _object(entry, f"{where}.history[{n}]")
            history.append((_text(entry, "key", f"{where}.history[{n}]"),
                            _object(entry.get("doc"), f"{where}.history[{n}].doc")))
        blobs = []
        for n, entry in enumerate(_list(item.get("blobs"), f"{where}.blobs")):
            entry = _object(entry, f"{where}.blobs[{n}]")
            try:
                data = base64.b64decode(_text(entry, "data", f"{where}.blobs[{n}]"), validate=True)
            except (binascii.Error, ValueError):
                raise BadRequest(f"snapshot: {where}.blobs[{n}].data is not base64") from None
            blobs.append((_text(entry, "key", f"{where}.blobs[{n}]"),
                          _object(entry.get("meta"), f"{where}.blobs[{n}].meta"), data))
        checked.append({"key": key, "scope": item.get("scope", ""), "sort_key": item.get("sort_key", ""),
                        "deleted": deleted, "doc": _object(item.get("doc"), f"{where}.doc"),
                        "attrs": _attrs(item.get("attrs"), f"{where}.attrs"), "history": history,
                        "blobs": blobs})
        for name in ("scope", "sort_key"):
            if not isinstance(checked[-1][name], str):
                raise BadRequest(f"snapshot: {where}.{name} must be a string")
    return checked


def restore(store: Store, snapshot: Any) -> int:
    """Replace the whole state with ``snapshot``; returns the number of resources."""
    resources = _check(snapshot)
    try:
        with store.transaction():
            store.reset()
            for item in resources:
                api, kind, id_ = item["key"]
                store.put(api, kind, id_, item["doc"], scope=item["scope"], sort_key=item["sort_key"],
                          deleted=item["deleted"], attrs=item["attrs"])
                for key, doc in item["history"]:
                    store.add_history(api, kind, id_, key, doc)
                for key, meta, data in item["blobs"]:
                    store.put_blob(api, kind, id_, key, meta, data)
    except (ValueError, TypeError, sqlite3.Error) as error:
        raise BadRequest(f"snapshot: cannot be stored: {error}") from None
    return len(resources)
