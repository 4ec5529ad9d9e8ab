"""Both official SDKs, unmodified, against the in-process mocks (``mlmock.mock_openmetadata()``,
``mlmock.mock_wml()``): no socket, no port, no certificate. Skipped without the SDKs (see
tests/clients/requirements-ibm.txt and install-openmetadata-sdk.sh)."""

from __future__ import annotations

import socket

import pytest
from sdk_workflows import openmetadata_workflow, wml_workflow

from mlmock import mock_openmetadata, mock_wml


@pytest.fixture
def no_sockets(monkeypatch):
    """Any attempt to open a network connection fails the test: the traffic must stay in-process."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a socket was opened: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_openmetadata_sdk_in_process(no_sockets):
    pytest.importorskip("metadata.sdk", reason="install with tests/clients/install-openmetadata-sdk.sh")
    from metadata.ingestion.ometa.client import APIError  # noqa: F401  (the SDK is importable)

    with mock_openmetadata() as om:
        seen = openmetadata_workflow(om.url, om.token)
        assert seen["created"].fullyQualifiedName.root == "mlflow_svc.churn"
        assert seen["read"].id == seen["created"].id and seen["listed"] == ["churn"]
        assert seen["after_delete"] is None
        calls = [(e["method"], e["path"]) for e in om.journal()]
        assert ("POST", "/api/v1/mlmodels") in calls or ("PUT", "/api/v1/mlmodels") in calls


def test_the_ibm_client_in_process_at_a_url_of_ones_choosing(no_sockets, tmp_path):
    pytest.importorskip("ibm_watsonx_ai", reason="pip install -r tests/clients/requirements-ibm.txt")

    with mock_wml("https://cpd.mlmock.test") as wml:
        seen = wml_workflow(wml.url, wml.username, wml.api_key, wml.space_id, tmp_path, verify=True)
        assert seen["deployment"]["entity"]["status"]["state"] == "ready"
        assert len(seen["scored"]["predictions"][0]["values"]) == 2
        assert seen["model_id"] not in [m["metadata"]["id"] for m in seen["models_after"]]
        assert any(e["method"] == "PUT" and e["path"].endswith("/content") for e in wml.journal())
