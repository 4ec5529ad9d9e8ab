"""mockserver/core/jsonsafety.py: strict JSON parsing of request bodies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmock.mockserver.core import jsonsafety
from mlmock.mockserver.core.errors import BadRequest

DEPTH = jsonsafety.DEFAULT_MAX_DEPTH


@pytest.mark.parametrize(
    "text",
    [
        '{"value": NaN}',
        '{"value": Infinity}',
        '{"value": -Infinity}',
        '[1e400]',
        '[-1e400]',
        '{"deep": {"er": [2.5e999]}}',
    ],
)
def test_numbers_json_cannot_represent_are_refused(text):
    with pytest.raises(BadRequest, match="not valid JSON"):
        jsonsafety.loads(text)


def test_large_but_finite_numbers_pass():
    assert jsonsafety.loads("[1e308, -1.7976931348623157e308, 123456789012345678901234567890]") == [
        1e308, -1.7976931348623157e308, 123456789012345678901234567890]


def test_an_integer_beyond_the_digit_limit_is_a_bad_request_not_a_crash():
    with pytest.raises(BadRequest):
        jsonsafety.loads("[" + "9" * 10_000 + "]")


@pytest.mark.parametrize(
    "text",
    [
        r'{"name": "\ud800"}',           # lone high surrogate
        r'{"name": "x\udfffy"}',         # lone low surrogate
        r'{"\ud83d": "key"}',            # in a key
        r'[["\ude00\ud83d"]]',           # a pair in the wrong order
    ],
)
def test_lone_surrogates_are_refused(text):
    with pytest.raises(BadRequest, match="surrogate"):
        jsonsafety.loads(text)


def test_a_surrogate_pair_is_one_character_and_passes():
    assert jsonsafety.loads(r'{"emoji": "\ud83d\ude00"}') == {"emoji": "\U0001f600"}


def test_nesting_up_to_the_limit_passes_and_one_more_level_is_refused():
    assert jsonsafety.loads("[" * DEPTH + "]" * DEPTH) is not None
    with pytest.raises(BadRequest, match="nests deeper"):
        jsonsafety.loads("[" * (DEPTH + 1) + "]" * (DEPTH + 1))
    objects = '{"a":' * (DEPTH + 1) + "1" + "}" * (DEPTH + 1)
    with pytest.raises(BadRequest, match="nests deeper"):
        jsonsafety.loads(objects)


def test_the_depth_limit_is_configurable():
    with pytest.raises(BadRequest):
        jsonsafety.loads('{"a": {"b": [1]}}', max_depth=2)
    assert jsonsafety.loads('{"a": {"b": [1]}}', max_depth=3) == {"a": {"b": [1]}}


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_pathological_nesting_is_a_bad_request_not_a_crash(text):
    with pytest.raises(BadRequest):
        jsonsafety.loads(text)


@pytest.mark.parametrize("data", [b'{"name": "\xff"}', b"\xc3\x28", b'"\xed\xa0\x80"',
                                  '{"a": 1}'.encode("utf-16")])
def test_bytes_that_are_not_utf8_are_refused(data):
    with pytest.raises(BadRequest, match="UTF-8"):
        jsonsafety.loads(data)


@pytest.mark.parametrize("text", ["", "{", '{"a": 1,}', "[1] [2]", "'single'", "undefined"])
def test_malformed_json_is_a_bad_request(text):
    with pytest.raises(BadRequest, match="not valid JSON"):
        jsonsafety.loads(text)


def test_check_refuses_python_values_json_cannot_hold():
    with pytest.raises(BadRequest):
        jsonsafety.check({"x": [float("inf")]})
    with pytest.raises(BadRequest):
        jsonsafety.check({"x": float("nan")})
    with pytest.raises(BadRequest, match="surrogate"):
        jsonsafety.check(["\udc00"])
    nested: list = []
    for _ in range(DEPTH):
        nested = [nested]
    with pytest.raises(BadRequest, match="nests deeper"):
        jsonsafety.check(nested)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(st.characters(codec="utf-8")),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(value=_json_values, ascii_only=st.booleans())
def test_valid_json_passes_unchanged(value, ascii_only):
    encoded = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    assert jsonsafety.loads(encoded) == value
    assert jsonsafety.loads(encoded.decode("utf-8")) == value
