"""mockserver/core/store.py, Store.page with a filter that accepts any of several values
(WML ``tag.value=a or b``): the same page as a scan would give, and a cost that does not grow with
the number stored (counted in SQLite virtual-machine steps, which are deterministic, not in time)."""

from __future__ import annotations

import pytest

from mlmock.mockserver.core.rows import Position
from mlmock.mockserver.core.store import Store

A, K, TAG = "wml", "model", "filter:tag.value"


def _fill(store: Store, n: int) -> None:
    with store.transaction():
        for i in range(n):
            tags = [t for t, every in (("a", 2), ("b", 3), ("c", 5)) if i % every == 0]
            store.put(A, K, f"m{i:06d}", {"id": f"m{i:06d}", "tags": tags}, sort_key=f"{i:06d}",
                      attrs={TAG: tags})


def _expected(n: int, wanted: set[str]) -> list[str]:
    return [f"m{i:06d}" for i in range(n)
            if {t for t, every in (("a", 2), ("b", 3), ("c", 5)) if i % every == 0} & wanted]


@pytest.fixture
def store() -> Store:
    s = Store()
    _fill(s, 300)
    yield s
    s.close()


def _walk(store: Store, values: tuple[str, ...], limit: int) -> list[str]:
    seen, after = [], None
    while True:
        records, more = store.page(A, K, filters=[(TAG, values)], after=after, limit=limit)
        seen += [r.id for r in records]
        if not more:
            return seen
        after = Position(records[-1].sort_key, records[-1].rowid)


@pytest.mark.parametrize("values", [("a",), ("a", "b"), ("b", "c", "a"), ("c", "zz")])
def test_any_of_several_values_pages_like_a_scan_each_resource_once(store, values):
    assert _walk(store, values, limit=7) == _expected(300, set(values))


def test_walking_back_from_the_end_gives_the_same_pages(store):
    forward = _walk(store, ("a", "b"), limit=10)
    last = store.get(A, K, forward[-1])
    before, back = Position(last.sort_key, last.rowid), []
    while True:
        records, more = store.page(A, K, filters=[(TAG, ("a", "b"))], before=before, limit=10)
        back = [r.id for r in records] + back
        if not more:
            break
        before = Position(records[0].sort_key, records[0].rowid)
    assert back == forward[:-1]


def _steps(store: Store, values: tuple[str, ...]) -> int:
    count = 0

    def step() -> int:
        nonlocal count
        count += 1
        return 0

    store._db.set_progress_handler(step, 1)
    try:
        store.page(A, K, filters=[(TAG, values)], limit=10)
    finally:
        store._db.set_progress_handler(None, 1)
    return count


def test_a_page_of_any_of_several_values_costs_the_same_at_ten_times_the_size():
    small, large = Store(), Store()
    _fill(small, 500)
    _fill(large, 5000)
    assert _steps(large, ("a", "b")) <= 1.2 * _steps(small, ("a", "b"))
