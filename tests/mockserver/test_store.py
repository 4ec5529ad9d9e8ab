"""mockserver/core/store.py: SQLite storage, paging, filters, counts, history, transactions."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmock.mockserver.core.store import Position, Record, Store

API, KIND = "api", "thing"
END = Position("\U0010ffff", 2**62)  # sorts after every stored position


@pytest.fixture
def store() -> Store:
    s = Store()
    yield s
    s.close()


def put(store: Store, id_: str, *, sort_key: str = "", scope: str = "", deleted: bool = False,
        attrs: dict | None = None, **doc) -> Record:
    return store.put(API, KIND, id_, {"id": id_, **doc}, sort_key=sort_key, scope=scope,
                     deleted=deleted, attrs=attrs)


def walk_forward(store: Store, limit: int, **query) -> list[list[Record]]:
    pages, after = [], None
    while True:
        records, more = store.page(API, KIND, after=after, limit=limit, **query)
        pages.append(records)
        if not more:
            return pages
        after = Position(records[-1].sort_key, records[-1].rowid)


def walk_backward(store: Store, limit: int, **query) -> list[list[Record]]:
    pages, before = [], END
    while True:
        records, more = store.page(API, KIND, before=before, limit=limit, **query)
        pages.append(records)
        if not more:
            return pages
        before = Position(records[0].sort_key, records[0].rowid)


def ids(records) -> list[str]:
    return [r.id for r in records]


# --------------------------------------------------------------------------- basic operations


def test_put_then_get_returns_the_document(store):
    put(store, "a", sort_key="alpha", attrs={"color": ["red"]}, name="alpha", nested={"x": [1, 2]})
    record = store.get(API, KIND, "a")
    assert record.doc == {"id": "a", "name": "alpha", "nested": {"x": [1, 2]}}
    assert (record.sort_key, record.deleted, record.scope) == ("alpha", False, "")


def test_get_of_an_unknown_id_or_of_another_kind_is_none(store):
    put(store, "a")
    assert store.get(API, KIND, "b") is None
    assert store.get(API, "other", "a") is None
    assert store.get("other", KIND, "a") is None


def test_put_of_an_existing_id_replaces_it_in_place(store):
    first = put(store, "a", version=1)
    second = put(store, "a", version=2, deleted=True)
    assert second.rowid == first.rowid
    assert store.get(API, KIND, "a").doc["version"] == 2
    assert store.get(API, KIND, "a").deleted is True
    assert store.count(API, KIND, deleted=None) == 1


def test_find_matches_attribute_values_and_follows_updates(store):
    put(store, "a", attrs={"color": ["red", "blue"]})
    put(store, "b", attrs={"color": ["blue"]})
    put(store, "c", attrs={"shape": ["blue"]})
    assert ids(store.find(API, KIND, "color", "blue")) == ["a", "b"]
    assert ids(store.find(API, KIND, "color", "red")) == ["a"]
    put(store, "a", attrs={"color": ["green"]})  # an update replaces the indexed values
    assert ids(store.find(API, KIND, "color", "red")) == []
    assert ids(store.find(API, KIND, "color", "green")) == ["a"]


def test_find_can_be_limited_to_a_scope(store):
    put(store, "a", scope="s1", attrs={"k": ["v"]})
    put(store, "b", scope="s2", attrs={"k": ["v"]})
    assert ids(store.find(API, KIND, "k", "v")) == ["a", "b"]
    assert ids(store.find(API, KIND, "k", "v", scope="s2")) == ["b"]


def test_remove_forgets_the_resource_its_attributes_and_its_history(store):
    put(store, "a", attrs={"k": ["v"]})
    store.add_history(API, KIND, "a", "0.1", {"v": 1})
    assert store.remove(API, KIND, "a") is True
    assert store.get(API, KIND, "a") is None
    assert store.find(API, KIND, "k", "v") == []
    assert store.history(API, KIND, "a") == []
    assert store.count(API, KIND) == 0
    assert store.count(API, KIND, filters=[("k", "v")]) == 0
    assert store.remove(API, KIND, "a") is False


def test_reset_of_one_api_keeps_the_others(store):
    store.put("one", KIND, "a", {}, attrs={"k": ["v"]})
    store.put("two", KIND, "b", {}, attrs={"k": ["v"]})
    store.reset("one")
    assert store.get("one", KIND, "a") is None
    assert store.count("one", KIND) == 0
    assert store.get("two", KIND, "b") is not None
    assert store.count("two", KIND, filters=[("k", "v")]) == 1
    store.reset()
    assert store.count("two", KIND) == 0


def test_documents_that_json_cannot_hold_are_refused(store):
    with pytest.raises(ValueError):
        put(store, "a", value=float("nan"))
    assert store.get(API, KIND, "a") is None
    assert store.count(API, KIND) == 0


# --------------------------------------------------------------------------- paging


@pytest.fixture
def shelf(store) -> Store:
    """30 records with repeated sort keys, inserted out of order."""
    for i in range(30):
        put(store, f"id-{i:02d}", sort_key=f"key-{(i * 7) % 10}")
    return store


def test_a_page_is_in_sort_key_then_insertion_order(shelf):
    records, more = shelf.page(API, KIND, limit=100)
    assert more is False
    positions = [(r.sort_key, r.rowid) for r in records]
    assert positions == sorted(positions)
    # ties on the sort key are broken by insertion order
    assert [r.id for r in records if r.sort_key == "key-0"] == ["id-00", "id-10", "id-20"]


@pytest.mark.parametrize("limit", [1, 4, 7, 29, 30, 31])
def test_walking_after_yields_every_record_exactly_once(shelf, limit):
    pages = walk_forward(shelf, limit)
    walked = [r for page in pages for r in page]
    assert len(walked) == 30 and len(set(ids(walked))) == 30
    assert walked == shelf.page(API, KIND, limit=100)[0]
    assert all(len(page) == limit for page in pages[:-1])


@pytest.mark.parametrize("limit", [1, 4, 7, 29, 30, 31])
def test_walking_before_yields_every_record_exactly_once(shelf, limit):
    pages = walk_backward(shelf, limit)
    walked = [r for page in reversed(pages) for r in page]
    assert walked == shelf.page(API, KIND, limit=100)[0]
    for page in pages:  # each page, even walking backwards, is in ascending order
        assert [(r.sort_key, r.rowid) for r in page] == sorted((r.sort_key, r.rowid) for r in page)


def test_a_page_starting_after_the_last_record_is_empty(shelf):
    last = shelf.page(API, KIND, limit=100)[0][-1]
    assert shelf.page(API, KIND, after=Position(last.sort_key, last.rowid), limit=5) == ([], False)


def test_paging_separates_scopes_and_deleted_states(store):
    put(store, "live", scope="s")
    put(store, "gone", scope="s", deleted=True)
    put(store, "elsewhere", scope="t")
    assert ids(store.page(API, KIND, scope="s", limit=10)[0]) == ["live"]
    assert ids(store.page(API, KIND, scope="s", deleted=True, limit=10)[0]) == ["gone"]
    both = store.page(API, KIND, scope="s", deleted=None, limit=10)[0]
    assert sorted(ids(both)) == ["gone", "live"]


# --------------------------------------------------------------------------- filters


@pytest.fixture
def tagged(store) -> Store:
    for i in range(20):
        tags = [t for t, every in (("even", 2), ("three", 3), ("five", 5)) if i % every == 0]
        put(store, f"id-{i:02d}", sort_key=f"{i:02d}", deleted=i == 10, attrs={"tag": tags})
    return store


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([("tag", "even")], [i for i in range(20) if i % 2 == 0]),
        ([("tag", "three")], [i for i in range(20) if i % 3 == 0]),
        ([("tag", "even"), ("tag", "three")], [i for i in range(20) if i % 6 == 0]),
        ([("tag", "even"), ("tag", "five")], [i for i in range(20) if i % 10 == 0]),
        ([("tag", "even"), ("tag", "three"), ("tag", "five")], [0]),
        ([("tag", "nothing")], []),
        ([("other", "even")], []),
    ],
)
@pytest.mark.parametrize("deleted", [False, True, None])
def test_filters_select_the_matching_records_on_every_page(tagged, filters, expected, deleted):
    if deleted is not None:
        expected = [i for i in expected if (i == 10) == deleted]
    wanted = [f"id-{i:02d}" for i in expected]
    walked = [r for page in walk_forward(tagged, 2, filters=filters, deleted=deleted) for r in page]
    assert ids(walked) == wanted
    backwards = walk_backward(tagged, 3, filters=filters, deleted=deleted)
    assert ids(r for page in reversed(backwards) for r in page) == wanted
    assert tagged.count(API, KIND, filters=filters, deleted=deleted) == len(wanted)


# --------------------------------------------------------------------------- counts vs brute force

_IDS = [f"r{i}" for i in range(6)]
_TAGS = ["a", "b", "c"]
_SCOPES = ["", "s"]

_ops = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(_IDS), st.sampled_from(_SCOPES), st.booleans(),
                  st.lists(st.sampled_from(_TAGS), max_size=3), st.sampled_from(["x", "y", "z"])),
        st.tuples(st.just("remove"), st.sampled_from(_IDS)),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_ops)
def test_counts_and_pages_agree_with_a_brute_force_model(ops):
    store = Store()
    model: dict[str, tuple[str, bool, set[str], str]] = {}
    try:
        for op in ops:
            if op[0] == "put":
                _, id_, scope, deleted, tags, key = op
                put(store, id_, scope=scope, deleted=deleted, sort_key=key, attrs={"tag": tags})
                model[id_] = (scope, deleted, set(tags), key)
            else:
                assert store.remove(API, KIND, op[1]) is (op[1] in model)
                model.pop(op[1], None)
        filter_sets = [[], [("tag", "a")], [("tag", "b")], [("tag", "a"), ("tag", "b")],
                       [("tag", "a"), ("tag", "b"), ("tag", "c")]]
        for scope in _SCOPES:
            for deleted in (False, True, None):
                for filters in filter_sets:
                    expected = {
                        id_ for id_, (s, d, tags, _) in model.items()
                        if s == scope and (deleted is None or d == deleted)
                        and all(value in tags for _, value in filters)
                    }
                    query = {"scope": scope, "deleted": deleted, "filters": filters}
                    assert store.count(API, KIND, **query) == len(expected)
                    walked = ids(r for page in walk_forward(store, 2, **query) for r in page)
                    assert sorted(walked) == sorted(expected)  # each exactly once
                    keys = [model[i][3] for i in walked]
                    assert keys == sorted(keys)
    finally:
        store.close()


# --------------------------------------------------------------------------- history


def test_history_is_kept_in_the_order_it_was_written(store):
    # "10.1" sorts before "9.1" as a string: the order must be the writing order anyway
    for key in ("0.1", "9.1", "10.1", "10.2"):
        store.add_history(API, KIND, "a", key, {"version": key})
    store.add_history(API, KIND, "b", "0.1", {"version": "other"})
    newest_first = store.history(API, KIND, "a", newest_first=True)
    assert [key for key, _ in newest_first] == ["10.2", "10.1", "9.1", "0.1"]
    assert [doc["version"] for _, doc in newest_first] == ["10.2", "10.1", "9.1", "0.1"]
    oldest_first = store.history(API, KIND, "a", newest_first=False)
    assert [key for key, _ in oldest_first] == ["0.1", "9.1", "10.1", "10.2"]
    assert store.history_count(API, KIND, "a") == 4 and store.history_count(API, KIND, "c") == 0
    for offset in range(5):
        assert store.history_slice(API, KIND, "a", offset=offset, limit=2) == newest_first[offset:offset + 2]
        assert store.history_slice(API, KIND, "a", offset=offset, limit=2, newest_first=False) == \
            oldest_first[offset:offset + 2]


def test_history_entry_finds_one_version(store):
    store.add_history(API, KIND, "a", "0.1", {"description": "first"})
    store.add_history(API, KIND, "a", "0.2", {"description": "second"})
    assert store.history_entry(API, KIND, "a", "0.1") == {"description": "first"}
    assert store.history_entry(API, KIND, "a", "0.3") is None
    assert store.history_entry(API, KIND, "b", "0.1") is None


# --------------------------------------------------------------------------- transactions


def test_a_failed_transaction_leaves_nothing_behind(store):
    put(store, "kept", attrs={"k": ["old"]}, value="before")
    store.add_history(API, KIND, "kept", "0.1", {"value": "before"})
    with pytest.raises(RuntimeError), store.transaction():
        put(store, "new", attrs={"k": ["v"]})
        store.add_history(API, KIND, "new", "0.1", {})
        put(store, "kept", attrs={"k": ["changed"]}, value="after")
        store.add_history(API, KIND, "kept", "0.2", {"value": "after"})
        raise RuntimeError("the request failed")
    assert store.get(API, KIND, "new") is None
    assert store.history(API, KIND, "new") == []
    assert store.find(API, KIND, "k", "v") == []
    assert store.get(API, KIND, "kept").doc["value"] == "before"
    assert ids(store.find(API, KIND, "k", "old")) == ["kept"]
    assert [key for key, _ in store.history(API, KIND, "kept")] == ["0.1"]
    assert store.count(API, KIND) == 1
    assert store.count(API, KIND, filters=[("k", "changed")]) == 0
    assert store.count(API, KIND, filters=[("k", "old")]) == 1


def test_a_failed_remove_inside_a_transaction_is_undone(store):
    put(store, "a", attrs={"k": ["v"]})
    with pytest.raises(RuntimeError), store.transaction():
        store.remove(API, KIND, "a")
        raise RuntimeError
    assert store.get(API, KIND, "a") is not None
    assert store.count(API, KIND, filters=[("k", "v")]) == 1


def test_a_failure_in_a_nested_transaction_rolls_back_the_outer_one(store):
    with pytest.raises(RuntimeError), store.transaction():
        put(store, "outer")
        with store.transaction():
            put(store, "inner")
            raise RuntimeError
    assert store.get(API, KIND, "outer") is None
    assert store.get(API, KIND, "inner") is None
    # and the store is usable afterwards
    with store.transaction():
        put(store, "after")
    assert store.get(API, KIND, "after") is not None


# --------------------------------------------------------------------------- threads


def _run_threads(count: int, target) -> None:
    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            target(n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_writers_lose_no_write(store):
    def writer(n: int) -> None:
        for i in range(200):
            put(store, f"t{n}-{i:03d}", sort_key=f"{i:03d}", attrs={"thread": [str(n)]})

    _run_threads(8, writer)
    assert store.count(API, KIND) == 1600
    for n in range(8):
        assert store.count(API, KIND, filters=[("thread", str(n))]) == 200
    walked = [r for page in walk_forward(store, 97) for r in page]
    assert len({r.id for r in walked}) == len(walked) == 1600


def test_concurrent_read_modify_writes_in_transactions_are_serialised(store):
    put(store, "counter", n=0)

    def increment(_: int) -> None:
        for _ in range(50):
            with store.transaction():
                current = store.get(API, KIND, "counter").doc["n"]
                put(store, "counter", n=current + 1)

    _run_threads(8, increment)
    assert store.get(API, KIND, "counter").doc["n"] == 400
