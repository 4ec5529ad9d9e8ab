"""``mlmock serve`` as a process: durability under SIGKILL, TLS, the request log, option errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

TOKEN = "tok"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(*options: str, scheme: str = "http", verify=True) -> Iterator[tuple[subprocess.Popen, httpx.Client]]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mlmock.cli", "serve", "--port", str(port), "--token", TOKEN,
                             *options], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    client = httpx.Client(base_url=f"{scheme}://127.0.0.1:{port}", headers=HEADERS, timeout=10, verify=verify)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client.get("/_mlmock/api")
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"mlmock serve did not come up: {proc.stderr.read()}") from None
                time.sleep(0.1)
        yield proc, client
    finally:
        client.close()
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=15)


def test_an_acknowledged_write_survives_sigkill(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with serving("--state-file", state, "--log-level", "warning") as (proc, client):
        assert client.put("/api/v1/services/mlmodelServices", json={"name": "svc", "serviceType": "Mlflow"}) \
            .status_code == 201
        created = [client.post("/api/v1/mlmodels", json={"name": f"m{i}", "service": "svc"}) for i in range(5)]
        assert all(r.status_code == 201 for r in created)
        os.kill(proc.pid, signal.SIGKILL)  # right after the last 2xx: no shutdown, no checkpoint
        proc.wait(timeout=10)
    with serving("--state-file", state, "--log-level", "warning") as (_, client):
        page = client.get("/api/v1/mlmodels", params={"limit": 10}).json()
        assert [m["id"] for m in page["data"]] == [r.json()["id"] for r in created]


def test_without_a_state_file_a_restart_starts_empty(tmp_path):
    for _ in range(2):
        with serving("--log-level", "warning") as (_, client):
            assert client.get("/api/v1/services/mlmodelServices").json()["paging"]["total"] == 0
            client.put("/api/v1/services/mlmodelServices", json={"name": "svc", "serviceType": "Mlflow"})


def test_tls_serves_https_with_the_certificate_it_prints(tmp_path):
    directory = tmp_path / "tls"
    certfile = directory / "mlmock-cert.pem"
    # The certificate is written before the server listens: verify against it once it is up.
    with serving("--tls", "--tls-dir", str(directory), "--log-level", "warning", scheme="https",
                 verify=False) as (proc, client):
        strict = httpx.Client(base_url=str(client.base_url), headers=HEADERS, timeout=10,
                              verify=ssl.create_default_context(cafile=str(certfile)))
        assert strict.get("/api/v1/mlmodels").status_code == 200
        strict.close()
    err = proc.stderr.read()
    assert f"TLS certificate {certfile}" in err and "mlmock serving on https://127.0.0.1:" in err


def test_the_request_log_can_be_json(tmp_path):
    with serving("--log-format", "json") as (proc, client):
        client.get("/api/v1/mlmodels", params={"limit": 1})
    lines = [line for line in proc.stderr.read().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    records = [r for r in records if r["message"] == "request"]
    assert any(r["path"] == "/api/v1/mlmodels" and r["query"] == "limit=1" and r["status"] == 200 for r in records)


def test_the_seed_options_from_the_command_line(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("openmetadata:\n  mlmodelService:\n    - {name: svc, serviceType: Mlflow}\n")
    ids = []
    for _ in range(2):
        with serving("--seed-file", str(seed), "--seed", "11", "--log-level", "warning") as (_, client):
            ids.append(client.get("/api/v1/services/mlmodelServices").json()["data"][0]["id"])
    assert ids[0] == ids[1]


@pytest.mark.parametrize(("options", "message"), [
    (["--progression", "soon"], "--progression soon"),
    (["--seed-file", "/nonexistent/seed.yaml"], "cannot read"),
])
def test_bad_options_exit_2_with_a_message(options, message):
    proc = subprocess.run([sys.executable, "-m", "mlmock.cli", "serve", "--port", str(_free_port()), *options],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and message in proc.stderr


def test_a_busy_port_is_one_line_and_exit_2():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "mlmock.cli", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"mlmock serve: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(another process holds the port: choose one with --port)"]


def test_json_logs_are_one_object_per_line_for_everything(tmp_path):
    with serving("--log-format", "json", "--tls", "--tls-dir", str(tmp_path), scheme="https",
                 verify=False) as (proc, client):
        client.get("/api/v1/mlmodels", params={"limit": 1})
        proc.terminate()
        proc.wait(timeout=15)
    lines = proc.stderr.read().splitlines()
    records = [json.loads(line) for line in lines]  # fails on the first line that is not one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    serving_ = next(r for r in records if r["message"] == "serving")
    assert serving_["token"] == TOKEN and serving_["apis"]["openmetadata"]["url"].endswith("/api/v1")
    assert any(r["logger"].startswith("uvicorn") for r in records)  # uvicorn's own lines, as JSON
    assert any(r["message"] == "request" and r["path"] == "/api/v1/mlmodels" for r in records)
    assert any("TLS certificate" in r["message"] for r in records)


def test_a_bad_option_is_json_too_with_json_logs():
    proc = subprocess.run([sys.executable, "-m", "mlmock.cli", "serve", "--port", str(_free_port()),
                           "--log-format", "json", "--progression", "soon"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    [record] = [json.loads(line) for line in proc.stderr.splitlines()]
    assert record["level"] == "error" and "--progression soon" in record["message"]


def test_the_text_log_keeps_a_request_on_one_line():
    with serving() as (proc, client):
        client.get("/api/v1/mlmodels/name/a%0Ab%1B%5B31mc")
        proc.terminate()
        proc.wait(timeout=15)
    err = proc.stderr.read()
    [line] = [line for line in err.splitlines() if "/api/v1/mlmodels/name/" in line]
    assert "/api/v1/mlmodels/name/a\\nb\\x1b[31mc" in line and "\x1b" not in err


def test_no_command_prints_a_dependency_warning():
    for command in (["--help"], ["--version"], ["serve", "--help"], ["check", "--help"]):
        proc = subprocess.run([sys.executable, "-m", "mlmock.cli", *command], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0 and proc.stderr == "", (command, proc.stderr)


def test_after_sigterm_the_state_file_alone_holds_the_data(tmp_path):
    state = tmp_path / "state.db"
    with serving("--state-file", str(state), "--log-level", "warning") as (proc, client):
        assert client.put("/api/v1/services/mlmodelServices", json={"name": "svc", "serviceType": "Mlflow"}) \
            .status_code == 201
        created = client.post("/api/v1/mlmodels", json={"name": "m", "service": "svc"}).json()
        client.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"]  # no -wal, no -shm left behind
    copy = tmp_path / "elsewhere" / "copy.db"
    copy.parent.mkdir()
    copy.write_bytes(state.read_bytes())  # the .db file only
    with serving("--state-file", str(copy), "--log-level", "warning") as (_, client):
        assert client.get(f"/api/v1/mlmodels/{created['id']}").json()["name"] == "m"
