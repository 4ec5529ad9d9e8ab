"""mockserver/core/patching.py: JSON Patch under a kind's policy, atomic, and restoring fields."""

from __future__ import annotations

import copy

import pytest

import mlmock.spec as specs
from mlmock.mockserver.core import patching
from mlmock.mockserver.core.errors import BadRequest
from mlmock.spec.declarations import Kind, PatchPolicy, PatchRule

ANY_PATH = specs.declaration("openmetadata").kinds["mlmodel"]  # paths: any, all six ops
RULES = Kind(
    name="asset", schema="Asset", id="/metadata/id",
    patch=PatchPolicy(
        ops=frozenset({"add", "remove", "replace"}),
        rules=(PatchRule("/metadata/name", frozenset({"replace"}), "/metadata/name"),
               PatchRule("/tags", frozenset({"add", "remove", "replace"}), "/metadata/tags")),
    ),
)
UNPATCHABLE = Kind(name="frozen", schema="Frozen", id="/id")

DOC = {
    "id": "1",
    "name": "m",
    "description": "before",
    "mlFeatures": [{"name": "a"}, {"name": "b"}],
    "tags": ["x"],
    "nested": {"deep": {"value": 1}},
}


# --------------------------------------------------------------------------- policy


@pytest.mark.parametrize(
    "operations",
    [
        {"op": "add", "path": "/x", "value": 1},           # not an array
        "[]",                                                # a string
        [["add", "/x", 1]],                                  # an operation that is no object
        [{"path": "/x", "value": 1}],                        # no op
        [{"op": "add", "value": 1}],                         # no path
        [{"op": "add", "path": 5, "value": 1}],              # path not a string
        [{"op": "add", "path": "/x"}],                       # add without value
        [{"op": "replace", "path": "/x"}],                   # replace without value
        [{"op": "test", "path": "/x"}],                      # test without value
        [{"op": "move", "path": "/x"}],                      # move without from
        [{"op": "copy", "path": "/x", "from": 3}],           # from not a string
        [{"op": "merge", "path": "/x", "value": 1}],         # not an RFC 6902 op
    ],
)
def test_malformed_patch_documents_are_refused(operations):
    with pytest.raises(BadRequest):
        patching.check_policy(ANY_PATH, operations)


def test_any_path_policies_accept_the_six_operations_anywhere():
    patching.check_policy(ANY_PATH, [
        {"op": "add", "path": "/a/b/c", "value": 1},
        {"op": "remove", "path": "/x"},
        {"op": "replace", "path": "/mlFeatures/0/name", "value": "z"},
        {"op": "move", "from": "/a", "path": "/b"},
        {"op": "copy", "from": "/a", "path": "/b"},
        {"op": "test", "path": "/a", "value": 1},
    ])


def test_a_kind_without_a_patch_policy_cannot_be_patched():
    with pytest.raises(BadRequest, match="cannot be patched"):
        patching.check_policy(UNPATCHABLE, [])


@pytest.mark.parametrize(
    ("operation", "allowed"),
    [
        ({"op": "replace", "path": "/metadata/name", "value": "n"}, True),
        ({"op": "add", "path": "/metadata/name", "value": "n"}, False),      # op not declared there
        ({"op": "add", "path": "/tags/-", "value": "t"}, True),              # below a declared path
        ({"op": "remove", "path": "/tags/0"}, True),
        ({"op": "replace", "path": "/tagsmore", "value": 1}, False),         # prefix, not parent
        ({"op": "replace", "path": "/metadata/id", "value": "x"}, False),    # undeclared path
        ({"op": "move", "from": "/tags/0", "path": "/tags/1"}, False),       # op declared nowhere
        ({"op": "test", "path": "/tags", "value": []}, False),
    ],
)
def test_declared_path_rules_decide_per_path_and_op(operation, allowed):
    if allowed:
        patching.check_policy(RULES, [operation])
    else:
        with pytest.raises(BadRequest, match="not allowed"):
            patching.check_policy(RULES, [operation])


def test_move_from_an_undeclared_path_is_refused():
    kind = Kind(name="asset", schema="Asset", id="/id", patch=PatchPolicy(
        rules=(PatchRule("/tags", frozenset({"add", "remove", "move"}), "/tags"),)))
    patching.check_policy(kind, [{"op": "move", "from": "/tags/0", "path": "/tags/1"}])
    with pytest.raises(BadRequest, match="from '/secret' is not allowed"):
        patching.check_policy(kind, [{"op": "move", "from": "/secret", "path": "/tags/0"}])


# --------------------------------------------------------------------------- apply


