# Results, 2026-12-02, on the shared 2-core VM (Python 3.11.7, other sessions busy),
# `python -W ignore benchmarks/bench_inprocess.py --rounds 5`:
#
#   workflow     | mock              |  median ms |   min ms
#   openmetadata | in-process        |      255.2 |    217.9
#   openmetadata | live server       |      160.2 |    147.8
#   wml          | in-process        |      442.2 |    307.2
#   wml          | live server (TLS) |      564.4 |    513.5
#
# In-process is not faster for the OpenMetadata workflow (about 20 ms per request: the `responses`
# adapter plus starlette's TestClient, which runs each call through an anyio portal, cost more than
# a loopback socket to a uvicorn thread); it is faster for WML, whose live fixture pays a TLS
# handshake per connection. What in-process buys is no port, no certificate and no server thread,
# not speed. A persistent TestClient portal measured no better (20 vs 25 ms per request, noise).

"""Time per official-SDK workflow: in-process (mlmock.mock_openmetadata()/mock_wml(), no socket)
against a live server on a loopback port (what the openmetadata_mock / wml_mock fixtures use).

The workflows are tests/clients/sdk_workflows.py (the ones tests/clients/test_sdk_inprocess.py checks).
Needs both SDKs (tests/clients/requirements-ibm.txt, tests/clients/install-openmetadata-sdk.sh).

Usage: python benchmarks/bench_inprocess.py [--rounds 5]

Each workflow runs once first (imports, caches, the app built) and is not counted; the table shows
the median and min of the next rounds, with state reset before each round, as a fixture does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "clients"))

from sdk_workflows import openmetadata_workflow, wml_workflow  # noqa: E402

from mlmock import DEFAULT_TOKEN, mock_openmetadata, mock_wml  # noqa: E402


def timed(run, rounds: int) -> list[float]:
    run()  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds

    from mlmock._quiet import import_mockserver

    import_mockserver()
    from mlmock.mockserver import Settings, create_app
    from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID
    from mlmock.mockserver.devtools.live import LiveServer
    from mlmock.tls import ensure_certificate

    tmp = Path(tempfile.mkdtemp())
    rows = []

    om = mock_openmetadata()
    def om_inprocess():
        with om as handle:
            openmetadata_workflow(handle.url, handle.token)
    rows.append(("openmetadata", "in-process", timed(om_inprocess, rounds)))

    app = create_app(settings=Settings(token=DEFAULT_TOKEN))
    with LiveServer(app) as server:
        def om_live():
            app.control.reset()
            openmetadata_workflow(server.url, DEFAULT_TOKEN)
        rows.append(("openmetadata", "live server", timed(om_live, rounds)))

    wml = mock_wml("https://cpd.mlmock.test")
    def wml_inprocess():
        with wml as handle:
            wml_workflow(handle.url, handle.username, handle.api_key, handle.space_id, tmp)
    rows.append(("wml", "in-process", timed(wml_inprocess, rounds)))

    certfile, keyfile = ensure_certificate(tmp / "tls")
    app = create_app(settings=Settings(token=DEFAULT_TOKEN, progression="reads:1"))
    with LiveServer(app, ssl_certfile=str(certfile), ssl_keyfile=str(keyfile)) as server:
        def wml_live():
            app.control.reset()
            wml_workflow(server.url, "admin", "mlmock-api-key", DEFAULT_SPACE_ID, tmp)
        rows.append(("wml", "live server (TLS)", timed(wml_live, rounds)))

    print(f"{'workflow':<13}| {'mock':<18}| {'median ms':>10} | {'min ms':>8}")
    for api, kind, times in rows:
        print(f"{api:<13}| {kind:<18}| {statistics.median(times) * 1000:>10.1f} | {min(times) * 1000:>8.1f}")


if __name__ == "__main__":
    main()
