"""mlmock._deferred: the serve path's stand-ins for packages it never uses (run in fresh interpreters,
so that this process's own imports of httpx and requests do not hide what the stand-in does)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_serve_path_imports_the_mock_without_httpx_or_requests():
    out = run("""
        import sys
        from mlmock._deferred import UNUSED_BY_SERVE, Deferred, defer
        assert defer(*UNUSED_BY_SERVE) == ["httpx", "requests"]
        from mlmock import _quiet
        _quiet.import_mockserver()
        from mlmock.mockserver import server
        print(*(type(sys.modules[name]).__name__ for name in UNUSED_BY_SERVE))
    """)
    assert out == "Deferred Deferred"


def test_the_first_attribute_read_imports_the_real_package_for_every_holder():
    out = run("""
        import sys
        from mlmock._deferred import defer
        defer("httpx")
        import httpx as early               # a reference taken before the real import
        import httpx._exceptions            # a submodule, through the stand-in's __path__
        client = early.Client                # the first use: imports httpx
        real = sys.modules["httpx"]
        print(type(real).__name__, client is real.Client, early.Response is real.Response,
              httpx._exceptions.HTTPError is real.HTTPError)
    """)
    assert out == "module True True True"


def test_a_package_already_imported_or_not_installed_is_left_alone():
    out = run("""
        import json, sys
        from mlmock._deferred import defer
        print(defer("json", "no_such_package_mlmock"), sys.modules["json"] is json)
    """)
    assert out == "[] True"
