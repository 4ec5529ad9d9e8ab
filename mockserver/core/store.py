"""Resource storage on SQLite (in memory by default, on disk with a path).

One table holds every resource of every kind of every API as a JSON document; a second holds
the values the spec declares filterable or unique (``attrs``), each row carrying the resource's
sort key so that a filtered page is an index range scan; a third keeps counts per partition and
per value two or more resources share, so that ``total`` costs the same with 100,000 resources as
with 100. Version history and revisions live in ``history`` (the current version as a marker).

Every write happens inside :meth:`Store.transaction`, which holds a process-wide lock and an
SQLite ``BEGIN IMMEDIATE`` transaction: concurrent requests (of this process, or of another worker
on the same file, whose write lock it waits for) never interleave a read-modify-write, and a failed
request rolls back whatever it had written."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import rows as tables
from .rows import BUSY_S, Attrs, Position, Record, _alternatives


class Store:
    def __init__(self, path: str = ":memory:"):
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_S)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL: in WAL mode a commit is in the -wal file (the OS's page cache) before the answer,
            # so an acknowledged write survives a SIGKILL of the process (tests/test_serve*.py); only an
            # OS crash or power loss can drop the last commits, never corrupt the file. FULL added an
            # fsync per commit: creates ran at half the rate (226 vs 452 req/s, bench_workers.py).
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(tables._SCHEMA)
        self._depth = 0

    # ------------------------------------------------------------------ transactions

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Serialise a read-modify-write; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        """Close the database. A state file is checkpointed first: everything moves from the
        ``-wal`` file into the ``.db`` file, the ``-wal`` file is emptied and SQLite removes it,
        so the ``.db`` file alone holds the state (copy it, archive it)."""
        with self._lock:
            if self.path != ":memory:":
                # (fails only while another connection reads the file; the close below checkpoints if it can)
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()

    # ------------------------------------------------------------------ reads

    def _record(self, row: tuple) -> Record:
        rowid, api, kind, id_, scope, sort_key, deleted, doc = row
        return Record(rowid, api, kind, id_, scope, sort_key, bool(deleted), json.loads(doc))

    _COLUMNS = "r.rowid, r.api, r.kind, r.id, r.scope, r.sort_key, r.deleted, r.doc"

    def get(self, api: str, kind: str, id_: str) -> Record | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._COLUMNS} FROM resources r WHERE api=? AND kind=? AND id=?",
                (api, kind, id_),
            ).fetchone()
        return self._record(row) if row else None

    def find(self, api: str, kind: str, name: str, value: str, scope: str | None = None) -> list[Record]:
        """Resources whose attribute ``name`` has ``value`` (any scope unless one is given)."""
        sql = (f"SELECT DISTINCT {self._COLUMNS} FROM attrs a JOIN resources r ON r.rowid=a.resource "
               "WHERE a.api=? AND a.kind=? AND a.name=? AND a.value=?")
        args: list[Any] = [api, kind, name, value]
        if scope is not None:
            sql += " AND a.scope=?"
            args.append(scope)
        with self._lock:
            return [self._record(row) for row in self._db.execute(sql + " ORDER BY r.rowid", args)]

    def page(
        self,
        api: str,
        kind: str,
        *,
        scope: str = "",
        deleted: bool | None = False,
        filters: Iterable[tuple[str, str]] = (),
        after: Position | None = None,
        before: Position | None = None,
        limit: int,
    ) -> tuple[list[Record], bool]:
        """Up to ``limit`` resources in (sort key, row id) order, after or before a position.

        Returns the records (always in ascending order) and whether more exist beyond them
        in the walking direction. Cost: one index range scan of ``limit + 1`` rows.
        """
        filters = list(filters)
        backwards = before is not None
        args: list[Any] = [api, kind, scope]
        if filters:
            name, value = filters[0]
            firsts = _alternatives(value)
            source = "attrs a JOIN resources r ON r.rowid = a.resource"
            where = ["a.api=?", "a.kind=?", "a.scope=?", "a.name=?", "a.value=?"]
            args += [name, tables._VALUE]  # one index range scan per value (rows.page_query)
            key, row = "a.sort_key", "a.resource"
            prefix = "a"
        else:
            source = "resources r"
            where = ["r.api=?", "r.kind=?", "r.scope=?"]
            key, row = "r.sort_key", "r.rowid"
            prefix = "r"
        if deleted is not None:
            where.append(f"{prefix}.deleted=?")
            args.append(int(deleted))
        if after is not None:
            where.append(f"({key}, {row}) > (?, ?)")
            args += [after.sort_key, after.rowid]
        if before is not None:
            where.append(f"({key}, {row}) < (?, ?)")
            args += [before.sort_key, before.rowid]
        for name, value in filters[1:]:
            values = _alternatives(value)
            where.append("EXISTS (SELECT 1 FROM attrs b WHERE b.resource=r.rowid AND b.name=? "
                         f"AND b.value IN ({','.join('?' * len(values))}))")
            args += [name, *values]
        order = "DESC" if backwards else "ASC"
        branches = firsts if filters else ()
        sql = tables.page_query(self._COLUMNS, source, where, key, row, order, max(1, len(branches)))
        args.append(limit + 1)
        if branches:  # each branch with its value; several of them, then the outer limit
            args = [v if a is tables._VALUE else a for v in branches for a in args] + [limit + 1] * (len(branches) > 1)
        with self._lock:
            rows = [self._record(r) for r in self._db.execute(sql, args)]
        more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        return rows, more

    def count(self, api: str, kind: str, *, scope: str = "", deleted: bool | None = False,
              filters: Iterable[tuple[str, str]] = ()) -> int:
        """How many resources match; O(1) for no filter or one filter."""
        filters = list(filters)
        states = [int(deleted)] if deleted is not None else [0, 1]
        marks = ",".join("?" * len(states))
        with self._lock:
            if len(filters) <= 1 and all(len(_alternatives(v)) == 1 for _, v in filters):
                name, value = filters[0] if filters else ("", "")
                return sum(self._db.execute(tables._COUNT, (api, kind, scope, state, name, value) * 2).fetchone()[0]
                           for state in states)
            where = " AND ".join(
                "EXISTS (SELECT 1 FROM attrs b WHERE b.resource=r.rowid AND b.name=? "
                f"AND b.value IN ({','.join('?' * len(_alternatives(value)))}))"
                for _, value in filters
            )
            args = [api, kind, scope, *states] + [x for name, value in filters
                                                  for x in (name, *_alternatives(value))]
            row = self._db.execute(
                f"SELECT COUNT(*) FROM resources r WHERE api=? AND kind=? AND scope=? "
                f"AND deleted IN ({marks}) AND {where}", args,
            ).fetchone()
            return int(row[0])

    def kinds_summary(self) -> list[tuple[str, str, str, int]]:
        """(api, kind, scope, live count) for every non-empty partition."""
        with self._lock:
            return list(self._db.execute(
                "SELECT api, kind, scope, n FROM counts WHERE name='' AND deleted=0 AND n>0 "
                "ORDER BY api, kind, scope"))

    # ------------------------------------------------------------------ writes

    def _bump(self, api: str, kind: str, scope: str, deleted: bool,
              attrs: Mapping[str, list[str]], delta: int) -> None:
        """Counts move with the resources: the partition's total always, a (name, value) pair's only
        while two or more resources have it (count() counts the attrs rows of a rarer one: at most one),
        so that unique values (names, FQNs) cost no counts rows. Called after the attrs rows are added
        (delta +1), before they are removed (delta -1)."""
        key = (api, kind, scope, int(deleted))
        self._db.execute(tables._BUMP, (*key, "", "", delta))
        for name, value in ((name, value) for name, values in attrs.items() for value in values):
            moved = self._db.execute(tables._MOVE, (delta, *key, name, value)).rowcount
            if delta > 0 and not moved:
                self._db.execute(tables._FIRST, (*key, name, value) * 2)
            elif delta < 0 and moved:
                self._db.execute(tables._DROP, (*key, name, value))

    def _attrs_of(self, rowid: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, value in self._db.execute("SELECT name, value FROM attrs WHERE resource=?", (rowid,)):
            found.setdefault(name, []).append(value)
        return found

    def put(self, api: str, kind: str, id_: str, doc: dict[str, Any], *, scope: str = "",
            sort_key: str = "", deleted: bool = False, attrs: Attrs | None = None) -> Record:
        """Insert or replace a resource, with the attribute values to index."""
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        normal = {name: sorted(set(values)) for name, values in (attrs or {}).items()}
        with self.transaction():
            existing = self._db.execute(
                "SELECT rowid, scope, deleted, doc FROM resources WHERE api=? AND kind=? AND id=?",
                (api, kind, id_)).fetchone()
            if existing:
                rowid, old_scope, old_deleted, old_text = existing
                if old_text != text:  # history entries that were this document now keep their own copy
                    self._db.execute("UPDATE history SET doc=? WHERE api=? AND kind=? AND id=? AND doc=?",
                                     (old_text, api, kind, id_, tables._SAME))
                self._bump(api, kind, old_scope, bool(old_deleted), self._attrs_of(rowid), -1)
                self._db.execute("DELETE FROM attrs WHERE resource=?", (rowid,))
                self._db.execute(
                    "UPDATE resources SET scope=?, sort_key=?, deleted=?, doc=? WHERE rowid=?",
                    (scope, sort_key, int(deleted), text, rowid))
            else:
                rowid = self._db.execute(
                    "INSERT INTO resources (api, kind, id, scope, sort_key, deleted, doc) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (api, kind, id_, scope, sort_key, int(deleted), text)).lastrowid
            self._db.executemany(
                "INSERT INTO attrs (resource, api, kind, scope, name, value, deleted, sort_key) "
                "VALUES (?,?,?,?,?,?,?,?)",
                [(rowid, api, kind, scope, name, value, int(deleted), sort_key)
                 for name, values in normal.items() for value in values])
            self._bump(api, kind, scope, deleted, normal, +1)
        return Record(rowid, api, kind, id_, scope, sort_key, deleted, json.loads(text))

    def remove(self, api: str, kind: str, id_: str) -> bool:
        """Delete a resource and its history; False when it did not exist."""
        with self.transaction():
            existing = self._db.execute(
                "SELECT rowid, scope, deleted FROM resources WHERE api=? AND kind=? AND id=?",
                (api, kind, id_)).fetchone()
            if not existing:
                return False
            rowid, scope, deleted = existing
            self._bump(api, kind, scope, bool(deleted), self._attrs_of(rowid), -1)
            self._db.execute("DELETE FROM attrs WHERE resource=?", (rowid,))
            self._db.execute("DELETE FROM resources WHERE rowid=?", (rowid,))
            self._db.execute("DELETE FROM history WHERE api=? AND kind=? AND id=?", (api, kind, id_))
            self._db.execute("DELETE FROM blobs WHERE api=? AND kind=? AND id=?", (api, kind, id_))
        return True

    # ------------------------------------------------------------------ history

    def add_history(self, api: str, kind: str, id_: str, key: str, doc: dict[str, Any]) -> None:
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        with self.transaction():
            current = self._db.execute("SELECT doc FROM resources WHERE api=? AND kind=? AND id=?",
                                       (api, kind, id_)).fetchone()
            if current is not None and current[0] == text:
                text = tables._SAME  # the resource's current document: not stored twice (put() copies it on a change)
            seq = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM history WHERE api=? AND kind=? AND id=?",
                (api, kind, id_)).fetchone()[0]
            self._db.execute(
                "INSERT INTO history (api, kind, id, key, seq, doc) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT (api, kind, id, key) DO UPDATE SET doc=excluded.doc, seq=excluded.seq",
                (api, kind, id_, key, seq, text))

    def history(self, api: str, kind: str, id_: str, *, newest_first: bool = True) -> list[tuple[str, dict]]:
        return self.history_slice(api, kind, id_, offset=0, limit=-1, newest_first=newest_first)

    def history_count(self, api: str, kind: str, id_: str) -> int:
        """How many history entries a resource has (an index count, no document read)."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM history WHERE api=? AND kind=? AND id=?",
                                        (api, kind, id_)).fetchone()[0])

    def history_slice(self, api: str, kind: str, id_: str, *, offset: int, limit: int,
                      newest_first: bool = True) -> list[tuple[str, dict]]:
        """``limit`` (-1: all) history entries from ``offset`` in sequence order (newest first by default)."""
        order = "DESC" if newest_first else "ASC"
        with self._lock:
            return [(key, json.loads(doc)) for key, doc in self._db.execute(
                f"SELECT h.key, {tables._HISTORY_DOC} FROM history h WHERE h.api=? AND h.kind=? AND h.id=? "
                f"ORDER BY h.seq {order} LIMIT ? OFFSET ?", (api, kind, id_, limit, offset))]

    def history_entry(self, api: str, kind: str, id_: str, key: str) -> dict | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {tables._HISTORY_DOC} FROM history h WHERE h.api=? AND h.kind=? AND h.id=? AND h.key=?",
                (api, kind, id_, key)).fetchone()
        return json.loads(row[0]) if row else None

    # ------------------------------------------------------------------ blobs (uploaded content)

    def put_blob(self, api: str, kind: str, id_: str, key: str, meta: dict[str, Any], data: bytes) -> None:
        text = json.dumps(meta, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        with self.transaction():
            seq = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM blobs WHERE api=? AND kind=? AND id=?",
                (api, kind, id_)).fetchone()[0]
            self._db.execute(
                "INSERT INTO blobs (api, kind, id, key, seq, meta, data) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT (api, kind, id, key) DO UPDATE SET meta=excluded.meta, data=excluded.data",
                (api, kind, id_, key, seq, text, data))

    def blobs(self, api: str, kind: str, id_: str) -> list[dict[str, Any]]:
        """Metadata of a resource's blobs, oldest first."""
        with self._lock:
            return [json.loads(meta) for (meta,) in self._db.execute(
                "SELECT meta FROM blobs WHERE api=? AND kind=? AND id=? ORDER BY seq", (api, kind, id_))]

    def blob(self, api: str, kind: str, id_: str, key: str) -> tuple[dict[str, Any], bytes] | None:
        with self._lock:
            row = self._db.execute("SELECT meta, data FROM blobs WHERE api=? AND kind=? AND id=? AND key=?",
                                   (api, kind, id_, key)).fetchone()
        return (json.loads(row[0]), bytes(row[1])) if row else None

    def remove_blob(self, api: str, kind: str, id_: str, key: str) -> bool:
        with self.transaction():
            return self._db.execute("DELETE FROM blobs WHERE api=? AND kind=? AND id=? AND key=?",
                                    (api, kind, id_, key)).rowcount > 0

    # ------------------------------------------------------------------ reset

    def reset(self, api: str | None = None) -> None:
        """Forget everything (or everything of one API)."""
        with self.transaction():
            for table in ("resources", "attrs", "counts", "history", "blobs"):
                if api is None:
                    self._db.execute(f"DELETE FROM {table}")
                else:
                    self._db.execute(f"DELETE FROM {table} WHERE api=?", (api,))

    # ------------------------------------------------------------------ control plane: scans, scoped resets

    def records(self, api: str | None = None, kind: str | None = None, scope: str | None = None, *,
                after_rowid: int = 0, limit: int | None = None) -> list[Record]:
        """Resources in insertion (row id) order, optionally of one API, kind and scope."""
        where, args = ["r.rowid > ?"], [after_rowid]
        for column, value in (("api", api), ("kind", kind), ("scope", scope)):
            if value is not None:
                where.append(f"r.{column}=?")
                args.append(value)
        sql = f"SELECT {self._COLUMNS} FROM resources r WHERE {' AND '.join(where)} ORDER BY r.rowid"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            return [self._record(row) for row in self._db.execute(sql, args)]

    def attrs_of(self, rowid: int) -> dict[str, list[str]]:
        """The indexed attribute values of a resource (by row id)."""
        with self._lock:
            return self._attrs_of(rowid)

    def blob_rows(self, api: str, kind: str, id_: str) -> list[tuple[str, dict[str, Any], bytes]]:
        """(key, metadata, data) of a resource's blobs, oldest first."""
        with self._lock:
            return [(key, json.loads(meta), bytes(data)) for key, meta, data in self._db.execute(
                "SELECT key, meta, data FROM blobs WHERE api=? AND kind=? AND id=? ORDER BY seq", (api, kind, id_))]

    def remove_where(self, api: str, *, scope: str | None = None,
                     attr: tuple[str, str] | None = None) -> int:
        """Remove every resource of ``api`` in ``scope`` or having attribute ``attr`` = (name, value);
        returns how many."""
        if attr is not None:
            sql = ("SELECT DISTINCT r.kind, r.id FROM attrs a JOIN resources r ON r.rowid=a.resource "
                   "WHERE a.api=? AND a.name=? AND a.value=?")
            args: list[Any] = [api, *attr]
            if scope is not None:
                sql += " AND r.scope=?"
                args.append(scope)
        elif scope is not None:
            sql, args = "SELECT kind, id FROM resources WHERE api=? AND scope=?", [api, scope]
        else:
            raise ValueError("remove_where needs a scope or an attribute")
        with self.transaction():
            victims = list(self._db.execute(sql, args))
            for kind, id_ in victims:
                self.remove(api, kind, id_)
        return len(victims)
