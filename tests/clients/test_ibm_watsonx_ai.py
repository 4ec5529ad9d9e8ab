"""The official IBM client (ibm-watsonx-ai 1.8.1), unmodified, against the live TLS WML mock.

Install the client with ``pip install -r tests/clients/requirements-ibm.txt`` (Python >= 3.11);
without it this module is skipped. The ``wml_mock`` fixture (mlmock.pytest_plugin) serves the mock
over ``https://127.0.0.1:PORT`` with a self-signed certificate: the client refuses ``http://``.

REQUESTS THE WORKFLOW SENDS, in order (read in the client's source, then checked on the wire: run
with -s, each test prints its exchanges as "status METHOD path?query").
Paths are under the server root. "v" = ``version=YYYY-MM-DD`` (utils.API_VERSION_PARAM,
2026-10-14 in 1.8.1), "s" = ``space_id=S``. Every request carries ``Authorization: Bearer <JWT>``
(except 1 and 2) and ``Content-Type: application/json`` (even GET/DELETE; 9 sends
application/octet-stream). The client's retry transport repeats 401/500/502/503/504/520/521/524
three times (0.3/0.6/1.2 s): a failing call shows up four times.

APIClient(Credentials(url, username, api_key, version="5.0", verify=False), space_id=S)  [client.py:233]
  1. GET  /ml/wml_services/v2/version   no auth. Reads `version` if 200; non-200 < 500 tolerated
          because creds.version is set; >= 500 raises "invalid url"                    [client.py:413-460]
  2. POST /icp4d-api/v1/authorize  {"username","api_key"}, no Authorization. Needs 200 and
          `token`: a JWT whose payload has a numeric `exp` (refresh when < 15 min left)
          [utils/auth/icp_auth.py:99; exp read in utils/auth/base_auth/refreshable_token_auth.py:190]
  3. GET  /v2/spaces/{S}   (no query). 200 = ok, 404 raises CannotSetProjectOrSpace; body not read
          on CPD                                                                            [Set.py:65-75]
software_specifications.get_id_by_name("runtime-24.1-py3.11")                         [sw_spec.py]
  4. GET  /v2/software_specifications?v,s&name=N -> 200 `total_results` (0 = not found),
          `resources[0].metadata.asset_id`; warns if entity.software_specification.type == "base"
          and metadata.life_cycle has deprecated/constricted/retired/withdrawn
software_specifications.get_details(id)
  5. GET  /v2/software_specifications/{id}?v,s -> 200 metadata.name|asset_id
hardware_specifications.get_id_by_name("S") / get_details(id)                        [hw_spec.py:241]
  6. GET  /v2/hardware_specifications?v,s&name=S -> 200 `total_results`, resources[0].metadata.asset_id
  7. GET  /v2/hardware_specifications/{id}?v,s -> 200 metadata.name
repository.store_model("m.tar.gz", {NAME, TYPE, SOFTWARE_SPEC_ID})                  [models.py:1402]
  8. POST /ml/v4/models?v,s  {"name","type","software_spec":{"id"},"space_id"} -> exactly 201,
          `metadata.id`. (A 400 containing "Unsupported software specification" triggers a sw-spec GET.)
  9. PUT  /ml/v4/models/{M}/content?v,s&content_format=native, raw archive bytes,
          Content-Type application/octet-stream -> exactly 201 (200 is tolerated for the
          "delete on failure" check but then raises; anything else: GET deployments?asset_id +
          DELETE model, then raise)                                                      [models.py:1457-1492]
 10. GET  /ml/v4/models/{M}?v,s -> 200, returned to the caller
repository.list_models()                                                              [models.py:5633]
 11. GET  /ml/v4/models?v,s&limit=200 -> 200 resources[].metadata.id|name|created_at,
          entity.type, entity.software_spec.id|name
 12. GET  /v2/software_specifications?v,s (no name; once per client, cached) -> resources[]
          metadata.asset_id|name|life_cycle, entity.software_specification.type (SPEC_STATE column)
repository.get_model_details(M) / get_model_details()
 13. GET  /ml/v4/models/{M}?v,s -> 200 ; GET /ml/v4/models?v,s&limit=200
repository.update_model(M, {NAME, DESCRIPTION})                                      [models.py:4480]
 14. GET  /ml/v4/models/{M}?v,s -> 200 (to build the patch: "replace" if the field exists, else "add")
 15. PATCH /ml/v4/models/{M}?v,s  [{"op":"replace"|"add","path":"/name",..},{..,"path":"/description",..}]
          -> 200, returned to the caller
repository.create_model_revision(M)                                          [wml_resource.py:1077]
 16. POST /ml/v4/models/{M}/revisions?v (NO space_id in the query) {"space_id":S} -> exactly 201
repository.list_models_revisions(M)                                                   [models.py:5736]
 17. GET  /ml/v4/models/{M}/revisions?v,s (no limit) -> 200 resources[].metadata.rev|name|created_at
repository.get_model_revision_details(M, R)                                           [models.py:5777]
     GET  /ml/v4/models/{M}?v,s&limit=200&rev=R -> 200; the client returns {"resources": [body]}
          (wml_resource.py:861-869), not the body
repository.download(M, file)                                                     [repository.py:442]
 18-22. GET /ml/v4/{models,pipelines,experiments,functions,ai_services}/{M}?v,s (type probe;
          non-models must answer 404, not 5xx)
 23. GET  /ml/v4/models/{M}?v,s -> 200 entity.type
 24. GET  /ml/v4/models/{M}/download?v,s&content_format=native -> 200 raw bytes (written as is)
deployments.create(M, {NAME, ONLINE:{}, HARDWARE_SPEC:{"id"}})                      [deployments.py:301]
 25. GET  /wx/v1/prompts/{M}?space_id=S&... (prompt-template probe, no version) -> must be non-2xx (404)
 26. POST /ml/v4/deployments?v,s  {"name","online":{},"hardware_spec":{"id"},"asset":{"id"},"space_id"}
          -> exactly 202; metadata.id (lowercase 36-char UUID), entity.status.state; online_url.url has
          https://ibm-nginx-svc:443 replaced by the client URL
 27. time.sleep(5) [patched here], then GET /ml/v4/deployments/{D}?v,s until state is not
          initializing/DEPLOY_IN_PROGRESS; needs ready/DEPLOY_SUCCESS; if "system" is present,
          system.warnings[0].message must exist                                   [deployments.py:259]
deployments.score(D, {"input_data":[..]})                                        [deployments.py:1157]
 28. POST /ml/v4/deployments/{D}/predictions?v (NO space_id) {"input_data":[{"fields","values"}]} -> exactly 200,
          any JSON returned as is
deployments.update(D, {NAME})                                                    [deployments.py:1638]
 29. GET  /ml/v4/deployments/{D}?v,s
 30. PATCH /ml/v4/deployments/{D}?v,s [{"op":"replace","path":"/name","value":..}] -> 200 or 202
 31. GET  /ml/v4/deployments/{D}?v,s, sleep(5) [patched], GET ... until state not in
          initializing/updating; needs "ready" and no entity.status.failure              [deployments.py:1576]
deployments.list()                                                               [deployments.py:1342]
 32. GET  /ml/v4/deployments?v,s&limit=200 -> resources[].metadata.id|name|created_at,
          entity.status.state, entity.deployed_asset_type (KeyError if missing), entity.asset.id
 33. GET  /ml/v4/models?v,s&limit=200 (SPEC_STATE of the deployed models; sw-spec list is cached)
deployments.create(M, {NAME, BATCH:{}, HARDWARE_SPEC:{"id"}})
 34-36. as 25-27 with "batch":{} (the poll accepts the same states)
deployments.create_job(B, {"input_data":[..]})                                   [deployments.py:1999]
 37. GET  /ml/v4/deployments/{B}?v,s -> entity.asset.id
 38. GET  /v2/assets/{M}?v,s -> 200 (CAMS view of the model) `entity` (entity.wml_model.type
          starting with "do" would make it a Decision Optimization job)              [assets.py:39]
 39. POST /ml/v4/deployment_jobs?v,s {"scoring":{"input_data":[..]},"deployment":{"id":B},"space_id",
          "name":"name_<uuid>"} -> exactly 202; metadata.id (lowercase UUID)
deployments.get_job_status(J) (the test loops until "completed")                 [deployments.py:2283]
 40. GET  /ml/v4/deployment_jobs/{J}?v,s -> entity.scoring.status (a dict with `state`)
deployments.get_job_details(J) / get_job_details()
 41. GET  /ml/v4/deployment_jobs/{J}?v,s ; GET /ml/v4/deployment_jobs?v,s&limit=200 -> resources[]
deployments.delete_job(J, hard_delete=True)                                      [deployments.py:2396]
 42. CPD <= 5.1 only (version="5.0" here): GET /ml/v4/deployment_jobs/{J}?v,s, read
          entity.platform_job.run_id; if present: DELETE /v2/jobs/{J}/runs/{run_id}?v,s and, on 204,
          RETURN without step 43 (so a job with platform_job is only cancelled, not hard-deleted);
          any exception there (no platform_job, non-204) is swallowed and step 43 follows
 43. DELETE /ml/v4/deployment_jobs/{J}?v,s&hard_delete=true -> exactly 204
deployments.delete(D) / delete(B)                                                [deployments.py:1028]
 44. DELETE /ml/v4/deployments/{id}?v,s -> exactly 204
repository.delete(M)                                                             [repository.py:573]
 45. GET  /ml/v4/deployments?v,s&asset_id=M -> resources[] (non-empty: client-side refusal)
 46. DELETE /v2/assets/{M}?v,s&purge_on_delete=true -> 200 or 204 (404: "does not exist")
get_*_details of a deleted resource: GET .../{id} -> 404 (JSON body) raises WMLClientError.

Differences with /work/shared/notes/official-clients.md Part 1 (everything else matched):
- delete_job on CPD <= 5.1 (step 42): the notes say the jobs-API call comes "first" and the
  /ml/v4 DELETE "finally"; in fact a 204 from DELETE /v2/jobs/{J}/runs/{run} RETURNS early
  (deployments.py:2433-2452), so hard_delete=true is never sent. Only a failure there (or no
  entity.platform_job) leads to DELETE /ml/v4/deployment_jobs. test_deployment_workflow runs with
  CPD 5.0 and 5.2 to cover both paths.
- get_model_revision_details returns {"resources": [model]}, not the model.
- The model-type probe of repository.download includes ai_services also on CPD 5.0 (5 GETs).
- deployments.get_job_status returns the status object ({"state": ...}), not the state string.
"""

