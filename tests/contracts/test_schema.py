"""contracts/checks/schema.py: what the schema family hands schemathesis."""

from __future__ import annotations

import collections

from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.generation import GenerationMode

from mlmock.contracts.checks.schema import _schema
from mlmock.spec import declaration


def test_binary_uploads_are_generated_in_every_documented_media_type():
    # WML code and archive uploads take application/gzip and application/zip, which schemathesis
    # cannot serialize by itself: without a serializer every such case is dropped unsent.
    op = declaration("wml").operations["functions_upload_code"]
    strategy = _schema("wml", None)[op.path][op.method].as_strategy(generation_mode=GenerationMode.POSITIVE)
    media = collections.Counter()

    @seed(1)
    @settings(max_examples=30, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def draw(case):
        media[case.media_type] += 1

    draw()
    assert set(media) == set(op.request_body["content"]), media
