"""mockserver/core/paging.py and collection.py: one walk for cursor and start tokens, one envelope."""

from __future__ import annotations

import pytest

from mlmock.mockserver import Engine, Store
from mlmock.mockserver.core import collection, paging
from mlmock.mockserver.core.errors import BadRequest
from mlmock.spec import declaration

API = declaration("wml")


@pytest.fixture
def models():
    engine = Engine(Store())
    coll = engine.collection(API, "model")
    for i in range(7):
        doc = {"metadata": {"id": f"m{i}", "tags": ["even" if i % 2 == 0 else "odd"]}}
        coll.put(f"m{i}", doc, scope="space:s", attrs=coll.index(doc))
    return coll


def ids(page: paging.Page) -> list[str]:
    return [r.id for r in page.records]


def test_walking_after_and_before_visits_each_record_once(models):
    first = models.page(scope="space:s", limit=3)
    assert ids(first) == ["m0", "m1", "m2"] and first.before is None
    second = models.page(scope="space:s", limit=3, after=first.after)
    last = models.page(scope="space:s", limit=3, after=second.after)
    assert ids(second) == ["m3", "m4", "m5"] and ids(last) == ["m6"] and last.after is None
    back = models.page(scope="space:s", limit=3, before=last.before)
    assert ids(back) == ["m3", "m4", "m5"] and back.after is not None
    assert ids(models.page(scope="space:s", limit=3, before=back.before)) == ["m0", "m1", "m2"]
    assert models.page(scope="space:s", limit=0).records == []


def test_a_token_is_refused_with_another_query_or_beside_its_twin(models):
    token = models.page(scope="space:s", limit=2).after
    with pytest.raises(BadRequest, match="other filters"):
        models.page(scope="space:s", conds=[("tag.value", "odd")], limit=2, after=token)
    with pytest.raises(BadRequest, match="other filters"):
        models.page(scope="space:other", limit=2, after=token)
    with pytest.raises(BadRequest, match="only one of 'start' and 'before'"):
        models.page(scope="space:s", limit=2, after=token, before=token, names=("start", "before"))


def test_a_refined_page_fills_up_from_the_records_that_follow(models):
    odd = lambda record: record if record.id in ("m1", "m3", "m5") else None  # noqa: E731
    page = models.page(scope="space:s", limit=2, refine=odd)
    assert ids(page) == ["m1", "m3"]
    rest = models.page(scope="space:s", limit=2, refine=odd, after=page.after)
    assert ids(rest) == ["m5"] and rest.after is None


def test_filters_select_through_the_collections_keys(models):
    assert [r.id for r in models.by_filter("tag.value", "odd")] == ["m1", "m3", "m5"]
    assert models.count(scope="space:s", conds=[("tag.value", "even")]) == 4
    assert collection.filter_key("tag.value") == "filter:tag.value"
    assert models.engine.remove_where("wml", filter=("tag.value", "even")) == 4
    assert models.count(scope="space:s") == 3


def test_an_undeclared_kind_is_an_empty_collection(models):
    assert models.engine.collection(API, "no-such-kind").get("m1") is None


def test_offset_pages_carry_fingerprinted_tokens():
    items = list(range(5))

    def page_of(token, query="q"):
        return paging.offset_page(len(items), lambda offset, size: items[offset:offset + size], token, query,
                                  limit=2)

    page, token = page_of(None)
    assert page == [0, 1]
    page, token = page_of(token)
    assert page == [2, 3]
    assert page_of(token) == ([4], None)
    with pytest.raises(BadRequest):
        page_of(token, "other")
    with pytest.raises(BadRequest):
        page_of("o2")


def test_the_envelope_writes_each_value_at_its_declared_pointer():
    om = declaration("openmetadata").kinds["mlmodel"].pagination
    assert paging.envelope(om, items=[1], total=1, after="a", before=None) == \
        {"data": [1], "paging": {"total": 1, "after": "a"}}
    wml = API.kinds["model"].pagination
    assert list(paging.envelope(wml, limit=2, first="f", items=[], next=None, total=None)) == \
        ["limit", "first", "resources"]
    none = API.kinds["software_specification"].pagination
    assert paging.envelope(none, total=0, items=[]) == {"total_results": 0, "resources": []}