from __future__ import annotations

import io
import tarfile
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("ibm_watsonx_ai", reason="pip install -r tests/clients/requirements-ibm.txt")

import ibm_watsonx_ai.client as ibm_client_module  # noqa: E402
import ibm_watsonx_ai.deployments as ibm_deployments  # noqa: E402
from ibm_watsonx_ai import APIClient, Credentials  # noqa: E402
from ibm_watsonx_ai._wrappers.httpx import GlobalHttpxSettings  # noqa: E402
from ibm_watsonx_ai.wml_client_error import ResourceIdByNameNotFound, WMLClientError  # noqa: E402

SW_SPEC_NAME = "runtime-24.1-py3.11"
HW_SPEC_NAME = "S"
MODEL_TYPE = "scikit-learn_1.3"
SCORING_INPUT = {"input_data": [{"fields": ["a", "b"], "values": [[1, 2], [3, 4]]}]}
# Process-wide settings the client writes into os.environ (restored after each test).
CLIENT_ENV_VARS = ("WX_CLIENT_VERIFY_REQUESTS", "DEPLOYMENT_PLATFORM", "DEPLOYMENT_PRIVATE",
                   "FLIGHT_SERVICE_LOCATION", "FLIGHT_SERVICE_PORT")
JOB_POLLS = 200


