"""mockserver/core/filtering.py: one reading of x-mlmock-filter for indexing and for requests."""

from __future__ import annotations

import pytest

from mlmock.mockserver.core import filtering
from mlmock.spec import declaration
from mlmock.spec.declarations import Filter

TAGS = Filter(param="tag.value", field="/metadata/tags", match="contains")


@pytest.mark.parametrize(("syntax", "text", "expected"), [
    (None, "a or b", [("tag.value", "a or b")]),
    ("or-and", "a or b and c", [("tag.value", ("a", "b")), ("tag.value", "c")]),
    ("or-and", " a ", [("tag.value", "a")]),
    ("comma-any", "a, b,,c", [("tag.value", ("a", "b", "c"))]),
    ("comma-any", ",", []),
])
def test_a_value_becomes_conditions_by_its_syntax(syntax, text, expected):
    flt = Filter(param="tag.value", field="/metadata/tags", match="contains", syntax=syntax)
    assert filtering.parse(flt, text) == expected


def test_values_follow_match_alternates_and_item_fields():
    doc = {"metadata": {"tags": ["x", None, "y"]}, "entity": {"pipeline": {}, "members": [{"id": "u1"}, {}],
                                                               "a": {"state": "running"}, "b": {"state": "queued"}}}
    assert filtering.values_of(TAGS, doc) == ["x", "y"]
    assert filtering.values_of(Filter("type", "/entity", match="has-key"), doc) == \
        ["pipeline", "members", "a", "b"]
    assert filtering.values_of(Filter("member", "/entity/members", match="contains", item_field="/id"), doc) == ["u1"]
    assert filtering.values_of(Filter("state", "/entity/a/state", alternate_fields=("/entity/b/state",)), doc) == \
        ["running", "queued"]
    assert filtering.values_of(Filter("flag", "/entity/missing"), doc) == []
    assert filtering.values_of(Filter("flag", "/metadata/tags/0"), {"metadata": {"tags": [True]}}) == ["true"]


def test_matching_needs_every_condition_and_any_of_its_values():
    values = {"tag.value": ["a", "c"], "state": ["running"]}
    assert filtering.matches(values, [("tag.value", ("a", "b")), ("tag.value", "c")])
    assert not filtering.matches(values, [("tag.value", ("a", "b")), ("tag.value", "d")])
    assert not filtering.matches(values, [("state", "queued")])
    assert filtering.matches(values, [])


def test_a_request_and_a_stored_document_agree_on_the_declared_filters():
    api = declaration("wml")
    kind = api.kinds["deployment_job"]
    op = api.operation("deployment_job", "list")
    doc = {"metadata": {"tags": ["t1", "t2"]}, "entity": {"deployment": {"id": "d"},
                                                          "decision_optimization": {"status": {"state": "queued"}}}}
    values = filtering.index(api, kind, doc)
    assert values == {"tag.value": ["t1", "t2"], "state": ["queued"], "deployment_id": ["d"]}
    asked = filtering.conditions(op, {"tag.value": "t9,t2", "state": "queued", "limit": 5})
    assert asked == [("tag.value", ("t9", "t2")), ("state", "queued")]
    assert filtering.matches(values, asked)
