"""``mlmock proxy`` as a process: forwarding unchanged over real sockets, live violations, the report
on SIGTERM, the recording, and HTTPS in front of the upstream."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
import uvicorn

from mlmock import har

BIG = 3 * 1024 * 1024


async def echo(scope, receive, send):
    """An upstream that answers 200 to everything, describing exactly what reached it."""
    if scope["type"] != "http":
        return
    digest, size = hashlib.sha256(), 0
    while True:
        message = await receive()
        digest.update(message.get("body", b""))
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    if scope["path"] == "/big":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream")]})
        for _ in range(BIG // 65536):
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    body = json.dumps({"raw_path": scope["raw_path"].decode("latin-1"),
                       "query": scope["query_string"].decode("latin-1"),
                       "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
                       "size": size, "sha256": digest.hexdigest()}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"x-upstream", b"echo")]})
    await send({"type": "http.response.body", "body": body})


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def upstream():
    port = _port()
    server = uvicorn.Server(uvicorn.Config(echo, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def _start(tmp_path, upstream, *more):
    port = _port()
    command = [sys.executable, "-m", "mlmock.cli", "proxy", "--upstream", upstream, "--port", str(port),
               "--report", str(tmp_path / "r.json"), "--junit-xml", str(tmp_path / "j.xml"),
               "--record", str(tmp_path / "s.har"), *more]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    scheme = "https" if "--tls" in more else "http"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"{scheme}://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read()) from None
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the proxy did not start")


def _stop(process) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_forwards_unchanged_and_reports_on_sigterm(tmp_path, upstream):
    process, base = _start(tmp_path, upstream)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            # the exact percent-encoding of path and query, custom headers, a streamed (chunked) 3 MB body
            chunks = [os.urandom(65536) for _ in range(BIG // 65536)]
            request = client.build_request("PUT", "/ml/v4/models/x%2Fy/content?version=2024-05-13&q=%2F%20",
                                           content=iter(chunks), headers={"X-Custom": "kept",
                                                                          "Authorization": "Bearer s3cret"})
            seen = client.send(request).json()
            assert seen["raw_path"] == "/ml/v4/models/x%2Fy/content"
            assert seen["query"] == "version=2024-05-13&q=%2F%20"
            headers = dict(seen["headers"])
            assert headers["x-custom"] == "kept" and headers["authorization"] == "Bearer s3cret"
            assert headers["host"] == base.split("//")[1]  # the client's Host: links lead back through the proxy
            assert seen["size"] == BIG and seen["sha256"] == hashlib.sha256(b"".join(chunks)).hexdigest()
            big = client.get("/big")
            assert big.status_code == 200 and big.content == b"x" * BIG
            # a secured list answered 200 without credentials: two violations the moment they happen
            client.get("/api/v1/mlmodels", params={"limit": 10})
            live = client.get("/_mlmock/api/violations").json()
            assert {"auth.missing-token", "schema.response"} <= set(live["counts"])
    finally:
        code, out, err = _stop(process)
    assert code == 1, err
    assert "FAIL auth.missing-token" in err  # on the console as it happened
    assert "auth.missing-token" in out  # the closing table
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["counts"]["auth.missing-token"] == 1
    failures = [f.get("message") for f in ET.parse(tmp_path / "j.xml").getroot().iter("failure")]
    assert any("without credentials" in (m or "") for m in failures)
    recorded = har.read(tmp_path / "s.har")
    assert len(recorded) == 3  # the violations endpoint is the proxy's own, not traffic
    assert "s3cret" not in (tmp_path / "s.har").read_text()


def test_a_clean_session_exits_0(tmp_path, upstream):
    process, base = _start(tmp_path, upstream)
    httpx.get(base + "/not/in/any/spec", timeout=10)
    code, out, err = _stop(process)
    assert code == 0, err
    assert json.loads((tmp_path / "r.json").read_text())["unjudged"] == {"GET /not/in/any/spec": 1}


def test_tls_in_front_of_http(tmp_path, upstream):
    process, base = _start(tmp_path, upstream, "--tls", "--tls-dir", str(tmp_path / "tls"))
    try:
        response = httpx.get(base + "/anything?x=1", verify=str(tmp_path / "tls" / "mlmock-cert.pem"), timeout=10)
        assert response.status_code == 200 and response.json()["query"] == "x=1"
    finally:
        _stop(process)


def test_bad_arguments_exit_2(tmp_path):
    from mlmock.cli import main

    assert main(["proxy", "--upstream", "ftp://x"]) == 2
    assert main(["validate", str(tmp_path / "absent.har")]) == 2