class _NoSleepTime:
    """Stands in for the ``time`` module inside ibm_watsonx_ai.deployments: records the 5 s sleeps."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def __getattr__(self, name: str):
        return getattr(time, name)


class _Recorder:
    """httpx response hook: (method, path?query, status) of every exchange, retries included."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[str, str, int]] = []

    def __call__(self, response) -> None:
        url = response.request.url
        target = url.path + (f"?{url.query.decode()}" if url.query else "")
        self.exchanges.append((response.request.method, target, response.status_code))


@dataclass
class IBM:
    """An APIClient bound to the mock, plus the log of its HTTP exchanges (construction included)."""

    client: APIClient
    mock: object
    sleeps: _NoSleepTime
    recorder: _Recorder

    @property
    def exchanges(self) -> list[tuple[str, str, int]]:
        return self.recorder.exchanges

    def trace(self) -> str:
        return "\n".join(f"  {status} {method} {target}" for method, target, status in self.exchanges)


def _isolate_client_globals(monkeypatch) -> None:
    """No proxy for loopback; the client's process-wide settings are undone after the test."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for var in CLIENT_ENV_VARS:
        monkeypatch.delenv(var, raising=False)  # restored afterwards: the client sets them
    # A TLS failure with verify unset makes the client switch verification off for the process.
    monkeypatch.setattr(GlobalHttpxSettings, "verify", GlobalHttpxSettings.verify)
    monkeypatch.setattr(GlobalHttpxSettings, "proxies", GlobalHttpxSettings.proxies)


@pytest.fixture
def ibm(request, wml_mock, monkeypatch) -> Iterator[IBM]:
    """``APIClient`` against the live mock (fresh state), with the deployment waits patched out.

    The CPD version is "5.0" unless the test is parametrized (indirectly) with another one.
    """
    cpd_version = getattr(request, "param", "5.0")
    _isolate_client_globals(monkeypatch)
    sleeps = _NoSleepTime()
    monkeypatch.setattr(ibm_deployments, "time", sleeps)

    # Hook the client's own httpx.Client (retry transport and all) as the constructor builds it, so
    # the log starts with the construction requests.
    recorder = _Recorder()
    real_factory = ibm_client_module.httpx_client_factory

    def recording_factory(*args, **kwargs):
        http = real_factory(*args, **kwargs)
        if not kwargs.get("is_async"):
            http.event_hooks = {"request": [], "response": [recorder]}
        return http

    monkeypatch.setattr(ibm_client_module, "httpx_client_factory", recording_factory)

    creds = Credentials(url=wml_mock.url, username=wml_mock.username, api_key=wml_mock.api_key,
                        instance_id="openshift", version=cpd_version, verify=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The `instance_id` parameter is deprecated", DeprecationWarning)
        # the mock reports 5.0.0; another version given in the credentials only warns
        warnings.filterwarnings("ignore", "The provided version: ", UserWarning)
        client = APIClient(creds, space_id=wml_mock.space_id)
    handle = IBM(client=client, mock=wml_mock, sleeps=sleeps, recorder=recorder)
    yield handle
    print(f"\n[{len(handle.exchanges)} requests, construction included]\n{handle.trace()}")
    client.httpx_client.close()


def _archive(tmp_path, name: str = "model.tar.gz") -> tuple:
    """A small .tar.gz with one file inside; returns (path, bytes)."""
    payload = b"not really a pickle: mlmock test model\n" * 8
    info = tarfile.TarInfo("model.pkl")
    info.size = len(payload)
    info.mtime = 1_700_000_000
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(info, io.BytesIO(payload))
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path, buffer.getvalue()


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except (ValueError, TypeError):
        return False


def _store_model(ibm: IBM, tmp_path, name: str = "mlmock-ibm-model") -> tuple[str, dict, bytes, str]:
    client = ibm.client
    sw_spec_id = client.software_specifications.get_id_by_name(SW_SPEC_NAME)
    path, archive = _archive(tmp_path)
    meta = {
        client.repository.ModelMetaNames.NAME: name,
        client.repository.ModelMetaNames.TYPE: MODEL_TYPE,
        client.repository.ModelMetaNames.SOFTWARE_SPEC_ID: sw_spec_id,
    }
    details = client.repository.store_model(model=str(path), meta_props=meta)
    return client.repository.get_model_id(details), details, archive, sw_spec_id


def _assert_no_retried_statuses(ibm: IBM) -> None:
    """401 and 5xx make the client's transport retry (about 2 s each): none may occur in a normal flow."""
    retried = [e for e in ibm.exchanges if e[2] == 401 or e[2] >= 500]
    assert not retried, retried


