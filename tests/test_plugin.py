"""mlmock/pytest_plugin.py: the ``openmetadata_mock`` fixture, end to end over a real socket.

The first tests check what the fixture promises (a live server, the token, fresh state in every
test); the others check what only a real HTTP stack shows: hrefs built from the Host the client
used, percent-encoded FQNs (``%2F`` included) decoded by the server, and cursors put into a URL
verbatim, as the OpenMetadata SDK does.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import httpx
import pytest


@pytest.fixture
def http(openmetadata_mock) -> httpx.Client:
    with httpx.Client(base_url=openmetadata_mock.url + "/api/v1",
                      headers=openmetadata_mock.headers, timeout=10) as client:
        yield client


def _service(http: httpx.Client, name: str = "svc") -> dict:
    r = http.put("/services/mlmodelServices", json={"name": name, "serviceType": "Mlflow"})
    assert r.status_code == 201, r.text
    return r.json()


def _model(http: httpx.Client, name: str, service: str = "svc") -> dict:
    r = http.post("/mlmodels", json={"name": name, "service": service})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_fixture_serves_a_live_server_on_loopback(openmetadata_mock):
    parts = urlsplit(openmetadata_mock.url)
    assert parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port
    r = httpx.get(openmetadata_mock.url + "/api/v1/system/version", timeout=10)
    assert r.status_code == 200 and r.json()["version"].startswith("2.0.")
    assert openmetadata_mock.headers == {"Authorization": f"Bearer {openmetadata_mock.token}"}
    refused = httpx.get(openmetadata_mock.url + "/api/v1/mlmodels", timeout=10)
    assert refused.status_code == 401 and refused.json()["code"] == 401


# Both tests create the same entities and count them: whichever runs second only passes if the
# fixture gave it fresh state.
@pytest.mark.parametrize("run", ["first", "second"])
def test_every_test_starts_from_empty_state(http, run):
    assert http.get("/services/mlmodelServices").json()["paging"]["total"] == 0
    _service(http)
    _model(http, "m")
    assert http.get("/mlmodels").json()["paging"]["total"] == 1


def test_reset_forgets_what_was_written_through_the_socket(openmetadata_mock, http):
    _service(http)
    _model(http, "m")
    openmetadata_mock.reset()
    assert http.get("/mlmodels", params={"include": "all"}).json()["paging"]["total"] == 0


def test_href_is_built_from_the_host_the_client_used(openmetadata_mock, http):
    _service(http)
    created = _model(http, "m")
    assert created["href"] == f"{openmetadata_mock.url}/api/v1/mlmodels/{created['id']}"
    followed = http.get(created["href"])
    assert followed.status_code == 200 and followed.json()["id"] == created["id"]
    port = urlsplit(openmetadata_mock.url).port
    renamed = http.get(f"/mlmodels/{created['id']}", headers={"Host": f"localhost:{port}"})
    assert renamed.json()["href"] == f"http://localhost:{port}/api/v1/mlmodels/{created['id']}"


@pytest.mark.parametrize(
    ("service", "name", "fqn"),
    [("team/ml", "a.b c", 'team/ml."a.b c"'), ("svc", "x/y/z", "svc.x/y/z")],
)
def test_a_percent_encoded_fqn_with_slashes_is_found(openmetadata_mock, http, service, name, fqn):
    service_fqn = _service(http, service)["fullyQualifiedName"]
    created = _model(http, name, service_fqn)
    assert created["fullyQualifiedName"] == fqn
    encoded = quote(fqn, safe="")  # what the SDK sends: %2F, %22, %20
    assert "%2F" in encoded
    r = http.get(f"{openmetadata_mock.url}/api/v1/mlmodels/name/{encoded}")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == created["id"]


def test_cursors_work_when_put_into_the_url_verbatim(openmetadata_mock, http):
    _service(http)
    names = [f"model-{i}" for i in range(7)]
    for name in reversed(names):
        _model(http, name)
    seen, after = [], None
    while True:
        url = f"{openmetadata_mock.url}/api/v1/mlmodels?limit=2"
        if after is not None:
            assert re.fullmatch(r"[A-Za-z0-9_-]+", after)
            url += f"&after={after}"  # no encoding, as the SDK does
        page = http.get(url).json()
        seen += [m["name"] for m in page["data"]]
        after = page["paging"].get("after")
        if after is None:
            break
    assert seen == names


def test_contract_suite_fixture_runs_against_the_live_mock(contract_suite):
    report = contract_suite("openmetadata", families=["auth", "conflict"], max_examples=1)
    assert report.outcomes and not report.failed, report.details()
    assert {o.family for o in report.outcomes} == {"auth", "conflict"}


def test_contract_suite_fixture_reports_a_defective_app(contract_suite):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "contracts"))
    from om_defects import TotalIsPageSize

    from mlmock.mockserver import Settings, create_app

    defective = TotalIsPageSize(create_app(settings=Settings(token="t")))
    report = contract_suite("openmetadata", app=defective, token="t", include="^pagination.total$")
    assert report.failed_rules() == {"pagination.total"}
