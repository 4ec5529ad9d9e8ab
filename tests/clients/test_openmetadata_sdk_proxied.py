"""Every official OpenMetadata SDK test of test_openmetadata_sdk.py, unmodified, through
``mlmock proxy`` in front of the mock: the passive judge must see no violation in any of them."""

from __future__ import annotations

import pytest

pytest.importorskip("metadata.sdk", reason="install with tests/clients/install-openmetadata-sdk.sh")

from proxied import proxied, serve_proxy  # noqa: E402
from test_openmetadata_sdk import *  # noqa: E402,F403  (the SDK tests, collected again here)


@pytest.fixture(scope="session")
def _om_proxy(mlmock_server):
    proxy, server = serve_proxy(mlmock_server.url, "openmetadata")
    with server:
        yield proxy, server.url


@pytest.fixture
def openmetadata_mock(mlmock_server, _om_proxy):
    proxy, url = _om_proxy
    yield from proxied(mlmock_server, proxy, url, "openmetadata")