def _wait_for_job(ibm: IBM, job_id: str) -> list[str]:
    """Follow get_job_status until a final state (bounded); returns the states seen."""
    seen: list[str] = []
    for _ in range(JOB_POLLS):
        status = ibm.client.deployments.get_job_status(job_id)
        assert isinstance(status, dict), status
        seen.append(status["state"])
        if status["state"] in {"completed", "failed", "canceled"}:
            return seen
        time.sleep(0.02)
    pytest.fail(f"job {job_id} did not finish after {JOB_POLLS} polls: {seen[-5:]}")


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------
def test_client_construction(ibm):
    client = ibm.client
    space = ibm.mock.space_id
    assert ibm.exchanges == [
        ("GET", "/ml/wml_services/v2/version", 200),
        ("POST", "/icp4d-api/v1/authorize", 200),
        ("GET", f"/v2/spaces/{space}", 200),
    ]
    parts = urlsplit(ibm.mock.url)
    assert parts.scheme == "https"
    assert parts.hostname == "127.0.0.1"
    assert client.ICP_PLATFORM_SPACES is True, "a non-IBM-Cloud host selects CPD mode"
    assert client.CLOUD_PLATFORM_SPACES is False
    assert client.default_space_id == ibm.mock.space_id
    assert client.default_project_id is None
    token = client.token
    assert token.count(".") == 2, f"the client needs a JWT, got {token!r}"
    assert client.CPD_version.cpd_version == 5.0


# the client hands the CA path to httpx as verify=<str>, which httpx 0.28 deprecates
@pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")
def test_client_trusts_the_mock_certificate(wml_mock, monkeypatch, tmp_path):
    """With ``verify=<the mock's certificate>`` the TLS check really happens, and passes.

    (An explicit verify disables the client's silent fallback to verify=False:
    _wrappers/httpx/retry_transport/retry_transport_mixin.py:98-110.)
    """
    _isolate_client_globals(monkeypatch)
    monkeypatch.setattr(GlobalHttpxSettings, "verify", None)
    creds = Credentials(url=wml_mock.url, username=wml_mock.username, api_key=wml_mock.api_key,
                        version="5.0", verify=wml_mock.ca_file)
    client = APIClient(creds, space_id=wml_mock.space_id)
    try:
        assert client.default_space_id == wml_mock.space_id
        assert client.hardware_specifications.get_id_by_name(HW_SPEC_NAME)
        assert GlobalHttpxSettings.verify is None, "the client fell back to verify=False"
    finally:
        client.httpx_client.close()

    # Control: another self-signed certificate is rejected (OSError from the retry transport).
    from mlmock.tls import ensure_certificate

    stranger, _ = ensure_certificate(tmp_path / "stranger")
    creds = Credentials(url=wml_mock.url, username=wml_mock.username, api_key=wml_mock.api_key,
                        version="5.0", verify=str(stranger))
    with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):
        APIClient(creds, space_id=wml_mock.space_id)


def test_specification_lookup(ibm):
    client = ibm.client
    sw_spec_id = client.software_specifications.get_id_by_name(SW_SPEC_NAME)
    assert isinstance(sw_spec_id, str) and sw_spec_id
    sw_details = client.software_specifications.get_details(sw_spec_id)
    assert sw_details["metadata"]["asset_id"] == sw_spec_id
    assert sw_details["metadata"]["name"] == SW_SPEC_NAME

    hw_spec_id = client.hardware_specifications.get_id_by_name(HW_SPEC_NAME)
    assert isinstance(hw_spec_id, str) and hw_spec_id
    assert hw_spec_id != sw_spec_id
    hw_details = client.hardware_specifications.get_details(hw_spec_id)
    assert hw_details["metadata"]["asset_id"] == hw_spec_id
    assert hw_details["metadata"]["name"] == HW_SPEC_NAME

    with pytest.raises(ResourceIdByNameNotFound):
        client.software_specifications.get_id_by_name("no-such-runtime")
    with pytest.raises(ResourceIdByNameNotFound):
        client.hardware_specifications.get_id_by_name("no-such-size")


def test_model_repository_workflow(ibm, tmp_path):
    client = ibm.client
    start = time.perf_counter()

    # store from a .tar.gz
    model_id, stored, archive, sw_spec_id = _store_model(ibm, tmp_path)
    assert model_id
    assert stored["metadata"]["id"] == model_id
    assert stored["metadata"]["name"] == "mlmock-ibm-model"
    assert stored["entity"]["type"] == MODEL_TYPE
    assert stored["entity"]["software_spec"]["id"] == sw_spec_id

    # list and get
    table = client.repository.list_models()
    row = table[table["ID"] == model_id]
    assert len(row) == 1, table
    assert row.iloc[0]["NAME"] == "mlmock-ibm-model"
    assert row.iloc[0]["TYPE"] == MODEL_TYPE
    details = client.repository.get_model_details(model_id)
    assert details["metadata"]["id"] == model_id
    assert details["metadata"]["name"] == "mlmock-ibm-model"
    assert details["metadata"].get("space_id") == ibm.mock.space_id
    all_models = client.repository.get_model_details()
    assert model_id in [m["metadata"]["id"] for m in all_models["resources"]]

    # update name and description
    meta = client.repository.ModelMetaNames
    updated = client.repository.update_model(
        model_id, {meta.NAME: "mlmock-ibm-model-v2", meta.DESCRIPTION: "updated by the IBM client"})
    assert updated["metadata"]["name"] == "mlmock-ibm-model-v2"
    again = client.repository.get_model_details(model_id)
    assert again["metadata"]["name"] == "mlmock-ibm-model-v2"
    assert again["metadata"]["description"] == "updated by the IBM client"
    assert again["entity"]["type"] == MODEL_TYPE

    # revisions
    revision = client.repository.create_model_revision(model_id)
    assert revision["metadata"]["id"] == model_id
    rev = revision["metadata"]["rev"]
    assert isinstance(rev, str) and rev
    revisions = client.repository.list_models_revisions(model_id)
    assert rev in list(revisions["REV"]), revisions
    assert "mlmock-ibm-model-v2" in list(revisions["NAME"])
    # the client wraps the single revision in {"resources": [...]} (wml_resource.py:861-869)
    rev_details = client.repository.get_model_revision_details(model_id, rev)["resources"]
    assert len(rev_details) == 1
    assert rev_details[0]["metadata"]["id"] == model_id
    assert rev_details[0]["metadata"]["rev"] == rev
    assert rev_details[0]["metadata"]["name"] == "mlmock-ibm-model-v2"

    # download: the bytes uploaded come back
    target = tmp_path / "downloaded.tar.gz"
    returned = client.repository.download(model_id, filename=str(target))
    assert Path(returned) == target
    assert target.read_bytes() == archive
    with tarfile.open(target) as downloaded:
        assert downloaded.getnames() == ["model.pkl"]

    # delete (no deployments): gone afterwards
    assert client.repository.delete(model_id) == "SUCCESS"
    with pytest.raises(WMLClientError):
        client.repository.get_model_details(model_id)
    remaining = client.repository.get_model_details()["resources"]
    assert model_id not in [m["metadata"]["id"] for m in remaining]

    _assert_no_retried_statuses(ibm)
    print(f"\nmodel repository workflow: {time.perf_counter() - start:.2f} s, "
          f"{len(ibm.exchanges)} requests")


