"""Throughput of ``mlmock serve --workers N``: requests per second with 1 and 2 workers (``wrk``).

For each worker count, a fresh ``mlmock serve --workers N --state-file <tmp>`` (a state file for
both, so both pay the same SQLite WAL with ``synchronous=NORMAL``), one OpenMetadata ML model service
and one model, then ``wrk`` (one thread, ``--connections`` keep-alive connections, ``--seconds``):

* ``get``: ``GET /api/v1/mlmodels/{id}`` of the one model;
* ``create``: ``POST /api/v1/mlmodels``, each body a fresh name (a Lua counter per connection).

Any non-2xx answer is counted and printed: a throughput with errors is not a throughput. wrk runs on
the same machine, so it takes CPU from the workers; on a 2-core machine shared with other work the
ratio says less than on an idle 4-core one. So the server's CPU time per request is printed too
(Linux: utime + stime of the process group from /proc, parent included) with the cores the server
got on average: equal CPU per request with 1 and 2 workers means no cross-process contention, and
the ratio of req/s is then the ratio of the cores the machine gave. CI does not run it.

    python benchmarks/bench_workers.py                     # 1 and 2 workers, 10 s each
    python benchmarks/bench_workers.py --workers 1 2 4 --seconds 20 --connections 32
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import httpx

TOKEN = "bench"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
CREATE_LUA = """
local n = 0
local prefix = tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/mlmodels", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer TOKEN"}, '{"name":"b' .. prefix .. '_' .. n .. '","service":"svc"}')
end
""".replace("TOKEN", TOKEN)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(workers: int, state: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mlmock.cli", "serve", "--workers", str(workers), "--port",
                             str(port), "--token", TOKEN, "--state-file", state, "--log-level", "warning"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/api/v1/mlmodels", headers=HEADERS, timeout=5)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"mlmock serve --workers {workers} did not come up") from None
            time.sleep(0.1)
    time.sleep(1.0)  # the other workers finish starting
    return proc, base


def _cpu(group: int) -> float:
    """CPU seconds used so far by the processes of ``group`` (Linux /proc; 0 elsewhere)."""
    total = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _wrk(args: argparse.Namespace, url: str, script: str | None = None) -> tuple[float, int]:
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "-H", f"Authorization: Bearer {TOKEN}"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if errors:
        print("   ", errors.group(0))
    return rate, int(bad.group(1)) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    print(f"load average before: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, wrk -t1 -c{args.connections} "
          f"-d{args.seconds}s")
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "create.lua")
        with open(script, "w") as f:
            f.write(CREATE_LUA)
        for n in args.workers:
            proc, base = _start(n, os.path.join(tmp, f"state-{n}.db"))
            try:
                httpx.put(base + "/api/v1/services/mlmodelServices", headers=HEADERS,
                          json={"name": "svc", "serviceType": "Mlflow"}).raise_for_status()
                model = httpx.post(base + "/api/v1/mlmodels", headers=HEADERS,
                                   json={"name": "target", "service": "svc"})
                model.raise_for_status()
                rates = {}
                for name, url, lua in (("get-by-id", f"{base}/api/v1/mlmodels/{model.json()['id']}", None),
                                       ("create", base + "/api/v1/mlmodels", script)):
                    before = _cpu(proc.pid)
                    rate, bad = _wrk(args, url, lua)
                    used = _cpu(proc.pid) - before
                    rates[name] = rate
                    print(f"workers {n}: {name:<9} {rate:8.1f} req/s (non-2xx {bad}), server CPU "
                          f"{1000 * used / max(rate * args.seconds, 1):.2f} ms/request, {used / args.seconds:.2f} "
                          f"cores, load {os.getloadavg()[0]:.2f}")
                results[n] = rates
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
    if 1 in results:
        for n, rates in results.items():
            if n != 1:
                print(f"workers {n} / 1: " + ", ".join(f"{name} x{rate / results[1][name]:.2f}"
                                                      for name, rate in rates.items()))


if __name__ == "__main__":
    main()
