"""Servers the contract tests run `mlmock check` against, each on a loopback port."""

from __future__ import annotations

import contextlib
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the independent implementation

from independent import create_app as independent_app  # noqa: E402
from independent.server import serving  # noqa: E402

from mlmock.mockserver import Settings, create_app  # noqa: E402

TOKEN = "independent-token"
MOCK_TOKEN = "t"

__all__ = ["TOKEN", "MOCK_TOKEN", "independent_app", "serving", "mock_app", "static_files", "tls_files"]


def mock_app():
    return create_app(settings=Settings(token=MOCK_TOKEN, progression="reads:1"))


@contextlib.contextmanager
def static_files(directory: Path) -> Iterator[str]:
    """``python -m http.server``: a server that is not the API at all."""
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(directory), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def tls_files(directory: Path) -> tuple[Path, Path]:
    from mlmock.tls import ensure_certificate

    return ensure_certificate(directory)
