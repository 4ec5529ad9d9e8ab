"""mlmock.har: HAR 1.2 read, write, redaction, and clear errors for bad or truncated files."""

from __future__ import annotations

import json

import pytest

from mlmock import har


def _entry(**more) -> har.Entry:
    base = dict(method="POST", url="http://h/icp4d-api/v1/authorize?api_key=k1&x=1",
                request_headers=[("Authorization", "Bearer secret"), ("Content-Type", "application/json")],
                request_body=b'{"username": "u", "api_key": "k2", "nested": {"password": "p"}}',
                status=200, response_headers=[("Content-Type", "application/json"), ("Set-Cookie", "s=1")],
                response_body=b'{"token": "jwt", "name": "kept"}')
    base.update(more)
    return har.Entry(**base)


def test_round_trip_keeps_exchanges_and_redacts_secrets(tmp_path):
    path = tmp_path / "x.har"
    binary = _entry(method="PUT", url="http://h/ml/v4/models/1/content", request_body=bytes(range(256)),
                    request_headers=[("Content-Type", "application/octet-stream")])
    har.write(path, [_entry(), binary])
    text = path.read_text()
    for secret in ("secret", "k1", "k2", '"p"', "jwt", "s=1"):
        assert secret not in text, secret
    first, second = har.read(path)
    assert first.method == "POST" and first.status == 200
    assert json.loads(first.request_body) == {"username": "u", "api_key": "REDACTED",
                                              "nested": {"password": "REDACTED"}}
    assert json.loads(first.response_body) == {"token": "REDACTED", "name": "kept"}
    assert first.request_header("authorization") == "REDACTED"
    assert "api_key=REDACTED" in first.url and "x=1" in first.url
    assert second.request_body == bytes(range(256))  # binary bodies survive (base64)


def test_recorder_streams_a_valid_document(tmp_path):
    path = tmp_path / "r.har"
    recorder = har.Recorder(path)
    for _ in range(3):
        recorder.add(_entry())
    recorder.close()
    assert len(har.read(path)) == 3
    assert "secret" not in path.read_text()


@pytest.mark.parametrize(("text", "says"), [
    ('{"log": {"version": "1.2", "entries": [{"request": {"method": "GET"', "truncated"),
    ("not json at all", "not JSON"),
    ('{"entries": []}', "missing 'log'"),
    ('{"log": {"entries": {}}}', "log.entries: expected list"),
    ('{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/", "headers": []}}]}}',
     "log.entries[0]: missing 'response'"),
    ('{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/", "headers": []}, "response": '
     '{"status": "200", "headers": [], "content": {}}}]}}', "log.entries[0].response.status: expected int"),
    ('{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/", "headers": []}, "response": '
     '{"status": 200, "headers": [], "content": {"text": "%%%", "encoding": "base64"}}}]}}', "not valid base64"),
])
def test_bad_files_get_a_clear_error(tmp_path, text, says):
    path = tmp_path / "bad.har"
    path.write_text(text)
    with pytest.raises(har.HarError) as raised:
        har.read(path)
    assert says in str(raised.value) and str(path) in str(raised.value)


def test_a_missing_file_is_a_har_error(tmp_path):
    with pytest.raises(har.HarError, match="cannot read"):
        har.read(tmp_path / "absent.har")
