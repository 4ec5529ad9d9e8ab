"""`mlmock check` exit codes and output, against live servers over a real socket."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

import pytest

from mlmock.cli import main
from mlmock.mockserver import Settings, create_app
from mlmock.mockserver.devtools.live import LiveServer

sys.path.insert(0, str(Path(__file__).parent / "contracts"))
from om_defects import TotalIsPageSize  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_conforming_server_exits_0_and_writes_junit(openmetadata_mock, tmp_path, capsys):
    junit = tmp_path / "report.xml"
    code = main(["check", "--api", "openmetadata", "--base-url", openmetadata_mock.url,
                 "--token", openmetadata_mock.token, "--families", "auth,conflict,deletion",
                 "--junit-xml", str(junit)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "total" in out and "auth" in out
    assert "<testsuite" in junit.read_text() and 'failures="0"' in junit.read_text()


def test_violating_server_exits_1_with_rule_and_reproduction(capsys):
    app = TotalIsPageSize(create_app(settings=Settings(token="t")))
    with LiveServer(app) as server:
        code = main(["check", "--api", "openmetadata", "--base-url", server.url, "--token", "t",
                     "--include", "^pagination.total$"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED pagination.total" in out
    assert f"reproduce: curl -sS -X GET '{server.url}/api/v1/" in out


def test_unreachable_target_exits_2(capsys):
    code = main(["check", "--api", "openmetadata", "--base-url", f"http://127.0.0.1:{_free_port()}"])
    assert code == 2
    assert "cannot reach" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--families", "nonsense"], ["--base-url", "ftp://x"]])
def test_bad_arguments_exit_2(args, capsys):
    base = {"--api": "openmetadata", "--base-url": "http://127.0.0.1:1"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for pair in base.items() for x in pair]
    assert main(["check", *flat]) == 2


def test_serve_starts_prints_the_token_and_answers(tmp_path):
    import subprocess
    import time

    import httpx

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mlmock.cli", "serve", "--port", str(port), "--token", "tok",
                             "--log-level", "warning"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                url = f"http://127.0.0.1:{port}/api/v1/mlmodels"
                response = httpx.get(url, headers={"Authorization": "Bearer tok"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, "mlmock serve did not come up"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["paging"]["total"] == 0
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Authorization: Bearer tok" in err


def test_version_names_the_package_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"mlmock {version('mlmock')}"


def _options(subcommand: str):
    from mlmock.cli import parser

    top = parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)).choices[subcommand]
    return sub, [a for a in sub._actions if a.option_strings and a.dest != "help"]


def test_every_serve_option_has_help_and_shows_its_default():
    sub, options = _options("serve")
    text = " ".join(sub.format_help().split())
    for action in options:
        assert action.help, f"{action.option_strings[0]} has no help"
        if action.default not in (None, False, []):
            assert f"(default: {action.default})" in text, action.option_strings[0]
        else:
            assert "default" in action.help, action.option_strings[0]  # says what happens without it


def test_check_options_show_their_defaults():
    sub, _ = _options("check")
    text = " ".join(sub.format_help().split())
    assert "(default: 10)" in text and "(default: 0)" in text  # --max-examples, --seed


def test_the_help_is_plain_text_and_documents_exit_codes():
    from mlmock.cli import parser

    top = parser()
    text = top.format_help()
    assert "``" not in text and "exit status" in text
    for name in ("serve", "check"):
        sub, _ = _options(name)
        assert "exit status" in sub.format_help() and "  2  " in sub.format_help()