@pytest.mark.parametrize(
    ("operations", "check"),
    [
        ([{"op": "add", "path": "/displayName", "value": "M"}], lambda d: d["displayName"] == "M"),
        ([{"op": "add", "path": "/mlFeatures/1", "value": {"name": "c"}}],
         lambda d: [f["name"] for f in d["mlFeatures"]] == ["a", "c", "b"]),
        ([{"op": "replace", "path": "/nested/deep/value", "value": 2}],
         lambda d: d["nested"]["deep"]["value"] == 2),
        ([{"op": "remove", "path": "/description"}], lambda d: "description" not in d),
        ([{"op": "move", "from": "/mlFeatures/1", "path": "/mlFeatures/0"}],
         lambda d: [f["name"] for f in d["mlFeatures"]] == ["b", "a"]),
        ([{"op": "copy", "from": "/description", "path": "/displayName"}],
         lambda d: d["displayName"] == d["description"] == "before"),
        ([{"op": "test", "path": "/tags", "value": ["x"]},
          {"op": "replace", "path": "/tags/0", "value": "y"}], lambda d: d["tags"] == ["y"]),
    ],
    ids=["add", "add-into-array", "replace-nested", "remove", "move", "copy", "test-then-replace"],
)
def test_every_operation_applies_to_a_copy(operations, check):
    original = copy.deepcopy(DOC)
    patched = patching.apply(original, operations)
    assert check(patched)
    assert original == DOC  # the input is never modified


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "replace", "path": "/description", "value": "after"},
         {"op": "test", "path": "/name", "value": "not m"}],
        [{"op": "replace", "path": "/description", "value": "after"},
         {"op": "remove", "path": "/missing"}],
        [{"op": "remove", "path": "/mlFeatures/0"},
         {"op": "replace", "path": "/mlFeatures/5", "value": 1}],
        [{"op": "add", "path": "/nested/absent/value", "value": 1}],
        [{"op": "move", "from": "/nested", "path": "/nested/deep"}],
        [{"op": "add", "path": "description", "value": "no leading slash"}],
        [{"op": "add", "path": "/mlFeatures/x", "value": 1}],
        [{"op": "copy", "from": "/missing", "path": "/x"}],
    ],
    ids=["failed-test", "remove-missing", "index-out-of-range", "missing-parent",
         "move-into-itself", "no-leading-slash", "non-numeric-index", "copy-from-missing"],
)
def test_a_failing_operation_is_a_bad_request_and_changes_nothing(operations):
    original = copy.deepcopy(DOC)
    with pytest.raises(BadRequest):
        patching.apply(original, operations)
    assert original == DOC


def test_a_failed_test_says_so():
    with pytest.raises(BadRequest, match="test failed"):
        patching.apply(DOC, [{"op": "test", "path": "/name", "value": "other"}])


def test_a_patch_may_replace_the_whole_document():
    assert patching.apply(DOC, [{"op": "replace", "path": "", "value": [1]}]) == [1]


# --------------------------------------------------------------------------- restore


def test_restore_puts_back_the_original_values():
    patched = patching.apply(DOC, [
        {"op": "replace", "path": "/id", "value": "2"},
        {"op": "replace", "path": "/nested/deep/value", "value": 99},
        {"op": "replace", "path": "/description", "value": "after"},
    ])
    restored = patching.restore(DOC, patched, ("/id", "/nested/deep/value"))
    assert restored["id"] == "1"
    assert restored["nested"]["deep"]["value"] == 1
    assert restored["description"] == "after"  # not listed, kept


def test_restore_removes_values_the_original_did_not_have():
    patched = patching.apply(DOC, [
        {"op": "add", "path": "/version", "value": 9.9},
        {"op": "add", "path": "/nested/href", "value": "http://elsewhere"},
    ])
    restored = patching.restore(DOC, patched, ("/version", "/nested/href", "/absent/too"))
    assert "version" not in restored
    assert "href" not in restored["nested"]


def test_restore_brings_back_a_removed_value_as_a_copy():
    patched = patching.apply(DOC, [{"op": "remove", "path": "/nested"}])
    restored = patching.restore(DOC, patched, ("/nested",))
    assert restored["nested"] == DOC["nested"]
    restored["nested"]["deep"]["value"] = 42
    assert DOC["nested"]["deep"]["value"] == 1


def test_restore_understands_escaped_pointers():
    original = {"a/b": 1, "c~d": 2}
    patched = {"a/b": 10, "c~d": 20, "e/f": 30}
    restored = patching.restore(original, patched, ("/a~1b", "/c~0d", "/e~1f"))
    assert restored == {"a/b": 1, "c~d": 2}
