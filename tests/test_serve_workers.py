"""``mlmock serve --workers 2``: two processes, one state, every concurrency guarantee kept across them.

Each race fires its requests together (a barrier), each on a fresh connection, so the two workers
take them; the assertions are on the answers and the final state, never on timing.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID

TOKEN = "tok"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
V = {"version": "2024-05-13"}
RACERS = 16
WORKER = "x-mlmock-worker"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def workers(tmp_path, *options: str, n: int = 2, scheme: str = "http",
            verify=True) -> Iterator[tuple[subprocess.Popen, str]]:
    """``mlmock serve --workers n`` in its own process group (a kill -9 reaches every worker)."""
    port = _free_port()
    log = open(tmp_path / f"serve-{port}.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "mlmock.cli", "serve", "--workers", str(n), "--port", str(port),
                             "--token", TOKEN, "--log-level", "warning", *options],
                            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    base = f"{scheme}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/v1/mlmodels", headers=HEADERS, timeout=5, verify=verify)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise AssertionError(f"mlmock serve did not come up: {(tmp_path / log.name).read_text()}") \
                        from None
                time.sleep(0.1)
        yield proc, base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def race(count: int, call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """``call(i)`` for i in range(count), all released at once, each on its own connection."""
    barrier = threading.Barrier(count)

    def one(i: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return call(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def request(method: str, url: str, **kwargs) -> httpx.Response:
    """One request on a fresh connection."""
    with httpx.Client(headers=HEADERS, timeout=60) as client:
        return client.request(method, url, **kwargs)


def service(base: str) -> None:
    r = request("PUT", base + "/api/v1/services/mlmodelServices", json={"name": "svc", "serviceType": "Mlflow"})
    assert r.status_code in (200, 201), r.text


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Iterator[str]:
    """One two-worker mock on a temporary state file (no --state-file) for the races."""
    with workers(tmp_path_factory.mktemp("workers")) as (_, base):
        service(base)
        yield base


def test_duplicate_creates_across_workers_make_exactly_one(shared):
    answers = race(RACERS, lambda i: request("POST", shared + "/api/v1/mlmodels",
                                             json={"name": "dup", "service": "svc"}))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * (RACERS - 1), [r.text for r in answers if r.status_code not in (201, 409)]
    listed = request("GET", shared + "/api/v1/mlmodels", params={"limit": 1000}).json()["data"]
    assert [m["name"] for m in listed].count("dup") == 1


def test_both_workers_serve(shared):
    # Which worker accepts a connection is the kernel's choice: rounds of simultaneous connections
    # until both have answered (the first round nearly always suffices; the bound only ends a failure).
    seen: set[str] = set()
    for _ in range(25):
        seen |= {r.headers[WORKER] for r in race(8, lambda i: request("GET", shared + "/api/v1/mlmodels"))}
        if len(seen) == 2:
            break
    assert len(seen) == 2, seen


def test_concurrent_patches_across_workers_lose_nothing(shared):
    created = request("POST", shared + "/api/v1/mlmodels", json={"name": "patched", "service": "svc", "mlFeatures": []})
    assert created.status_code == 201, created.text
    url = f"{shared}/api/v1/mlmodels/{created.json()['id']}"
    answers = race(RACERS, lambda i: request(
        "PATCH", url, json=[{"op": "add", "path": "/mlFeatures/-", "value": {"name": f"f{i}"}}],
        headers={**HEADERS, "Content-Type": "application/json-patch+json"}))
    assert [r.status_code for r in answers] == [200] * RACERS, [r.text for r in answers if r.status_code != 200]
    features = request("GET", url).json()["mlFeatures"]
    assert sorted(f["name"] for f in features) == sorted(f"f{i}" for i in range(RACERS))


def test_one_serving_name_across_workers_deploys_once(shared):
    model = request("POST", shared + "/ml/v4/models", params=V,
                    json={"name": "m", "type": "scikit-learn_1.3", "software_spec": {"name": "runtime-24.1-py3.11"},
                          "space_id": DEFAULT_SPACE_ID})
    assert model.status_code == 201, model.text
    body = {"name": "d", "asset": {"id": model.json()["metadata"]["id"]}, "space_id": DEFAULT_SPACE_ID,
            "online": {"parameters": {"serving_name": "sn_race"}}}
    answers = race(RACERS, lambda i: request("POST", shared + "/ml/v4/deployments", params=V, json=body))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [202] + [409] * (RACERS - 1), [r.text for r in answers if r.status_code not in (202, 409)]
    found = request("GET", shared + "/ml/v4/deployments",
                    params={**V, "space_id": DEFAULT_SPACE_ID, "serving_name": "sn_race"}).json()
    assert len(found["resources"]) == 1


def test_page_tokens_from_one_worker_are_read_by_every_worker(shared):
    for i in range(5):
        assert request("POST", shared + "/api/v1/mlmodels", json={"name": f"page{i}", "service": "svc"}) \
            .status_code == 201
    everything = [m["id"] for m in request("GET", shared + "/api/v1/mlmodels", params={"limit": 1000}).json()["data"]]
    walked, after = [], None
    while True:  # each page on a fresh connection: any worker may answer it
        page = request("GET", shared + "/api/v1/mlmodels", params={"limit": 2, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        walked += [m["id"] for m in page.json()["data"]]
        after = page.json()["paging"].get("after")
        if not after:
            break
    assert walked == everything


def test_a_token_one_worker_issues_every_worker_accepts(shared):
    issued = request("POST", shared + "/icp4d-api/v1/authorize", json={"username": "u", "api_key": "k"})
    assert issued.status_code == 200, issued.text
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    answers = race(RACERS, lambda i: httpx.get(shared + "/ml/v4/models", params={**V, "space_id": DEFAULT_SPACE_ID},
                                               headers=bearer, timeout=60))
    assert [r.status_code for r in answers] == [200] * RACERS


def test_the_control_plane_refuses_with_several_workers(shared):
    for method, path in (("GET", "/_mlmock/api"), ("POST", "/_mlmock/api/reset"), ("GET", "/_mlmock/"),
                         ("GET", "/_mlmock/api/journal")):
        r = httpx.request(method, shared + path, timeout=30)
        assert r.status_code == 409, (path, r.text)
        error = r.json()["error"]
        assert error["code"] == "needs_one_worker" and "--workers 1" in error["message"]
    assert httpx.get(shared + "/_mlmock/api/specs/openmetadata", timeout=30).status_code == 200


def test_acknowledged_creates_survive_kill_9_of_every_process(tmp_path):
    state = str(tmp_path / "state.db")
    with workers(tmp_path, "--state-file", state) as (proc, base):
        service(base)
        spaces = len(request("GET", base + "/v2/spaces", params={"limit": 100}).json()["resources"])
        answers = race(RACERS, lambda i: request("POST", base + "/api/v1/mlmodels",
                                                 json={"name": f"m{i}", "service": "svc"}))
        assert [r.status_code for r in answers] == [201] * RACERS
        os.killpg(proc.pid, signal.SIGKILL)  # parent and workers, right after the last 2xx
        proc.wait(timeout=10)
    acknowledged = {r.json()["id"] for r in answers}
    with workers(tmp_path, "--state-file", state) as (_, base):
        stored = request("GET", base + "/api/v1/mlmodels", params={"limit": 1000}).json()["data"]
        assert {m["id"] for m in stored} == acknowledged
        # the catalogue (seeded spaces) is the parent's, once: not one copy per worker or restart
        assert len(request("GET", base + "/v2/spaces", params={"limit": 100}).json()["resources"]) == spaces


def test_a_seed_file_is_applied_once_not_once_per_worker(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("openmetadata:\n  mlmodelService:\n    - {name: svc, serviceType: Mlflow}\n"
                    "  mlmodel:\n    - {name: seeded, service: svc}\n")
    with workers(tmp_path, "--seed-file", str(seed), n=3) as (_, base):
        models = request("GET", base + "/api/v1/mlmodels", params={"limit": 100}).json()["data"]
        assert [m["name"] for m in models] == ["seeded"]


@pytest.mark.parametrize(("options", "message"), [
    (["--workers", "2", "--seed", "1"], "--seed needs --workers 1"),
    (["--workers", "0"], "--workers 0: at least 1"),
])
def test_bad_worker_options_exit_2(options, message):
    r = subprocess.run([sys.executable, "-m", "mlmock.cli", "serve", *options, "--port", str(_free_port())],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_sigterm_ends_every_worker_and_removes_the_temporary_state(tmp_path):
    tls = tmp_path / "tls"
    with workers(tmp_path, "--tls", "--tls-dir", str(tls), scheme="https", verify=False) as (proc, base):
        # the certificate is written before the socket listens: every worker serves HTTPS with it
        strict = ssl.create_default_context(cafile=str(tls / "mlmock-cert.pem"))
        answers = race(8, lambda i: httpx.get(base + "/api/v1/mlmodels", headers=HEADERS, verify=strict, timeout=60))
        assert [r.status_code for r in answers] == [200] * 8
        log = next(tmp_path.glob("serve-*.log")).read_text()
        state = re.search(r"sharing (\S+) \(temporary", log).group(1)
        assert os.path.exists(state)
        os.kill(proc.pid, signal.SIGTERM)  # the parent alone, as a supervisor would
        assert proc.wait(timeout=20) == 0
    assert not os.path.exists(os.path.dirname(state))


def test_after_sigterm_the_state_file_alone_holds_the_data(tmp_path):
    state = tmp_path / "state.db"
    with workers(tmp_path, "--state-file", str(state)) as (proc, base):
        service(base)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert state.exists() and not (tmp_path / "state.db-wal").exists()
