"""Connection options reach every family, schemathesis included: TLS trust and gateway headers."""

from __future__ import annotations

import pytest
from servers import MOCK_TOKEN, TOKEN, independent_app, mock_app, serving, tls_files
from starlette.responses import PlainTextResponse

from mlmock.cli import main


def check(*args: str) -> int:
    try:
        return main(["check", *args])
    except SystemExit as exit_:
        return exit_.code


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory):
    cert, key = tls_files(tmp_path_factory.mktemp("tls"))
    with serving(mock_app(), ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        yield url, cert


def test_the_whole_suite_trusts_a_ca_bundle(tls_mock, capsys):
    url, cert = tls_mock
    code = check("--api", "openmetadata", "--base-url", url, "--token", MOCK_TOKEN, "--ca-bundle", str(cert),
                 "--max-examples", "2", "--seed", "1")
    out = capsys.readouterr()
    assert "SSLError" not in out.out + out.err and "CERTIFICATE_VERIFY_FAILED" not in out.out
    assert code == 0, out.out[-3000:]


def test_schemathesis_families_skip_verification_when_told(tls_mock, capsys):
    url, _ = tls_mock
    code = check("--api", "openmetadata", "--base-url", url, "--token", MOCK_TOKEN, "--tls-verify", "false",
                 "--families", "schema,stateful", "--max-examples", "1", "--seed", "1")
    out = capsys.readouterr()
    assert "SSLError" not in out.out
    assert code == 0, out.out[-3000:]


class Gateway:
    """A gateway in front of the API: without its header, a plain-text 403."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        if scope["type"] == "http" and headers.get(b"x-gateway-key") != b"open sesame":
            await PlainTextResponse("gateway says no", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def gateway():
    with serving(Gateway(independent_app(TOKEN))) as url:
        yield url


def test_headers_reach_every_family(gateway, capsys):
    code = check("--api", "openmetadata", "--base-url", gateway, "--token", TOKEN,
                 "--header", "X-Gateway-Key: open sesame", "--families", "auth,schema,stateful,pagination",
                 "--max-examples", "1", "--seed", "1")
    out = capsys.readouterr()
    assert "gateway says no" not in out.out
    assert code == 0, out.out[-3000:]


def test_without_the_gateway_header_the_run_cannot_start(gateway, capsys):
    code = check("--api", "openmetadata", "--base-url", gateway, "--token", TOKEN, "--families", "auth")
    assert code == 2
    assert "refused the credentials (403" in capsys.readouterr().err


def test_verbose_prints_every_request_generated_cases_included(gateway, capsys):
    code = check("--api", "openmetadata", "--base-url", gateway, "--token", TOKEN,
                 "--header", "X-Gateway-Key: open sesame", "--families", "auth,schema",
                 "--max-examples", "2", "--seed", "1", "-v")
    err = capsys.readouterr().err
    assert code == 0
    sent = [line.split() for line in err.splitlines() if line.startswith("    ") and line.split()[0].isdigit()]
    assert any(method == "GET" and "/api/v1/mlmodels" in url for _, method, url in sent)  # a rule's own call
    generated = [url for _, method, url in sent if method == "POST" and url.startswith(gateway + "/api/v1/mlmodels")]
    assert generated, err[-2000:]  # schema.positive's generated creates, with the full URL
    assert "401" in {status for status, _, _ in sent}  # auth's refused calls, with their status


class Connections:
    """Records the client port of every HTTP request: one port per TCP connection."""

    def __init__(self, app):
        self.app = app
        self.ports: list[int] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.ports.append(scope["client"][1])
        await self.app(scope, receive, send)


def test_generated_cases_share_kept_alive_connections():
    from mlmock.contracts.runner import run_suite
    from mlmock.contracts.target import Target

    counted = Connections(mock_app())
    with serving(counted) as url:
        target = Target.from_url(url, token=MOCK_TOKEN)
        try:
            report = run_suite("openmetadata", target, families=["schema"], include="^schema\\.positive$",
                               max_examples=5, seed=1, workers=1, discover=False, keep=True)
        finally:
            target.close()
    assert report.outcomes and not report.failed
    # Hundreds of generated requests over a handful of connections (one per case without a session).
    assert len(counted.ports) > 100
    assert len(set(counted.ports)) <= 5, f"{len(set(counted.ports))} connections for {len(counted.ports)} requests"
