"""mockserver/http/requestlog.py: one readable (or JSON) line per request on the console."""

from __future__ import annotations

import io
import json

import pytest
from devtools_support import fresh_app

from mlmock.mockserver.http.requestlog import RequestLog, line


def _entry(**over):
    entry = {"time": "2024-05-01T10:00:00.123Z", "method": "GET", "path": "/api/v1/mlmodels", "query": "limit=2",
             "status": 200, "duration_ms": 3.21, "api": "openmetadata", "client": "127.0.0.1:5000", "fault": None,
             "delay_ms": 0, "dropped": False, "request": {"size": 0}, "response": {"size": 120}}
    entry.update(over)
    return entry


def test_text_lines_read_like_a_sentence():
    assert line(_entry(), "text") == "2024-05-01T10:00:00.123Z GET /api/v1/mlmodels?limit=2 -> 200 (3.2 ms)"
    assert line(_entry(query="", status=503, fault="rule 1: status 503"), "text").endswith(
        "/api/v1/mlmodels -> 503 (3.2 ms) [rule 1: status 503]")
    assert " -> dropped " in line(_entry(dropped=True, status=None), "text")


def test_text_lines_escape_control_characters():
    text = line(_entry(path="/api/v1/mlmodels/name/a\nb\x1b[2J\u2028c\u00e9", query="q=\r",
                       fault="rule 1: \n"), "text")
    assert "\n" not in text and "\x1b" not in text and "\u2028" not in text and "\r" not in text
    assert "/name/a\\nb\\x1b[2J\\u2028c\u00e9?q=\\r" in text and text.endswith("[rule 1: \\n]")


def test_json_lines_are_one_object_each():
    record = json.loads(line(_entry(), "json"))
    assert record["status"] == 200 and record["response_bytes"] == 120 and record["path"] == "/api/v1/mlmodels"
    assert record["message"] == "request" and record["level"] == "info"
    assert "\n" not in line(_entry(path="/a\nb"), "json")  # JSON escapes it itself


def test_the_log_writes_every_request_of_the_app(make_client):
    app = fresh_app()
    stream = io.StringIO()
    log = RequestLog("json", stream=stream)
    app.journal.subscribers.append(log)
    try:
        make_client(app, token=app.token).get("/mlmodels")
    finally:
        app.journal.subscribers.remove(log)
    assert json.loads(stream.getvalue())["path"] == "/api/v1/mlmodels"


def test_a_level_above_info_silences_it():
    stream = io.StringIO()
    RequestLog("text", level="warning", stream=stream)(_entry())
    assert stream.getvalue() == ""


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError):
        RequestLog("xml")
