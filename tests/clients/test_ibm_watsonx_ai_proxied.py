"""Every official ibm-watsonx-ai test of test_ibm_watsonx_ai.py, unmodified, through ``mlmock proxy
--tls`` in front of the TLS mock: the passive judge must see no violation in any of them."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("ibm_watsonx_ai", reason="pip install -r tests/clients/requirements-ibm.txt")

from proxied import proxied, serve_proxy  # noqa: E402
from test_ibm_watsonx_ai import *  # noqa: E402,F403  (the client tests, collected again here)

from mlmock.tls import ensure_certificate  # noqa: E402


@pytest.fixture(scope="session")
def _wml_proxy(mlmock_tls_server):
    # The proxy serves the mock's own certificate, so that the handle's ca_file trusts it too.
    certfile, keyfile = ensure_certificate(Path(mlmock_tls_server.ca_file).parent)
    proxy, server = serve_proxy(mlmock_tls_server.url, "wml", verify=mlmock_tls_server.ca_file,
                                ssl_certfile=str(certfile), ssl_keyfile=str(keyfile))
    with server:
        yield proxy, server.url


@pytest.fixture
def wml_mock(mlmock_tls_server, _wml_proxy):
    proxy, url = _wml_proxy
    yield from proxied(mlmock_tls_server, proxy, url, "wml")
