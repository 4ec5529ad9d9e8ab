"""What the store no longer keeps twice (issue 12, memory): a history entry equal to the current
document, and counts rows of values fewer than two resources have. Reads answer as before."""

from __future__ import annotations

import random

from mlmock.mockserver.core.store import Store

A, K = "openmetadata", "mlmodel"


def _doc(id_: str, version: float, description: str = "") -> dict:
    return {"id": id_, "name": id_, "version": version, "description": description}


def _raw_history(store: Store, id_: str) -> dict[str, str]:
    return dict(store._db.execute("SELECT key, doc FROM history WHERE api=? AND kind=? AND id=?", (A, K, id_)))


def test_the_current_version_is_not_stored_twice():
    store = Store()
    first = _doc("m1", 0.1)
    store.put(A, K, "m1", first)
    store.add_history(A, K, "m1", "0.1", first)
    assert _raw_history(store, "m1") == {"0.1": ""}
    assert store.history(A, K, "m1") == [("0.1", first)]
    assert store.history_entry(A, K, "m1", "0.1") == first
    assert store.history_slice(A, K, "m1", offset=0, limit=5) == [("0.1", first)]  # the paged read too


def test_an_update_keeps_the_old_version_in_the_history():
    store = Store()
    first, second, third = _doc("m1", 0.1), _doc("m1", 0.2, "d"), _doc("m1", 0.3, "e")
    for doc in (first, second, third):
        store.put(A, K, "m1", doc)
        store.add_history(A, K, "m1", str(doc["version"]), doc)
    assert store.history(A, K, "m1") == [("0.3", third), ("0.2", second), ("0.1", first)]
    assert store.history(A, K, "m1", newest_first=False)[0] == ("0.1", first)
    assert store.history_entry(A, K, "m1", "0.2") == second
    assert store.history_entry(A, K, "m1", "0.3") == third
    assert list(_raw_history(store, "m1").values()).count("") == 1


def test_a_snapshot_that_differs_from_the_document_is_stored_as_is():
    store = Store()
    store.put(A, K, "m1", _doc("m1", 0.1))
    store.add_history(A, K, "m1", "1", {"revision": 1})
    store.put(A, K, "m1", _doc("m1", 0.2))
    assert store.history(A, K, "m1") == [("1", {"revision": 1})]


def test_an_unchanged_put_and_a_rolled_back_change_keep_the_history():
    store = Store()
    first = _doc("m1", 0.1)
    store.put(A, K, "m1", first)
    store.add_history(A, K, "m1", "0.1", first)
    store.put(A, K, "m1", dict(first))
    assert _raw_history(store, "m1") == {"0.1": ""}
    try:
        with store.transaction():
            store.put(A, K, "m1", _doc("m1", 0.2, "x"))
            raise RuntimeError("the request fails")
    except RuntimeError:
        pass
    assert store.history(A, K, "m1") == [("0.1", first)]
    assert store.get(A, K, "m1").doc == first


def test_history_added_before_the_resource_is_kept_whole():
    store = Store()
    doc = _doc("m1", 0.1)
    store.add_history(A, K, "m1", "0.1", doc)
    store.put(A, K, "m1", _doc("m1", 0.2))
    assert store.history_entry(A, K, "m1", "0.1") == doc


def test_remove_and_reset_take_the_history_along():
    store = Store()
    for id_ in ("m1", "m2"):
        store.put(A, K, id_, _doc(id_, 0.1))
        store.add_history(A, K, id_, "0.1", _doc(id_, 0.1))
    store.remove(A, K, "m1")
    assert store.history(A, K, "m1") == []
    store.reset()
    assert store.history(A, K, "m2") == [] and store.history_entry(A, K, "m2", "0.1") is None


def _brute(store: Store, scope: str, deleted, name: str, value: str) -> int:
    return sum(1 for r in store.records(A, K, scope)
               if (deleted is None or r.deleted == deleted)
               and (not name or value in store.attrs_of(r.rowid).get(name, [])))


def test_counts_stay_exact_through_random_writes():
    rng = random.Random(12)
    store = Store()
    names = {"unique": lambda i: [f"u{i}"], "service": lambda i: [rng.choice("ab")],
             "tags": lambda i: rng.sample("xyz", rng.randint(0, 3))}
    for step in range(400):
        i = rng.randrange(60)
        if rng.random() < 0.2:
            store.remove(A, K, f"m{i}")
        else:
            attrs = {name: make(i) for name, make in names.items()}
            store.put(A, K, f"m{i}", {"id": f"m{i}", "step": step}, scope=rng.choice(["", "s"]),
                      deleted=rng.random() < 0.3, attrs=attrs)
        if step % 40 == 39:
            for scope in ("", "s"):
                for deleted in (False, True, None):
                    for name, value in [("", ""), ("unique", f"u{i}"), ("service", "a"), ("service", "b"),
                                        ("tags", "x"), ("tags", "z"), ("unique", "nobody")]:
                        filters = [(name, value)] if name else []
                        assert store.count(A, K, scope=scope, deleted=deleted, filters=filters) == \
                            _brute(store, scope, deleted, name, value), (scope, deleted, name, value)
    rows = list(store._db.execute("SELECT name, n FROM counts WHERE name != ''"))
    assert rows and all(n >= 2 for _, n in rows)
    assert not [n for name, n in rows if name == "unique"]  # one resource per value: no rows at all


def test_counts_rows_of_an_older_store_still_count():
    """A state file written before this change holds a counts row for every value, n=1 included."""
    store = Store()
    store.put(A, K, "m1", {"id": "m1"}, attrs={"unique": ["u1"]})
    store._db.execute("INSERT INTO counts VALUES (?,?,?,?,?,?,?)", (A, K, "", 0, "unique", "u1", 1))
    assert store.count(A, K, filters=[("unique", "u1")]) == 1
    store.put(A, K, "m2", {"id": "m2"}, attrs={"unique": ["u1"]})
    assert store.count(A, K, filters=[("unique", "u1")]) == 2
    store.remove(A, K, "m1")
    store.remove(A, K, "m2")
    assert store.count(A, K, filters=[("unique", "u1")]) == 0
    assert store.kinds_summary() == []
