"""mockserver/core/cursors.py: opaque, URL-safe page tokens bound to their query."""

from __future__ import annotations

import base64
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmock.mockserver.core import cursors
from mlmock.mockserver.core.errors import BadRequest
from mlmock.mockserver.core.store import Position

QUERY = cursors.fingerprint(["mlmodel", "", False, [("filter:service", "svc")]])
URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def _token(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@settings(deadline=None)
@given(sort_key=st.text(), rowid=st.integers(min_value=0, max_value=2**63 - 1))
def test_a_token_decodes_to_the_position_it_was_made_from(sort_key, rowid):
    token = cursors.encode(Position(sort_key, rowid), QUERY)
    assert URL_SAFE.match(token), token  # usable verbatim in a query string
    assert cursors.decode(token, QUERY) == Position(sort_key, rowid)


def test_a_token_replayed_with_another_query_is_refused():
    token = cursors.encode(Position("model-07", 7), QUERY)
    other = cursors.fingerprint(["mlmodel", "", False, [("filter:service", "other")]])
    with pytest.raises(BadRequest, match="after .* belongs to a query with other filters"):
        cursors.decode(token, other, name="after")


def test_fingerprints_tell_queries_apart_and_repeat_for_the_same_query():
    base = ["mlmodel", "", False, [("filter:service", "svc")]]
    assert cursors.fingerprint(base) == cursors.fingerprint(list(base))
    variants = [
        ["mlmodelService", "", False, [("filter:service", "svc")]],
        ["mlmodel", "space", False, [("filter:service", "svc")]],
        ["mlmodel", "", None, [("filter:service", "svc")]],
        ["mlmodel", "", True, [("filter:service", "svc")]],
        ["mlmodel", "", False, []],
    ]
    prints = {cursors.fingerprint(v) for v in variants}
    assert len(prints) == len(variants) and cursors.fingerprint(base) not in prints


@pytest.mark.parametrize(
    "token",
    [
        "abc",                                   # not base64 of anything useful
        "!!!",                                   # not base64url at all
        "é",                                     # not ASCII
        "",                                      # empty
        _token("just a string"),                 # JSON, wrong shape
        _token(["key", 1]),                      # too short
        _token(["key", 1, QUERY, "extra"]),      # too long
        _token([1, 1, QUERY]),                   # sort key not a string
        _token(["key", "1", QUERY]),             # row id not an integer
        _token(["key", 1.5, QUERY]),             # row id not an integer
        _token(["key", 1, None]),                # no query
        _token({"a": 1, "b": 2, "c": 3}),        # an object
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),  # not UTF-8 inside
    ],
)
def test_malformed_tokens_are_a_bad_request(token):
    with pytest.raises(BadRequest, match="invalid before"):
        cursors.decode(token, QUERY, name="before")


def test_the_error_quotes_a_long_token_only_in_part():
    with pytest.raises(BadRequest) as caught:
        cursors.decode("A" * 10_000, QUERY)
    assert len(caught.value.message) < 200
