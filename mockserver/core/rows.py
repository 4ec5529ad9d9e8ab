"""What the store keeps: its SQLite schema, and the records and sort positions it hands out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# How long a write waits for another connection's write lock (SQLite's busy_timeout): with
# `mlmock serve --workers N`, BEGIN IMMEDIATE waits for the other workers instead of failing with
# "database is locked".
BUSY_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    rowid    INTEGER PRIMARY KEY,
    api      TEXT NOT NULL,
    kind     TEXT NOT NULL,
    id       TEXT NOT NULL,
    scope    TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    deleted  INTEGER NOT NULL,
    doc      TEXT NOT NULL,
    UNIQUE (api, kind, id)
);
CREATE INDEX IF NOT EXISTS resources_live ON resources (api, kind, scope, deleted, sort_key, rowid);
CREATE INDEX IF NOT EXISTS resources_all ON resources (api, kind, scope, sort_key, rowid);
CREATE TABLE IF NOT EXISTS attrs (
    resource INTEGER NOT NULL,
    api      TEXT NOT NULL,
    kind     TEXT NOT NULL,
    scope    TEXT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    deleted  INTEGER NOT NULL,
    sort_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attrs_live ON attrs (api, kind, scope, name, value, deleted, sort_key, resource);
CREATE INDEX IF NOT EXISTS attrs_all ON attrs (api, kind, scope, name, value, sort_key, resource);
CREATE INDEX IF NOT EXISTS attrs_resource ON attrs (resource);
-- find(): covering, so that SQLite never prefers a scan of attrs_all by (api, kind) instead.
DROP INDEX IF EXISTS attrs_global;
CREATE INDEX IF NOT EXISTS attrs_lookup ON attrs (api, kind, name, value, resource);
CREATE TABLE IF NOT EXISTS counts (
    api     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (api, kind, scope, deleted, name, value)
);
CREATE TABLE IF NOT EXISTS history (
    api  TEXT NOT NULL,
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    key  TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    doc  TEXT NOT NULL,
    PRIMARY KEY (api, kind, id, key)
);
CREATE INDEX IF NOT EXISTS history_order ON history (api, kind, id, seq);
CREATE TABLE IF NOT EXISTS blobs (
    api   TEXT NOT NULL,
    kind  TEXT NOT NULL,
    id    TEXT NOT NULL,
    key   TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    meta  TEXT NOT NULL,
    data  BLOB NOT NULL,
    PRIMARY KEY (api, kind, id, key)
);
"""

# The counts of the store's partitions and attribute values (see Store._bump and Store.count).
_BUMP = ("INSERT INTO counts (api, kind, scope, deleted, name, value, n) VALUES (?,?,?,?,?,?,?) "
         "ON CONFLICT (api, kind, scope, deleted, name, value) DO UPDATE SET n = n + excluded.n")
_WHERE = "api=? AND kind=? AND scope=? AND deleted=? AND name=? AND value=?"
_MOVE = f"UPDATE counts SET n = n + ? WHERE {_WHERE}"
_DROP = f"DELETE FROM counts WHERE {_WHERE} AND n <= 1"
_ATTRS = f"SELECT COUNT(*) AS n FROM attrs WHERE {_WHERE}"
_FIRST = ("INSERT INTO counts (api, kind, scope, deleted, name, value, n) "
          f"SELECT ?,?,?,?,?,?,n FROM ({_ATTRS}) WHERE n >= 2")
_COUNT = f"SELECT COALESCE((SELECT n FROM counts WHERE {_WHERE}), ({_ATTRS}))"

Attrs = Mapping[str, Iterable[str]]


# A filter is (attribute, value) or (attribute, (value, value, ...)): any of the values matches.
FilterSpec = tuple[str, "str | tuple[str, ...]"]


def _alternatives(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


# A history entry equal to its resource's current document stores this marker instead of a second
# copy (half the memory of a store of fresh OpenMetadata entities); reads substitute the document.
_SAME = ""
_HISTORY_DOC = (f"CASE WHEN h.doc='{_SAME}' THEN (SELECT r.doc FROM resources r "
                "WHERE r.api=h.api AND r.kind=h.kind AND r.id=h.id) ELSE h.doc END")


_VALUE = object()  # where a page's SQL arguments take the value of its first filter, one per branch


def page_query(columns: str, source: str, where: list[str], key: str, row: str, order: str, branches: int) -> str:
    """The SQL of one page: an index range scan in (sort key, row id) order, ``LIMIT ?``.

    A filter that accepts any of several values (``branches`` > 1) is one range scan per value,
    each limited, merged and limited again, so that a page costs the same whatever the number
    stored (``value IN (...)`` would collect and sort every match). Arguments: the ``where``
    arguments and the limit once per branch, then the outer limit."""
    one = (f"SELECT DISTINCT {columns} FROM {source} WHERE {' AND '.join(where)} "
           f"ORDER BY {key} {order}, {row} {order} LIMIT ?")
    if branches == 1:
        return one
    named = ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns.split(", ")))
    scan = (f"SELECT * FROM (SELECT {named}, {key} AS k, {row} AS n FROM {source} WHERE {' AND '.join(where)} "
            f"ORDER BY {key} {order}, {row} {order} LIMIT ?)")
    plain = ", ".join(f"c{i}" for i in range(len(columns.split(", "))))
    return (f"SELECT DISTINCT {plain} FROM ({' UNION ALL '.join([scan] * branches)}) "
            f"ORDER BY k {order}, n {order} LIMIT ?")


@dataclass
class Record:
    rowid: int
    api: str
    kind: str
    id: str
    scope: str
    sort_key: str
    deleted: bool
    doc: dict[str, Any]


@dataclass(frozen=True)
class Position:
    """Where a page starts or ends: a (sort key, row id) pair, strictly ordered."""

    sort_key: str
    rowid: int
