# Results, 2026-12-02, shared 2-core VM (load average 0.7 at the time), Python 3.11.7, 7 runs, medians;
# base = d9e77fd (before issue 12's start-up work), `git archive d9e77fd | tar -x -C /tmp/p12_base`:
#
#   python benchmarks/bench_startup.py --runs 7 --base-tree /tmp/p12_base   2.26 s wall, 2.23 s server CPU
#   python benchmarks/bench_startup.py --runs 7 --phases                     0.80 s wall, 0.78 s server CPU
#       (phases: import 0.60, specs 0.013, build 0.085, first request 0.054)
#   python benchmarks/bench_startup.py --runs 5 --cold                       1.99 s (first start: cache written)
#
# Before: PyYAML parsing the specs (~0.8 s), connexion validating them (~0.5 s), imports (~0.7 s). What is
# left is imports, ~75%, mostly connexion's own (starlette.testclient/httpx, requests, werkzeug, flask, jinja2).

"""Start-up of ``mlmock serve``: process spawn to the first answer, and where the time goes.

Two measurements, each repeated (``--runs``), medians reported:

* ``first answer``: ``python -m mlmock.cli serve`` spawned, polled every 5 ms with an
  authenticated ``GET /api/v1/mlmodels?limit=1`` until it answers 200 (both specs loaded), the
  way ``bench_vs_prism.py`` measures it; also the CPU time the server process used until then
  (1/100 s resolution), which a loaded machine changes far less than the wall time;
* ``phases`` (``--phases``): in a fresh interpreter each time, the wall time of importing the
  server module, reading both specs, building the app (connexion's operations, catalogue seeding)
  and serving the first request in-process (connexion builds its middleware stack on the first
  call), so that a regression can be located.

The spec cache (``mlmock.spec.cache``) is measured warm by default (a first run fills it);
``--cold`` points ``MLMOCK_CACHE_DIR`` at an empty directory before each run, ``--no-cache``
turns the cache off (``MLMOCK_SPEC_CACHE=0``), as before it existed.

    python benchmarks/bench_startup.py                 # 7 runs, warm cache
    python benchmarks/bench_startup.py --runs 11 --phases
    python benchmarks/bench_startup.py --no-cache      # the same without the spec cache
    python benchmarks/bench_startup.py --base-tree /tmp/base   # another tree (git archive BASE), same venv

CI does not run it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "mlmock-dev-token"

PHASES = r'''
import json, time
T = time.perf_counter
t0 = T()
from mlmock.mockserver import server
t1 = T()
import mlmock.spec as specs
for name in specs.available():
    specs.declaration(name)
t2 = T()
app = server.build(server.Options(log_level="warning"))
t3 = T()
from starlette.testclient import TestClient
t4 = T()
with TestClient(app) as client:
    status = client.get("/api/v1/mlmodels?limit=1", headers={"Authorization": "Bearer mlmock-dev-token"}).status_code
t5 = T()
assert status == 200, status
print(json.dumps({"import": t1 - t0, "specs": t2 - t1, "build": t3 - t2, "first request": t5 - t4,
                  "total": (t5 - t4) + (t3 - t0)}))
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answered(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/api/v1/mlmodels?limit=1", headers={"Authorization": f"Bearer {TOKEN}"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def first_answer(env: dict, launcher: list[str]) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) from spawn to the first 200."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *launcher, "serve", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 60:
            if proc.poll() is not None:
                raise RuntimeError(f"mlmock serve exited with {proc.returncode}")
            if answered(port):
                return time.perf_counter() - started, cpu_s(proc.pid)
            time.sleep(0.005)
        raise RuntimeError("no answer within 60 s")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--phases", action="store_true", help="also time the phases in-process")
    parser.add_argument("--cold", action="store_true", help="an empty spec cache before every run")
    parser.add_argument("--no-cache", action="store_true", help="MLMOCK_SPEC_CACHE=0")
    parser.add_argument("--base-tree", default=None, help="serve this source tree instead (no phases)")
    args = parser.parse_args()
    env = dict(os.environ)
    launcher = ["-m", "mlmock.cli"]
    scratch = Path(tempfile.mkdtemp(prefix="bench_startup."))
    if args.base_tree:
        from bench_vs_prism import BASE_LAUNCHER  # maps the editable install onto the other tree

        (scratch / "base_launcher.py").write_text(BASE_LAUNCHER)
        launcher = [str(scratch / "base_launcher.py"), str(Path(args.base_tree).resolve())]
        args.phases = False
    if args.no_cache:
        env["MLMOCK_SPEC_CACHE"] = "0"
    if not args.cold:
        env.setdefault("MLMOCK_CACHE_DIR", str(scratch / "warm"))
        first_answer(env, launcher)  # fills the cache (and the OS page cache) once, not measured
    print(f"load average before: {os.getloadavg()}", flush=True)
    times, cpus, phases = [], [], []
    for run in range(args.runs):
        if args.cold:
            env["MLMOCK_CACHE_DIR"] = str(scratch / f"cold{run}")
        wall, cpu = first_answer(env, launcher)
        times.append(wall)
        cpus.append(cpu)
        line = f"run {run + 1}: first answer {wall:.3f} s (server CPU {cpu:.2f} s)"
        if args.phases:
            if args.cold:
                env["MLMOCK_CACHE_DIR"] = str(scratch / f"cold-phases{run}")
            out = subprocess.run([sys.executable, "-c", PHASES], cwd=ROOT, env=env, capture_output=True,
                                 text=True, check=True)
            phases.append(json.loads(out.stdout.strip().splitlines()[-1]))
            line += "  (" + ", ".join(f"{k} {v:.3f}" for k, v in phases[-1].items()) + ")"
        print(line, flush=True)
    print(f"load average after: {os.getloadavg()}")
    print(f"first answer: median {statistics.median(times):.3f} s, min {min(times):.3f} s over {len(times)} runs; "
          f"server CPU to it: median {statistics.median(cpus):.2f} s (steadier than wall time on a shared machine)")
    if phases:
        print("phases (median s): " + ", ".join(
            f"{key} {statistics.median(p[key] for p in phases):.3f}" for key in phases[0]))


if __name__ == "__main__":
    main()
