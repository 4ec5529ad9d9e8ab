"""Preflight: each situation in which the suite cannot judge ends with exit 2 and one clear line."""

from __future__ import annotations

import socket

import pytest
from servers import MOCK_TOKEN, TOKEN, independent_app, mock_app, serving, static_files, tls_files

from mlmock.cli import main


def check(capsys, *args: str) -> tuple[int, str]:
    try:
        code = main(["check", *args])
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("mlmock check:")]
    return code, "\n".join(lines)


@pytest.fixture(scope="module")
def independent():
    with serving(independent_app(TOKEN)) as url:
        yield url


def test_unreachable(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, line = check(capsys, "--api", "openmetadata", "--base-url", f"http://127.0.0.1:{port}", "--token", TOKEN)
    assert code == 2
    assert line.startswith("mlmock check: cannot reach http://127.0.0.1:")


def test_token_refused(capsys, independent):
    code, line = check(capsys, "--api", "openmetadata", "--base-url", independent, "--token", "wrong")
    assert code == 2
    assert "refused the credentials (401 on GET /api/v1/" in line and "--token" in line


@pytest.mark.parametrize(("api", "suffix"), [("openmetadata", "/api/v1"), ("wml", "/ml/v4")])
def test_api_base_path_appended(capsys, independent, api, suffix):
    code, line = check(capsys, "--api", api, "--base-url", independent + suffix, "--token", TOKEN)
    assert code == 2
    assert line.endswith(f"try --base-url {independent}"), line


def test_not_the_api_at_all(capsys, tmp_path):
    (tmp_path / "index.html").write_text("<html>hello</html>")
    with static_files(tmp_path) as url:
        code, line = check(capsys, "--api", "openmetadata", "--base-url", url, "--token", TOKEN)
    assert code == 2
    assert line.startswith(f"mlmock check: {url} is not the openmetadata API: GET /api/v1/"), line
    assert "answered 404 text/html" in line
    assert len(line.splitlines()) == 1


def test_tls_failure_names_the_options(capsys, tmp_path):
    cert, key = tls_files(tmp_path)
    with serving(independent_app(TOKEN), ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        code, line = check(capsys, "--api", "openmetadata", "--base-url", url, "--token", TOKEN)
    assert code == 2
    assert line.startswith(f"mlmock check: TLS failure at {url}")
    assert "--ca-bundle" in line and "--tls-verify false" in line


def test_wml_without_spaces_on_a_target_that_cannot_create_them(capsys):
    with serving(mock_app()) as url:
        code, line = check(capsys, "--api", "wml", "--base-url", url, "--token", MOCK_TOKEN)
    if code != 2:
        pytest.skip("this mock creates spaces (POST /v2/spaces is served)")
    assert line.startswith("mlmock check: the target cannot create spaces (POST /v2/spaces answered ")
    assert line.endswith("pass --space-id SPACE --other-space-id OTHER_SPACE")


def test_one_space_without_the_other_is_refused(capsys, independent):
    code, line = check(capsys, "--api", "wml", "--base-url", independent, "--token", TOKEN, "--space-id", "x" * 36)
    assert code == 2
    assert "--other-space-id" in line


def test_missing_ca_bundle_file(capsys, independent, tmp_path):
    code, line = check(capsys, "--api", "openmetadata", "--base-url", independent, "--token", TOKEN,
                       "--ca-bundle", str(tmp_path / "nope.pem"))
    assert code == 2
    assert "no such file" in line
