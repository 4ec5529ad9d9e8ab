"""mockserver/core/store.py, the methods the control plane uses: scans and scoped removal."""

from __future__ import annotations

import pytest

from mlmock.mockserver.core.store import Store


@pytest.fixture
def store() -> Store:
    s = Store()
    s.put("a", "k", "1", {"id": "1"}, scope="space:x", attrs={"filter:service": ["svc"]})
    s.put("a", "k", "2", {"id": "2"}, scope="space:y", attrs={"filter:service": ["other"]})
    s.put("a", "j", "3", {"id": "3"}, scope="space:x")
    s.put("b", "k", "4", {"id": "4"}, scope="space:x", attrs={"filter:service": ["svc"]})
    s.add_history("a", "k", "1", "0.1", {"id": "1"})
    s.put_blob("a", "k", "1", "content", {"n": 1}, b"one")
    s.put_blob("a", "k", "1", "more", {"n": 2}, b"two")
    yield s
    s.close()


def test_records_scan_in_insertion_order_with_filters_and_a_position(store):
    assert [r.id for r in store.records()] == ["1", "2", "3", "4"]
    assert [r.id for r in store.records("a", "k")] == ["1", "2"]
    assert [r.id for r in store.records(scope="space:x")] == ["1", "3", "4"]
    first = store.records(limit=1)[0]
    assert [r.id for r in store.records(after_rowid=first.rowid, limit=2)] == ["2", "3"]


def test_attributes_and_blobs_are_read_back(store):
    record = store.get("a", "k", "1")
    assert store.attrs_of(record.rowid) == {"filter:service": ["svc"]}
    assert store.blob_rows("a", "k", "1") == [("content", {"n": 1}, b"one"), ("more", {"n": 2}, b"two")]


def test_remove_where_a_scope_keeps_other_scopes_and_apis(store):
    assert store.remove_where("a", scope="space:x") == 2
    assert [r.id for r in store.records()] == ["2", "4"]
    assert store.history("a", "k", "1") == [] and store.blob_rows("a", "k", "1") == []
    assert store.count("a", "k", scope="space:x") == 0 and store.count("a", "k", scope="space:y") == 1


def test_remove_where_an_attribute_has_a_value(store):
    assert store.remove_where("a", attr=("filter:service", "svc")) == 1
    assert [r.id for r in store.records()] == ["2", "3", "4"]
    assert store.count("a", "k", scope="space:x", filters=[("filter:service", "svc")]) == 0


def test_remove_where_needs_a_criterion(store):
    with pytest.raises(ValueError):
        store.remove_where("a")
