"""Every official OpenMetadata SDK test of test_openmetadata_sdk.py, unmodified, through
``mlmock proxy`` in front of the mock: the passive judge must see no violation in any of them."""

from __future__ import annotations

import pytest

pytest.importorskip("metadata.sdk", reason="install with tests/clients/install-openmetadata-sdk.sh")

from proxied import proxied, serve_proxy  # noqa: E402
from test_openmetadata_sdk import *  # noqa: E402,F403  (the SDK tests, collected again here)
from test_openmetadata_sdk import SERVICE, Markdown, MLModels, create_service, new_model, sdk, version_of  # noqa: E402


@pytest.fixture(scope="session")
def _om_proxy(mlmock_server):
    proxy, server = serve_proxy(mlmock_server.url, "openmetadata")
    with server:
        yield proxy, server.url


@pytest.fixture
def openmetadata_mock(mlmock_server, _om_proxy):
    proxy, url = _om_proxy
    yield from proxied(mlmock_server, proxy, url, "openmetadata")


def test_record_then_seed_a_fresh_mock_then_the_sdk_reads_back(mlmock_server, tmp_path):
    """A session recorded through the proxy seeds a fresh mock; the SDK finds what it created."""
    from mlmock import har
    from mlmock.contracts.passive.judge import Judge
    from mlmock.contracts.passive.proxy import Proxy
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.devtools import seeding
    from mlmock.mockserver.devtools.live import LiveServer

    recording = tmp_path / "session.har"
    recorder = har.Recorder(recording)
    mlmock_server.reset()
    proxy = Proxy(mlmock_server.url, Judge("openmetadata"), recorder=recorder)
    with LiveServer(proxy) as server:
        sdk.reset()
        client = sdk.configure(host=server.url + "/api", jwt_token=mlmock_server.token)
        MLModels.use_client(client)
        create_service(client.ometa)
        created = new_model("churn", algorithm="XGBoost", description=Markdown("recorded"))
        gone = new_model("gone")
        MLModels.delete(gone.id, hard_delete=True)
        proxy.wait_judged()
    recorder.close()
    sdk.reset()
    mlmock_server.reset()
    assert proxy.judge.report.violations == []

    fresh = create_app(settings=Settings(token=mlmock_server.token))
    fresh.control.seed(seeding.read(recording))
    with LiveServer(fresh) as server:
        client = sdk.configure(host=server.url + "/api", jwt_token=mlmock_server.token)
        MLModels.use_client(client)
        try:
            again = MLModels.retrieve_by_name(f"{SERVICE}.churn")
            assert again is not None and again.id == created.id
            assert again.description == created.description and version_of(again) == version_of(created)
            assert MLModels.retrieve(gone.id) is None
        finally:
            sdk.reset()
