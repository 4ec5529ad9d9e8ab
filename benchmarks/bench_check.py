"""How long a full default `mlmock check` run takes, against the mock and the independent implementation.

Each target runs in its own process (`mlmock serve`, or uvicorn serving tests/independent), so the
suite and the server do not share an interpreter, as against a real cluster. `mlmock check` runs
as a subprocess with the default options (every family, --max-examples 10) and the --workers given;
the wall time and the suite's own CPU time (user + system of the check process, which a loaded
machine inflates less than wall time) of each run are reported with its exit status. Run by hand (2 cores, shared):

    python benchmarks/bench_check.py [--api openmetadata,wml] [--target mock,independent] [--workers 1,2]
        [--max-examples 10] [--repeat 1]

WML against the mock needs the seeded spaces (--space-id/--other-space-id); against the independent
implementation the suite makes its own (the sandbox).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mock_spaces() -> tuple[str, str]:
    from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID

    return DEFAULT_SPACE_ID, OTHER_SPACE_ID


def start(target: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    if target == "mock":
        command = [sys.executable, "-m", "mlmock.cli", "serve", "--port", str(port), "--token", TOKEN,
                   "--progression", "reads:1", "--log-level", "warning"]
    else:
        code = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); import uvicorn; "
                f"from independent import create_app; "
                f"uvicorn.run(create_app({TOKEN!r}), host='127.0.0.1', port={port}, log_level='warning')")
        command = [sys.executable, "-c", code]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def check(api: str, target: str, url: str, workers: int, max_examples: int) -> tuple[int, float, float, str]:
    command = [sys.executable, "-m", "mlmock.cli", "check", "--api", api, "--base-url", url, "--token", TOKEN,
               "--workers", str(workers), "--max-examples", str(max_examples), "--seed", "1"]
    if api == "wml" and target == "mock":
        space, other = _mock_spaces()
        command += ["--space-id", space, "--other-space-id", other]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = [line for line in done.stdout.splitlines() if "failing," in line]
    return done.returncode, seconds, cpu, last[-1] if last else done.stderr.strip().splitlines()[-1:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", default="openmetadata,wml")
    parser.add_argument("--target", default="mock,independent")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    print("| API | target | workers | exit | wall s | suite CPU s | summary |")
    print("|---|---|---:|---:|---:|---:|---|")
    for target in args.target.split(","):
        process, url = start(target)
        try:
            for api in args.api.split(","):
                for workers in (int(w) for w in args.workers.split(",")):
                    for _ in range(args.repeat):
                        code, seconds, cpu, summary = check(api, target, url, workers, args.max_examples)
                        print(f"| {api} | {target} | {workers} | {code} | {seconds:.1f} | {cpu:.1f} | {summary} |",
                              flush=True)
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