# CPD <= 5.1 and >= 5.2 differ in one call: delete_job goes through the jobs API first on <= 5.1.
@pytest.mark.parametrize("ibm", ["5.0", "5.2"], indirect=True, ids=["cpd5.0", "cpd5.2"])
def test_deployment_workflow(ibm, tmp_path):
    client = ibm.client
    assert client.CPD_version.cpd_version in {5.0, 5.2}
    start = time.perf_counter()
    model_id, _, _, _ = _store_model(ibm, tmp_path, name="mlmock-ibm-deployed")
    hw_spec_id = client.hardware_specifications.get_id_by_name(HW_SPEC_NAME)
    dmeta = client.deployments.ConfigurationMetaNames

    # online deployment, waited for (the 5 s sleeps are patched out)
    online = client.deployments.create(model_id, {
        dmeta.NAME: "mlmock-online", dmeta.ONLINE: {}, dmeta.HARDWARE_SPEC: {"id": hw_spec_id}})
    online_id = client.deployments.get_id(online)
    assert _is_uuid(online_id), online_id
    assert online["metadata"]["name"] == "mlmock-online"
    assert online["entity"]["status"]["state"] == "ready"
    assert online["entity"]["asset"]["id"] == model_id
    assert ibm.sleeps.slept and set(ibm.sleeps.slept) == {5}
    scoring_url = client.deployments.get_scoring_href(online)
    assert scoring_url.endswith(f"/ml/v4/deployments/{online_id}/predictions"), scoring_url
    assert client.deployments.get_details(online_id)["entity"]["status"]["state"] == "ready"

    # score: one prediction row per input row
    scored = client.deployments.score(online_id, SCORING_INPUT)
    predictions = scored["predictions"]
    assert isinstance(predictions, list) and predictions
    assert len(predictions[0]["values"]) == len(SCORING_INPUT["input_data"][0]["values"]) == 2
    assert predictions[0]["fields"]

    # update the name, waited for
    sleeps_before = len(ibm.sleeps.slept)
    updated = client.deployments.update(online_id, {dmeta.NAME: "mlmock-online-renamed"})
    assert updated["metadata"]["id"] == online_id
    assert updated["metadata"]["name"] == "mlmock-online-renamed"
    assert updated["entity"]["status"]["state"] == "ready"
    assert len(ibm.sleeps.slept) > sleeps_before
    assert client.deployments.get_details(online_id)["metadata"]["name"] == "mlmock-online-renamed"

    # list
    table = client.deployments.list()
    row = table[table["ID"] == online_id]
    assert len(row) == 1, table
    assert row.iloc[0]["NAME"] == "mlmock-online-renamed"
    assert row.iloc[0]["STATE"] == "ready"
    assert row.iloc[0]["ARTIFACT_TYPE"] == "model"

    # batch deployment and a job
    batch = client.deployments.create(model_id, {
        dmeta.NAME: "mlmock-batch", dmeta.BATCH: {}, dmeta.HARDWARE_SPEC: {"id": hw_spec_id}})
    batch_id = client.deployments.get_id(batch)
    assert _is_uuid(batch_id) and batch_id != online_id
    assert batch["entity"]["status"]["state"] == "ready"
    assert "batch" in batch["entity"]
    listed_ids = {d["metadata"]["id"] for d in client.deployments.get_details()["resources"]}
    assert {online_id, batch_id} <= listed_ids

    job = client.deployments.create_job(
        batch_id, {client.deployments.ScoringMetaNames.INPUT_DATA: SCORING_INPUT["input_data"]})
    job_id = client.deployments.get_job_id(job)
    assert _is_uuid(job_id), job_id
    assert job["entity"]["deployment"]["id"] == batch_id
    states = _wait_for_job(ibm, job_id)
    assert states[-1] == "completed", states
    job_details = client.deployments.get_job_details(job_id)
    assert job_details["metadata"]["id"] == job_id
    scoring = job_details["entity"]["scoring"]
    assert scoring["status"]["state"] == "completed"
    assert scoring["predictions"], scoring
    assert len(scoring["predictions"][0]["values"]) == 2
    jobs = client.deployments.get_job_details()["resources"]
    assert job_id in [j["metadata"]["id"] for j in jobs]

    # clean up: job, deployments, model; each is gone afterwards
    assert client.deployments.delete_job(job_id, hard_delete=True) == "SUCCESS"
    with pytest.raises(WMLClientError):
        client.deployments.get_job_details(job_id)
    assert client.deployments.delete(online_id) == "SUCCESS"
    assert client.deployments.delete(batch_id) == "SUCCESS"
    for deployment_id in (online_id, batch_id):
        with pytest.raises(WMLClientError):
            client.deployments.get_details(deployment_id)
    assert client.deployments.get_details()["resources"] == []
    assert client.repository.delete(model_id) == "SUCCESS"
    with pytest.raises(WMLClientError):
        client.repository.get_model_details(model_id)

    _assert_no_retried_statuses(ibm)
    print(f"\ndeployment workflow: {time.perf_counter() - start:.2f} s without the "
          f"{len(ibm.sleeps.slept)} patched sleeps ({sum(ibm.sleeps.slept):.0f} s), "
          f"{len(ibm.exchanges)} requests")


