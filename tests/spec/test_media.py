"""spec/media.py: which content types are JSON (the mock's guard and the contracts' bounds both ask)."""

from __future__ import annotations

import pytest

from mlmock.spec.media import is_json_media


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8",
                                          "application/json-patch+json", "application/vnd.api+json"])
def test_json_media_types(content_type):
    assert is_json_media(content_type)


@pytest.mark.parametrize("content_type", ["application/octet-stream", "application/gzip", "text/plain",
                                          "multipart/form-data; boundary=x", "text/json+json", ""])
def test_other_media_types(content_type):
    assert not is_json_media(content_type)
