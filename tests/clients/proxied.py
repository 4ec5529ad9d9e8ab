"""Serve the official SDK tests through ``mlmock proxy`` in front of the mock: each test's traffic
is judged passively and must show no violation (the judge starts fresh with each test, as the
mock's state does)."""

from __future__ import annotations

import dataclasses

import pytest

from mlmock.contracts.passive.judge import Judge
from mlmock.contracts.passive.proxy import Proxy
from mlmock.mockserver.devtools.live import LiveServer


def proxied(handle, proxy: Proxy, url: str, api: str):
    proxy.judge = Judge(api)
    handle.reset()
    yield dataclasses.replace(handle, url=url)
    proxy.wait_judged()
    handle.reset()
    lines = [v.line() for v in proxy.judge.report.violations]
    judged = proxy.judge.report.judged
    print(f"[proxied] {proxy.judge.report.exchanges} exchanges, {judged} judged", dict(proxy.judge.report.unjudged))
    if lines:
        pytest.fail(f"{len(lines)} violations in {judged} judged exchanges:\n" + "\n".join(lines[:20]),
                    pytrace=False)


def serve_proxy(upstream: str, api: str, **tls):
    verify = tls.pop("verify", True)
    proxy = Proxy(upstream, Judge(api), verify=verify)
    return proxy, LiveServer(proxy, **tls)