# ------------------------------------------------------------------------------------------------
# Everyday flows of the client's own documentation and samples (issue 10): spaces, models stored
# as the client uploads them (a scikit-learn object, a directory, PMML, DO), AI services.
# ------------------------------------------------------------------------------------------------
import ibm_watsonx_ai.spaces as ibm_spaces  # noqa: E402


def _pipeline():
    sklearn = pytest.importorskip("sklearn", reason="pip install scikit-learn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    del sklearn
    return Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(
        [[0, 1], [1, 0], [2, 3], [3, 2]], [0, 1, 0, 1])


def _space(client: APIClient, name: str) -> str:
    meta = {client.spaces.ConfigurationMetaNames.NAME: name,
            client.spaces.ConfigurationMetaNames.DESCRIPTION: "created by the IBM client"}
    details = client.spaces.store(meta, background_mode=False)  # polls until active (sleep patched)
    assert details["entity"]["status"]["state"] == "active"
    return client.spaces.get_id(details)


def _online(client: APIClient, model_id: str, name: str) -> str:
    meta = {client.deployments.ConfigurationMetaNames.NAME: name,
            client.deployments.ConfigurationMetaNames.ONLINE: {}}
    details = client.deployments.create(model_id, meta_props=meta)
    assert details["entity"]["status"]["state"] == "ready"
    return client.deployments.get_id(details)


def test_spaces_are_created_listed_updated_shared_and_deleted_with_their_assets(ibm, tmp_path, monkeypatch):
    client = ibm.client
    monkeypatch.setattr(ibm_spaces, "time", _NoSleepTime())
    space_id = _space(client, "mlmock-client-space")
    assert _is_uuid(space_id)
    assert client.set.default_space(space_id) == "SUCCESS"
    assert client.default_space_id == space_id

    # list, get with limit, find by name
    table = client.spaces.list()
    assert space_id in list(table["ID"]) and "mlmock-client-space" in list(table["NAME"])
    assert len(client.spaces.get_details(limit=2)["resources"]) == 2
    assert client.spaces.get_id_by_name("mlmock-client-space") == space_id
    assert client.spaces.get_details(space_id)["metadata"]["id"] == space_id

    # update (JSON Patch on name and description)
    meta = client.spaces.ConfigurationMetaNames
    updated = client.spaces.update(space_id, {meta.NAME: "renamed", meta.DESCRIPTION: "updated"})
    assert updated["entity"]["name"] == "renamed" and updated["entity"]["description"] == "updated"

    # members
    members = client.spaces.MemberMetaNames
    added = client.spaces.create_member(space_id, {members.MEMBERS: [
        {"id": "bob", "type": "user", "role": "editor", "state": "active"}]})
    assert added["members"][0]["id"] == "bob"
    listed = client.spaces.list_members(space_id)
    assert set(listed["ID"]) == {"admin", "bob"}
    assert client.spaces.get_member_details(space_id, "bob")["role"] == "editor"
    changed = client.spaces.update_member(space_id, "bob", {members.MEMBER: {"role": "viewer"}})
    assert changed["role"] == "viewer"
    assert client.spaces.delete_member(space_id, "bob") == "SUCCESS"

    # assets in the space: a model (stored as a tarball), a deployment
    model_id, _, _, _ = _store_model(ibm, tmp_path)
    deployment_id = _online(client, model_id, "in-the-space")
    assert client.deployments.get_details(deployment_id)["metadata"]["space_id"] == space_id

    assert client.spaces.delete(space_id) == "SUCCESS"
    with pytest.raises(WMLClientError):
        client.spaces.get_details(space_id)
    # The space's assets went with it: even asked without the space, they are gone.
    client.set.default_space(ibm.mock.space_id)
    with pytest.raises(WMLClientError):
        client._models.get_details(model_id)
    assert model_id not in [m["metadata"]["id"] for m in client.repository.get_model_details()["resources"]]
    _assert_no_retried_statuses(ibm)


def test_projects_are_created_listed_updated_shared_and_deleted_with_their_assets(ibm, tmp_path):
    client = ibm.client
    meta = client.projects.ConfigurationMetaNames
    details = client.projects.store({meta.NAME: "mlmock-client-project", meta.DESCRIPTION: "created by the IBM client",
                                     meta.STORAGE: {"type": "assetfiles"}})
    project_id = client.projects.get_id(details)
    assert _is_uuid(project_id)
    assert details["entity"]["generator"] == "Watsonx-Python-SDK"  # the client's default, sent
    created = [e for e in ibm.exchanges if e[1].startswith("/transactional/v2/projects")]
    assert created == [("POST", "/transactional/v2/projects", 201)]  # answered {"location": ...}, then read

    # get, list, find by name
    assert client.projects.get_details(project_id)["metadata"]["guid"] == project_id
    table = client.projects.list()
    assert project_id in list(table["ID"]) and "mlmock-client-project" in list(table["NAME"])
    assert ibm.mock.project_id in list(table["ID"])
    assert len(client.projects.get_details(limit=1)["resources"]) == 1
    assert client.projects.get_id_by_name("mlmock-client-project") == project_id

    # update (the whole entity sent back, changed)
    updated = client.projects.update(project_id, {meta.NAME: "renamed", meta.DESCRIPTION: "updated"})
    assert updated["entity"]["name"] == "renamed" and updated["entity"]["description"] == "updated"
    assert client.projects.get_id_by_name("renamed") == project_id

    # members, named by user_name
    members = client.projects.MemberMetaNames
    added = client.projects.create_member(project_id, {members.MEMBERS: [
        {"user_name": "bob", "id": "IBMid-bob", "type": "user", "role": "editor"}]})
    assert added["members"][0]["user_name"] == "bob"
    listed = client.projects.list_members(project_id)
    assert set(listed["ID"]) == {"admin", "IBMid-bob"} and set(listed["STATE"]) == {"ACTIVE"}
    assert client.projects.get_member_details(project_id, "bob")["role"] == "editor"
    changed = client.projects.update_member(project_id, "bob", {members.MEMBER: {"role": "viewer"}})
    assert changed["members"][0]["role"] == "viewer"
    assert client.projects.get_member_details(project_id, "bob")["role"] == "viewer"
    assert client.projects.delete_member(project_id, "bob") == "SUCCESS"
    assert set(client.projects.list_members(project_id)["ID"]) == {"admin"}

    # an asset in the project: a model, stored with the project as the default
    assert client.set.default_project(project_id) == "SUCCESS"
    assert client.default_project_id == project_id
    model_id, model, _, _ = _store_model(ibm, tmp_path)
    assert model["metadata"]["project_id"] == project_id
    assert client._models.get_details(model_id)["metadata"]["id"] == model_id

    assert client.projects.delete(project_id) == "SUCCESS"
    assert ("DELETE", f"/transactional/v2/projects/{project_id}", 204) in ibm.exchanges
    with pytest.raises(WMLClientError):
        client.projects.get_details(project_id)
    # The project's model went with it: the platform's asset view (no scope needed) no longer has it.
    client.set.default_space(ibm.mock.space_id)
    gone = client.httpx_client.get(f"{ibm.mock.url}/v2/assets/{model_id}", headers=client._get_headers())
    assert gone.status_code == 404, gone.text
    _assert_no_retried_statuses(ibm)


def test_a_scikit_learn_pipeline_is_stored_from_the_object_and_from_a_directory(ibm, tmp_path, monkeypatch):
    client = ibm.client
    monkeypatch.chdir(tmp_path)  # the repository library writes its tarball into the working directory
    pipeline = _pipeline()
    sw_spec_id = client.software_specifications.get_id_by_name(SW_SPEC_NAME)
    meta = client.repository.ModelMetaNames
    props = {meta.NAME: "from-object", meta.TYPE: MODEL_TYPE, meta.SOFTWARE_SPEC_ID: sw_spec_id}

    # From the object: the repository library pickles it into a tarball and PUTs it as
    # application/json (the upload the mock used to refuse with 400).
    stored = client.repository.store_model(model=pipeline, meta_props=props)
    model_id = client.repository.get_model_id(stored)
    # (The repository library has an HTTP stack of its own: the mock's journal sees its requests.)
    content_puts = ibm.mock.journal(method="PUT", path=f"/ml/v4/models/{model_id}/content*")
    assert content_puts and all(e["status"] == 201 for e in content_puts), content_puts
    assert {e["request"]["headers"].get("content-type") for e in content_puts} == {"application/json"}
    target = tmp_path / "object.tar.gz"
    client.repository.download(model_id, filename=str(target))
    with tarfile.open(target) as archive:
        assert archive.getnames(), "the stored bytes are the client's tarball"

    # From a directory of files.
    directory = tmp_path / "model_dir"
    directory.mkdir()
    import joblib

    joblib.dump(pipeline, directory / "model.pkl")
    props[meta.NAME] = "from-directory"
    from_dir = client.repository.store_model(model=str(directory), meta_props=props)
    dir_model = client.repository.get_model_id(from_dir)
    assert client.repository.get_model_details(dir_model)["metadata"]["name"] == "from-directory"

    # Deployed, scored, revised.
    deployment_id = _online(client, model_id, "sklearn-online")
    scored = client.deployments.score(deployment_id, {"input_data": [{"fields": ["a", "b"], "values": [[1, 2]]}]})
    assert len(scored["predictions"][0]["values"]) == 1
    revision = client.repository.create_model_revision(model_id)
    assert revision["metadata"]["rev"] == "1"
    _assert_no_retried_statuses(ibm)


PMML = b"""<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_2" version="4.2">
  <Header description="mlmock"/>
  <DataDictionary numberOfFields="2">
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression">
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <RegressionTable intercept="1.0"><NumericPredictor name="x" coefficient="2.0"/></RegressionTable>
  </RegressionModel>
</PMML>
"""


def test_pmml_and_decision_optimization_models_are_stored_and_deployed(ibm, tmp_path):
    client = ibm.client
    meta = client.repository.ModelMetaNames
    # The runtimes the client's samples name: both used to raise ResourceIdByNameNotFound.
    pmml_spec = client.software_specifications.get_id_by_name("pmml-3.0_4.3")
    do_spec = client.software_specifications.get_id_by_name("do_22.1")
    assert client.software_specifications.get_id_by_name("do_20.1")

    pmml_file = tmp_path / "model.xml"
    pmml_file.write_bytes(PMML)
    stored = client.repository.store_model(model=str(pmml_file), meta_props={
        meta.NAME: "pmml-model", meta.TYPE: "pmml_4.2.1", meta.SOFTWARE_SPEC_ID: pmml_spec})
    pmml_id = client.repository.get_model_id(stored)
    target = tmp_path / "pmml-download"
    client.repository.download(pmml_id, filename=str(target))
    assert target.read_bytes() == PMML
    _online(client, pmml_id, "pmml-online")

    do_archive, do_bytes = _archive(tmp_path, "do-model.tar.gz")
    stored = client.repository.store_model(model=str(do_archive), meta_props={
        meta.NAME: "do-model", meta.TYPE: "do-docplex_22.1", meta.SOFTWARE_SPEC_ID: do_spec})
    do_id = client.repository.get_model_id(stored)
    batch = client.deployments.create(do_id, meta_props={
        client.deployments.ConfigurationMetaNames.NAME: "do-batch",
        client.deployments.ConfigurationMetaNames.BATCH: {},
        client.deployments.ConfigurationMetaNames.HARDWARE_SPEC: {"name": "S", "num_nodes": 1}})
    assert batch["entity"]["status"]["state"] == "ready"
    target = tmp_path / "do-download.tar.gz"
    client.repository.download(do_id, filename=str(target))
    assert target.read_bytes() == do_bytes
    _assert_no_retried_statuses(ibm)


def test_repository_list_includes_ai_services(ibm, tmp_path):
    client = ibm.client
    model_id, _, _, _ = _store_model(ibm, tmp_path)
    table = client.repository.list()
    assert model_id in list(table["ID"])
    assert ("GET", f"/ml/v4/ai_services?version={client.version_param}&space_id={ibm.mock.space_id}&limit=200",
            200) in ibm.exchanges or any(e[1].startswith("/ml/v4/ai_services") and e[2] == 200
                                         for e in ibm.exchanges), ibm.trace()
    _assert_no_retried_statuses(ibm)


# Model definitions (client 1.8.1, model_definition.py) go through the platform asset API, on CPD
# and on Cloud alike; on CPD (ICP_PLATFORM_SPACES, these credentials) the archive is PUT as a
# multipart form, without a token, to the client URL + the attachment's `url1`, and read back
# from the client URL + the attachment's `url` (spec/README.md readings 48-52).
def test_model_definition_store_get_list_download_update_delete(ibm, tmp_path):
    client = ibm.client
    space = ibm.mock.space_id
    names = client.model_definitions.ConfigurationMetaNames
    path, archive = _archive(tmp_path, "definition.tar.gz")
    meta = {names.NAME: "mlmock-definition", names.DESCRIPTION: "first", names.VERSION: "1.0",
            names.PLATFORM: {"name": "python", "versions": ["3.11"]}, names.COMMAND: "python3 train.py"}
    stored = client.model_definitions.store(str(path), meta)
    def_id = client.model_definitions.get_id(stored)
    assert _is_uuid(def_id), stored
    assert stored["metadata"]["name"] == "mlmock-definition"
    assert stored["metadata"]["space_id"] == space
    assert stored["metadata"]["asset_type"] == "wml_model_definition"
    assert stored["entity"]["wml_model_definition"]["command"] == "python3 train.py"

    details = client.model_definitions.get_details(def_id)  # the asset's metadata as is (asset_id, not guid)
    assert details["metadata"]["asset_id"] == def_id and details["metadata"]["description"] == "first"
    assert details["entity"]["wml_model_definition"]["platform"] == {"name": "python", "versions": ["3.11"]}
    # The same resource as /ml/v4/model_definitions (one store, two views).
    v4 = client.httpx_client.get(f"{ibm.mock.url}/ml/v4/model_definitions/{def_id}", params=client._params(),
                                 headers=client._get_headers())
    assert v4.status_code == 200 and v4.json()["entity"]["command"] == "python3 train.py", v4.text
    assert [r["metadata"]["asset_id"] for r in client.model_definitions.get_details()["resources"]] == [def_id]

    table = client.model_definitions.list()
    assert list(table["ID"]) == [def_id] and list(table["NAME"]) == ["mlmock-definition"]
    assert list(client.model_definitions.list(limit=1)["ID"]) == [def_id]

    target = tmp_path / "downloaded.tar.gz"
    client.model_definitions.download(def_id, str(target))
    assert target.read_bytes() == archive

    updated = client.model_definitions.update(def_id, {names.NAME: "renamed", names.DESCRIPTION: "second",
                                                       names.VERSION: "2.0"})
    assert updated["metadata"]["name"] == "renamed" and updated["metadata"]["description"] == "second"
    assert updated["entity"]["wml_model_definition"]["version"] == "2.0"
    new_path = tmp_path / "second.tar.gz"
    new_path.write_bytes(archive + b"\0")  # trailing padding: still a readable archive, other bytes
    client.model_definitions.update(def_id, file_path=str(new_path))
    client.model_definitions.download(def_id, str(target))
    assert target.read_bytes() == archive + b"\0"

    assert client.model_definitions.delete(def_id) == "SUCCESS"
    with pytest.raises(WMLClientError):
        client.model_definitions.get_details(def_id)
    assert ("GET", f"/v2/assets/{def_id}?version={client.version_param}&space_id={space}", 404) in ibm.exchanges
    assert list(client.model_definitions.list()["ID"]) == []
    _assert_no_retried_statuses(ibm)
