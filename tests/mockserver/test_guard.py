"""mockserver/http/guard.py: body limits and strict JSON in front of the application.

The guard is tested twice: around a recording ASGI app (what it passes on, byte for byte, and
when it does not call the app at all), and inside the real mock (the envelope, and that nothing
is stored after a refused request).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from mlmock.mockserver import Engine, Store, create_app
from mlmock.mockserver.http.guard import Guard

JSON_LIMIT = 1024
BODY_LIMIT = 4096
HEADERS = (("content-type", "application/json"),)


class Recorder:
    """An ASGI app that reads the whole body and answers it back."""

    def __init__(self):
        self.calls: list[dict] = []

    async def __call__(self, scope, receive, send):
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        after = await receive() if scope["method"] == "POST" else None
        body = b"".join(chunks)
        self.calls.append({"headers": dict(scope["headers"]), "body": body, "after": after})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


class Upstream:
    """The client's side of the ASGI ``receive`` channel, counting what was read."""

    def __init__(self, chunks: list[bytes]):
        self.messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                         for i, c in enumerate(chunks)]
        self.read = 0

    async def __call__(self):
        if self.read < len(self.messages):
            self.read += 1
            return self.messages[self.read - 1]
        return {"type": "http.disconnect"}


def call(app, method: str, chunks: list[bytes], headers=HEADERS, path: str = "/api/v1/mlmodels"):
    """Run one request through ``app``: (status, headers, body, upstream)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 5000), "server": ("mlmock.test", 80),
             "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]}
    upstream, sent = Upstream(chunks), []

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, upstream, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body, upstream


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def guard(recorder) -> Guard:
    return Guard(recorder, dialect_for=lambda path: "openmetadata", max_body=BODY_LIMIT,
                 max_json_body=JSON_LIMIT)


def assert_refused(status, headers, body, expected: int) -> dict:
    assert status == expected
    assert headers["content-type"] == "application/json"
    envelope = json.loads(body)
    assert envelope["code"] == expected and isinstance(envelope["code"], int)
    assert isinstance(envelope["message"], str) and envelope["message"]
    assert int(headers["content-length"]) == len(body)
    return envelope


# --------------------------------------------------------------------------- passing through


@pytest.mark.parametrize(
    "body",
    [b'{"name": "m", "service": "svc"}', b' [1, 2.5, "\\u00e9\\ud83d\\ude00", {"a": null}] ',
     '{"name": "caf\u00e9"}'.encode(), b"", b'"' + b"x" * (JSON_LIMIT - 2) + b'"'],
)
def test_a_valid_body_reaches_the_app_unchanged(guard, recorder, body):
    status, _, answered, _ = call(guard, "POST", [body])
    assert status == 200
    assert recorder.calls[0]["body"] == answered == body


def test_a_chunked_body_reaches_the_app_whole_with_its_length(guard, recorder):
    body = json.dumps({"name": "m", "description": "d" * 500}).encode()
    chunks = [body[i:i + 37] for i in range(0, len(body), 37)]
    headers = (*HEADERS, ("transfer-encoding", "chunked"))
    status, _, _, _ = call(guard, "POST", chunks, headers=headers)
    assert status == 200
    seen = recorder.calls[0]
    assert seen["body"] == body
    assert seen["headers"][b"content-length"] == str(len(body)).encode()
    assert b"transfer-encoding" not in seen["headers"]


def test_after_the_body_the_app_reads_the_clients_channel(guard, recorder):
    call(guard, "POST", [b"{}"])
    assert recorder.calls[0]["after"] == {"type": "http.disconnect"}


def test_a_non_json_body_may_exceed_the_json_limit(guard, recorder):
    body = b"x" * (JSON_LIMIT * 2)
    headers = (("content-type", "application/octet-stream"),)
    status, _, _, _ = call(guard, "PUT", [body], headers=headers)
    assert status == 200
    assert recorder.calls[0]["body"] == body


def test_a_non_json_body_is_not_parsed(guard, recorder):
    status, _, _, _ = call(guard, "POST", [b"NaN \xff"], headers=(("content-type", "text/plain"),))
    assert status == 200


def test_get_requests_are_not_inspected(guard, recorder):
    status, _, _, upstream = call(guard, "GET", [b"not json"])
    assert status == 200
    assert recorder.calls[0]["body"] == b"not json"


# --------------------------------------------------------------------------- size limits


def test_a_declared_length_over_the_limit_is_refused_before_reading(guard, recorder):
    body = b"[" + b"1," * JSON_LIMIT + b"1]"
    status, headers, answered, upstream = call(
        guard, "POST", [body], headers=(*HEADERS, ("content-length", str(len(body)))))
    assert_refused(status, headers, answered, 413)
    assert headers.get("connection") == "close"
    assert recorder.calls == [] and upstream.read == 0


def test_a_chunked_body_over_the_limit_is_refused_while_streaming(guard, recorder):
    chunks = [b" " * 100] * 100  # 10,000 bytes in all; the limit is 1,024
    status, headers, answered, upstream = call(guard, "POST", chunks)
    assert_refused(status, headers, answered, 413)
    assert recorder.calls == []
    assert upstream.read <= JSON_LIMIT // 100 + 1  # it stopped reading past the limit


def test_a_lying_content_length_changes_nothing(guard, recorder):
    status, headers, answered, _ = call(
        guard, "POST", [b" " * (JSON_LIMIT + 1)], headers=(*HEADERS, ("content-length", "2")))
    assert_refused(status, headers, answered, 413)
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("content_type", "size", "status"),
    [("application/json", JSON_LIMIT, 200), ("application/json", JSON_LIMIT + 1, 413),
     ("application/json-patch+json", JSON_LIMIT + 1, 413),
     ("Application/JSON; charset=utf-8", JSON_LIMIT + 1, 413),
     ("application/octet-stream", BODY_LIMIT, 200),
     ("application/octet-stream", BODY_LIMIT + 1, 413), ("", BODY_LIMIT + 1, 413)],
)
def test_limits_follow_the_content_type(guard, content_type, size, status):
    body = b'"' + b"x" * (size - 2) + b'"'
    got, _, _, _ = call(guard, "POST", [body], headers=(("content-type", content_type),))
    assert got == status


# --------------------------------------------------------------------------- strict JSON


@pytest.mark.parametrize(
    "body",
    [b'{"v": NaN}', b'{"v": Infinity}', b"[-Infinity]", b"[1e400]", b'{"name": "\\ud800"}',
     b'{"name": "\xff\xfe"}', b"[" * 100 + b"]" * 100, b"[" * 100_000, b'{"name": "m"',
     b'{"name": "m"} trailing'],
    ids=["nan", "infinity", "-infinity", "1e400", "lone-surrogate", "not-utf8", "deep",
         "100k-open-brackets", "truncated", "trailing"],
)
def test_unsafe_json_is_refused_and_never_reaches_the_app(body):
    recorder = Recorder()
    guard = Guard(recorder, dialect_for=lambda path: "openmetadata")  # default limits
    status, headers, answered, _ = call(guard, "POST", [body])
    assert_refused(status, headers, answered, 400)
    assert recorder.calls == []


def test_the_envelope_is_the_dialect_of_the_path():
    seen = []

    def dialect_for(path: str) -> str:
        seen.append(path)
        return "openmetadata"

    guard = Guard(Recorder(), dialect_for=dialect_for)
    call(guard, "POST", [b"NaN"], path="/api/v1/services/mlmodelServices")
    assert seen == ["/api/v1/services/mlmodelServices"]


# --------------------------------------------------------------------------- inside the mock


@pytest.fixture(scope="module")
def small_app():
    return create_app(apis=["openmetadata"], engine=Engine(Store()), max_json_body=JSON_LIMIT,
                      max_body=BODY_LIMIT)


@pytest.fixture
def api(small_app, make_client):
    small_app.reset()
    client = make_client(small_app, token=small_app.token)
    assert client.put("/services/mlmodelServices",
                      json={"name": "svc", "serviceType": "Mlflow"}).status_code == 201
    return client


def _models(api) -> int:
    return api.get("/mlmodels", params={"include": "all"}).json()["paging"]["total"]


def _chunks(data: bytes, size: int = 100):
    async def stream():
        for i in range(0, len(data), size):
            yield data[i:i + size]

    return stream()


def test_an_oversized_create_is_413_in_the_envelope_and_stores_nothing(api):
    body = json.dumps({"name": "big", "service": "svc", "description": "d" * JSON_LIMIT}).encode()
    r = api.post("/mlmodels", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["code"] == 413 and isinstance(r.json()["message"], str)
    assert _models(api) == 0


def test_an_oversized_chunked_create_is_413_and_stores_nothing(api):
    body = json.dumps({"name": "big", "service": "svc", "description": "d" * JSON_LIMIT}).encode()
    r = api.post("/mlmodels", content=_chunks(body), headers={"Content-Type": "application/json"})
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert r.status_code == 413 and r.json()["code"] == 413
    assert _models(api) == 0


def test_a_chunked_create_within_the_limit_is_served(api):
    body = json.dumps({"name": "small", "service": "svc", "description": "chunked"}).encode()
    r = api.post("/mlmodels", content=_chunks(body, 16),
                 headers={"Content-Type": "application/json"})
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert r.status_code == 201, r.text
    assert r.json()["description"] == "chunked"
    assert _models(api) == 1


@pytest.mark.parametrize(
    "body",
    [b'{"name": "m", "service": "svc", "description": NaN}',
     b'{"name": "m", "service": "svc", "extension": 1e400}',
     b'{"name": "\\udc00", "service": "svc"}',
     b'{"name": "m", "service": "svc", "description": "\xff"}',
     b'{"name": "m", "service": "svc", "extension": ' + b"[" * 80 + b"]" * 80 + b"}"],
    ids=["nan", "1e400", "lone-surrogate", "not-utf8", "deep"],
)
def test_unsafe_json_is_400_in_the_envelope_and_stores_nothing(api, body):
    r = api.post("/mlmodels", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["code"] == 400 and isinstance(r.json()["message"], str)
    assert _models(api) == 0


def test_100k_open_brackets_within_the_default_limits_are_400_and_store_nothing(om):
    r = om.post("/mlmodels", content=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["code"] == 400
    assert om.get("/mlmodels", params={"include": "all"}).json()["paging"]["total"] == 0


# --------------------------------------------------------------------------- uploads are bytes


def test_an_upload_is_bytes_whatever_its_declared_type(recorder):
    upload = "/ml/v4/models/m1/content"
    guard = Guard(recorder, dialect_for=lambda path: "wml", max_body=BODY_LIMIT, max_json_body=JSON_LIMIT,
                  takes_bytes=lambda method, path: method == "PUT" and path == upload)
    tarball = b"\x1f\x8b\x08\x00" + b"\xff" * (JSON_LIMIT + 10)  # not UTF-8, and over the JSON limit
    status, _, answered, _ = call(guard, "PUT", [tarball], path=upload)
    assert status == 200 and answered == tarball
    headers = recorder.calls[0]["headers"]
    assert headers[b"content-type"] == b"application/octet-stream"  # the app sees bytes
    # Not an upload: the same body declared as JSON is still refused.
    status, _, body, _ = call(guard, "PUT", [tarball], path="/ml/v4/models/m1")
    assert status in (400, 413) and len(recorder.calls) == 1
