# Results, 2026-12-02, shared 2-core VM, Python 3.11.7, uvicorn with uvloop + httptools (uvicorn[standard] is
# already a dependency), Prism 5 (`prism mock --verboseLevel warn`), wrk 4.1 -t1 -c32, 5 s per op after 1 s of
# warm-up, server on core 0 and wrk on core 1 (taskset), 3 rounds alternating the order, medians. The machine
# was saturated by other test runs the whole time: LOAD AVERAGE 5.3 TO 9.0 (2 cores). req/s therefore measures
# mostly the share of core 0 each server got; the CPU-ms-per-answer table moves far less with the load and is
# the one to compare. mlmock-base = the tree before any change of issue 12 (056ef6a), served with the same venv.
#
#   python benchmarks/bench_vs_prism.py --rounds 3 --duration 5 \
#       --servers mlmock-base,mlmock,prism,ceiling --base-tree /tmp/b12_base
#   (/tmp/b12_base: `git archive 056ef6a | tar -x -C /tmp/b12_base`)
#
#   op       | mlmock-base req/s  p50/p99 | mlmock req/s  p50/p99 | prism req/s  p50/p99 | ceiling | mlmock/prism
#   list     |                33  294/1628 |           96  210/1403 |          93  210/1368 |    1917 | 1.04
#   get      |                73  213/1478 |          137  187/1470 |          80  205/1520 |    1814 | 1.71
#   by-name  |                96  200/1384 |          125  191/1397 |          92  188/1534 |    1858 | 1.37
#   create   |                49  268/1430 |           88  217/1497 |          63  212/1465 |    1404 | 1.39
#   patch    |                48  297/1527 |           71  216/1406 |          67  214/1397 |    1168 | 1.07
#   delete   |                74  271/1344 |           70  201/1469 |          76  220/1583 |    1620 | 0.93
#   non-2xx answers: 0 everywhere; wrk socket timeouts (2 s): 7-16 per 5 s run for mlmock and Prism alike
#   (their p99 is ~1.5 s at these rates), 0 for the ceiling.
#
#   server CPU ms per 2xx answer (1000/x = req/s on a whole core)
#   op       | mlmock-base | mlmock | prism | ceiling | prism/mlmock | base/mlmock
#   list     |   8.54      |  4.79  |  4.09 |  0.16   |  0.85        |  1.78
#   get      |   3.83      |  2.80  |  4.16 |  0.19   |  1.49        |  1.37
#   by-name  |   3.55      |  3.06  |  3.47 |  0.17   |  1.14        |  1.16
#   create   |   6.55      |  4.93  |  4.46 |  0.16   |  0.90        |  1.33
#   patch    |   7.98      |  6.17  |  4.26 |  0.21   |  0.69        |  1.29
#   delete   |   4.72      |  3.85  |  4.20 |  0.18   |  1.09        |  1.23
#
#   start-up to first answer under that load: mlmock 10.7 s, mlmock-base 17.1 s (min 5.1), Prism 15.1 s,
#   ceiling 1.3 s (idle machine, issue 12: mlmock 1.17 s, Prism 1.24 s). Importing connexion (~55% of
#   `import mlmock.mockserver.server`, it pulls in starlette.testclient/httpx) and openapi_schema_validator
#   (its pydantic settings) dominate; the < 0.5 s goal needs those imports gone or deferred.
#
# At scale (`--rounds 0 --scale 100000 --servers mlmock --ops list`, load 6-7): filling 100,000 OM models through
# PUT /mlmodels/bulk took 765 s; peak RSS (VmHWM) 482 MB (goal < 250 MB; the bulk requests and the read-back
# in pages of 1000 are in that peak); list: 62 req/s, p50 236 ms at 100 stored -> 56 req/s, p50 506 ms at
# 100,000 (p50 2.1x, req/s -10%; the goal is < 1.5x p50 growth).
#
# In-process CPU per request (benchmarks/profile_mock.py --top 0 -n 200, base tree vs this one, two runs each):
# list 8.05/6.05 -> 4.56/3.93 ms, create 6.76/6.94 -> 4.69/5.20 ms, get 3.65 -> 2.39 ms, patch 8.06 -> 5.71 ms.
#
# Far from issue 12's goal (>= 1.5x Prism everywhere): with validation compiled, what is left is spread over
# connexion's middleware stack (routing, security, parameter decorators, response re-parse) and the dialects'
# copy.deepcopy of every rendered entity (21% of a list, in mockserver/dialects/, under redesign).
#
# `mlmock serve --workers N` is not implemented. Resources are not cached in-process (every read goes to
# SQLite, and writes run under BEGIN IMMEDIATE, which SQLite serialises across processes too), but:
# the default store is per-process ":memory:"; Settings.jwt_secret is random per process, so a WML bearer
# token issued by one worker is refused by another; Ids(seed) under --seed gives every worker the same id
# sequence; the journal, fault rules, control-plane settings (progressions, fixed clock, seed value,
# baseline) and Lifecycles policies live in each worker's memory, so a control-plane call changes one
# worker only; catalogue seeding at start would race; and server.py hands uvicorn an app object, which
# uvicorn's own multi-worker mode cannot fork (it needs an import string or a pre-fork of the bound socket).

# WML (issue 12), 2026-12-02, same VM, shared with three other engineers (load average 1.5-3.4 during the run),
# this tree at 2806282+ (spec cache warm), Prism 5.x on spec/wml.yaml, 3 rounds x 5 s, medians, 0 non-2xx:
#
#   python benchmarks/bench_vs_prism.py --api wml --servers mlmock,prism --rounds 3 --duration 5
#
#   op             | mlmock req/s p50/p99 ms | prism req/s p50/p99 ms | req/s ratio | CPU ms: mlmock  prism prism/mlm
#   wml-list       |  382   78.7/888         |  193  129.4/1458       | 1.98        |         2.61    3.83   1.46
#   wml-get        |  636   48.6/477         |  349   79.2/1201       | 1.82        |         1.57    2.86   1.82
#   wml-create     |  633   48.7/488         |  380   72.1/1006       | 1.66        |         1.58    2.61   1.66
#   wml-dep-list   |  264  113.3/1433        |  375   79.8/923        | 0.70        |         3.80    2.66   0.70
#   wml-dep-get    |  648   47.1/465         |  228  121.2/1322       | 2.85        |         1.55    3.23   2.09
#   wml-dep-create |  561   55.2/586         |  261  111.5/1371       | 2.15        |         1.79    3.82   2.14
#
#   start-up to first answer in that run: mlmock median 1.03 s (min 0.90), Prism 6.23 s (min 3.05).
#   wml-dep-list is the one op slower than Prism (CPU per answer 0.70x); not profiled yet.
#
# Start-up and memory after issue 12's changes: benchmarks/bench_startup.py and benchmarks/bench_memory.py.

"""mlmock serve against Prism (``prism mock``) on the same spec, and against a bare ceiling.

Servers, each started fresh in every round, rounds alternating so that drift of the shared
machine's load cancels:

* ``mlmock``  -- ``mlmock serve`` as a user runs it (request and response validation on, SQLite).
* ``prism``   -- ``prism mock spec/openmetadata.yaml`` (Stoplight Prism 5; static examples).
* ``ceiling`` -- a bare Starlette app on uvicorn (uvloop, httptools) answering one fixed JSON body:
  what Python + uvicorn can do at all on this machine.

Every server is pinned to core 0 and wrk to core 1 (``taskset``) when the machine has 2+ cores.
Operations (OpenMetadata ML models), each set up so that every answer should be 2xx; a non-2xx
answer is counted and reported, and never counted as throughput:

* list     GET    /api/v1/mlmodels?limit=10                 (100 models stored)
* get      GET    /api/v1/mlmodels/{id}                     (cycling over the 100 ids)
* by-name  GET    /api/v1/mlmodels/name/{fqn}               (cycling)
* create   POST   /api/v1/mlmodels                          (a unique name per request, wrk Lua)
* patch    PATCH  /api/v1/mlmodels/{id}  json-patch+json    (a new description each time, cycling)
* delete   DELETE /api/v1/mlmodels/{id}?hardDelete=true     (over a pool created beforehand through
                                                           PUT /mlmodels/bulk; each id once)

With ``--api wml`` the same servers (Prism on ``spec/wml.yaml``) and WML operations instead, in the
catalogue's default space, ``version=2024-05-13``, the dev token as bearer:

* wml-list       GET  /ml/v4/models?limit=10          (100 models stored)
* wml-get        GET  /ml/v4/models/{id}              (cycling over the 100 ids)
* wml-create     POST /ml/v4/models                   (a scikit-learn model, a unique name per request)
* wml-dep-list   GET  /ml/v4/deployments?limit=10     (100 online deployments of the first model)
* wml-dep-get    GET  /ml/v4/deployments/{id}         (cycling)
* wml-dep-create POST /ml/v4/deployments              (online, of the first model, a unique name each)

Also measured: start-up to first answer (process spawn to the first 200 of an authenticated
GET /api/v1/mlmodels?limit=1), and with ``--scale N`` the peak RSS (VmHWM) of mlmock after N
models were stored, with list p50 at that size.

Needs: node 20 + npm (Prism is installed once into benchmarks/.cache/, gitignored), wrk
(``apt-get install -y wrk``; this script tries it when run as root), taskset (util-linux).

Usage (from the repository root, with the project's venv):

    python benchmarks/bench_vs_prism.py                      # 3 rounds x 6 ops x 3 servers, ~6 min
    python benchmarks/bench_vs_prism.py --rounds 5 --duration 8
    python benchmarks/bench_vs_prism.py --servers mlmock,prism --ops list,create
    python benchmarks/bench_vs_prism.py --scale 100000 --servers mlmock --ops list   # peak RSS at scale
    python benchmarks/bench_vs_prism.py --api wml --servers mlmock,prism              # WML models, deployments

CI does not run it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from mlmock import DEFAULT_TOKEN  # the one default token literal

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
SPEC = ROOT / "spec" / "openmetadata.yaml"
SPECS = {"openmetadata": SPEC, "wml": ROOT / "spec" / "wml.yaml"}
TOKEN = DEFAULT_TOKEN
AUTH = f"Bearer {TOKEN}"
BASE = "/api/v1"
SEEDED = 100
OPS = ("list", "get", "by-name", "create", "patch", "delete")
WML_OPS = ("wml-list", "wml-get", "wml-create", "wml-dep-list", "wml-dep-get", "wml-dep-create")
WML_VERSION = "2024-05-13"
WML_SPACE = "3fc54cf1-252f-424b-b52d-5cdd9814987f"  # the catalogue's default space (core/catalogue.py)
WML_QUERY = f"version={WML_VERSION}&space_id={WML_SPACE}"
SERVERS = ("mlmock", "prism", "ceiling")

# ---------------------------------------------------------------------------------------- tools


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update"], check=False, stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
        wrk = shutil.which("wrk")
        if wrk:
            return wrk
    sys.exit("bench_vs_prism: wrk is needed (Debian/Ubuntu: apt-get install -y wrk; macOS: brew install wrk)")


def find_prism() -> str:
    local = CACHE / "node_modules" / ".bin" / "prism"
    if local.exists():
        return str(local)
    on_path = shutil.which("prism")
    if on_path:
        return on_path
    if not shutil.which("npm") or not shutil.which("node"):
        sys.exit("bench_vs_prism: Prism needs node (>= 18) and npm; install them, or run with --servers mlmock,ceiling")
    print(f"installing @stoplight/prism-cli@5 into {CACHE} (once)", file=sys.stderr)
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE),
                           "@stoplight/prism-cli@5"], check=False)
    if done.returncode or not local.exists():
        sys.exit("bench_vs_prism: npm install @stoplight/prism-cli@5 failed; run with --servers mlmock,ceiling")
    return str(local)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinned(core: int) -> list[str]:
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(core)]
    return []


# ---------------------------------------------------------------------------------------- servers


CEILING_APP = '''
import sys
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
import uvicorn

BODY = b'{"id":"00000000-0000-0000-0000-000000000000","name":"m","fullyQualifiedName":"svc.m","version":0.1}'

async def answer(request):
    await request.body()
    return Response(BODY, media_type="application/json")

app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST", "PATCH", "DELETE", "PUT"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False,
            loop="uvloop", http="httptools")
'''


# Runs mlmock from another source tree with this venv: an editable install maps the mlmock.* packages
# to this repository through a finder whose MAPPING is pointed at the other tree before any import.
BASE_LAUNCHER = '''
import sys
tree = sys.argv.pop(1)
mapping = {"mlmock": "mlmock", "mlmock.spec": "spec", "mlmock.mockserver": "mockserver",
           "mlmock.contracts": "contracts"}
for module in list(sys.modules):
    if module.startswith("__editable__") and module.endswith("_finder") and hasattr(sys.modules[module], "MAPPING"):
        sys.modules[module].MAPPING.update({k: tree + "/" + v for k, v in mapping.items()})
        import os  # the dashboard moved to mockserver/devtools/ with the layout split; older trees have it at the top
        for where, name in (("/mockserver/devtools/dashboard", "mlmock.mockserver.devtools.dashboard"),
                            ("/mockserver/dashboard", "mlmock.mockserver.dashboard")):
            if os.path.isdir(tree + where):
                sys.modules[module].NAMESPACES.update({name: [tree + where]})
        break
else:
    sys.exit("base launcher: mlmock is not an editable install in this venv")
import mlmock.mockserver
assert mlmock.mockserver.__file__.startswith(tree), mlmock.mockserver.__file__
from mlmock.cli import main
sys.exit(main())
'''


class Server:
    def __init__(self, name: str, argv: list[str], port: int, log: Path, api: str = "openmetadata"):
        self.name, self.argv, self.port, self.log, self.api = name, argv, port, log, api
        self.proc: subprocess.Popen | None = None
        # Prism ignores the spec's relative server URL (/api/v1): it serves the paths at the root.
        self.base = "" if name == "prism" or api == "wml" else BASE
        self.startup_s = float("nan")

    def start(self) -> None:
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
                                     cwd=ROOT, start_new_session=True)
        deadline = started + 60
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log}")
            try:
                probe = f"/ml/v4/models?{WML_QUERY}&limit=1" if self.api == "wml" else f"{self.base}/mlmodels?limit=1"
                status, _ = request(self.port, "GET", probe, timeout=1)
                if status == 200:
                    self.startup_s = time.perf_counter() - started
                    return
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} did not answer within 60 s; see {self.log}")

    def cpu_s(self) -> float:
        """User + system CPU seconds the server process has used so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def rss_peak_kb(self) -> int:
        """VmHWM of the server process (the python/node process under taskset's exec)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return -1

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def make_server(name: str, workdir: Path, args: argparse.Namespace) -> Server:
    port = free_port()
    log = workdir / f"{name}.log"
    if name == "mlmock":
        argv = [*pinned(0), sys.executable, "-m", "mlmock.cli", "serve", "--port", str(port),
                "--log-level", "warning", *args.mlmock_args.split()]
    elif name == "mlmock-base":  # the same, from another tree (--base-tree), for before/after rounds
        if not args.base_tree:
            sys.exit("bench_vs_prism: mlmock-base needs --base-tree DIR (e.g. git archive of the base commit)")
        launcher = workdir / "base_launcher.py"
        launcher.write_text(BASE_LAUNCHER)
        argv = [*pinned(0), sys.executable, str(launcher), str(Path(args.base_tree).resolve()), "serve",
                "--port", str(port), "--log-level", "warning", *args.mlmock_args.split()]
    elif name == "prism":
        argv = [*pinned(0), find_prism(), "mock", str(SPECS[args.api]), "--port", str(port), "--host", "127.0.0.1",
                "--errors", "false", "--verboseLevel", "warn"]
    else:
        app = workdir / "ceiling_app.py"
        app.write_text(CEILING_APP)
        argv = [*pinned(0), sys.executable, str(app), str(port)]
    return Server(name, argv, port, log, args.api)


# ---------------------------------------------------------------------------------------- HTTP


def request(port: int, method: str, path: str, body=None, content_type="application/json", timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": AUTH}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw and raw[:1] in b"[{" else raw)
    finally:
        conn.close()


def seed(server: Server) -> list[dict] | dict:
    """A service and SEEDED models; returns the models. For Prism and the ceiling (stateless), made-up
    models: every id and name is answered alike. WML: SEEDED models and deployments, their ids."""
    if server.api == "wml":
        return seed_wml(server)
    if not server.name.startswith("mlmock"):
        return [{"id": str(uuid.uuid4()), "fullyQualifiedName": f"svc.m{i:04d}"} for i in range(SEEDED)]
    status, _ = request(server.port, "POST", f"{BASE}/services/mlmodelServices",
                        {"name": "svc", "serviceType": "Mlflow"})
    assert status == 201, status
    return bulk_create(server, [f"m{i:04d}" for i in range(SEEDED)])


def seed_wml(server: Server) -> dict:
    if not server.name.startswith("mlmock"):
        return {"models": [str(uuid.uuid4()) for _ in range(SEEDED)],
                "deployments": [str(uuid.uuid4()) for _ in range(SEEDED)]}
    out: dict[str, list[str]] = {"models": [], "deployments": []}
    for i in range(SEEDED):
        status, body = request(server.port, "POST", f"/ml/v4/models?version={WML_VERSION}", wml_body("model", f"m{i}"))
        assert status == 201, (status, str(body)[:300])
        out["models"].append(body["metadata"]["id"])
    for i in range(SEEDED):
        status, body = request(server.port, "POST", f"/ml/v4/deployments?version={WML_VERSION}",
                               wml_body("deployment", f"d{i}", out["models"][0]))
        assert status in (201, 202), (status, str(body)[:300])
        out["deployments"].append(body["metadata"]["id"])
    return out


def wml_body(kind: str, name: str, model: str = "") -> dict:
    if kind == "model":
        return {"name": name, "type": "scikit-learn_1.3", "software_spec": {"name": "runtime-24.1-py3.11"},
                "space_id": WML_SPACE}
    return {"name": name, "online": {}, "asset": {"id": model}, "space_id": WML_SPACE}


def wml_lua(op: str, seeded: dict) -> str:
    kind = "deployments" if op.startswith("wml-dep-") else "models"
    path = f"/ml/v4/{kind}"
    if op.endswith("-list"):
        return f'wrk.method = "GET"\nwrk.path = "{path}?{WML_QUERY}&limit=10"\n'
    if op.endswith("-get"):
        ids = "local ids = {" + ",".join(f'"{i}"' for i in seeded[kind]) + "}\n"
        return ids + f'''function request()
  counter = counter + 1
  return wrk.format("GET", "{path}/" .. ids[(counter % #ids) + 1] .. "?{WML_QUERY}")
end
'''
    template = json.dumps(wml_body("model" if kind == "models" else "deployment", "NAME", seeded["models"][0]))
    before, after = template.split('"NAME"')
    return f'''wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  return wrk.format("POST", "{path}?version={WML_VERSION}", nil,
    '{before}"c' .. prefix .. '-' .. counter .. '"{after}')
end
'''


def bulk_create(server: Server, names: list[str]) -> list[dict]:
    for start in range(0, len(names), 1000):
        chunk = [{"name": name, "service": "svc"} for name in names[start:start + 1000]]
        status, body = request(server.port, "PUT", f"{BASE}/mlmodels/bulk", chunk, timeout=600)
        assert status == 200, (status, str(body)[:300])
    models = []
    after = None
    while True:  # read them back: the bulk answer does not list ids
        path = f"{BASE}/mlmodels?limit=1000" + (f"&after={after}" if after else "")
        status, page = request(server.port, "GET", path, timeout=600)
        assert status == 200, status
        models += page["data"]
        after = page["paging"].get("after")
        if not after:
            break
    wanted = set(names)
    return [m for m in models if m["name"] in wanted]


def delete_pool(server: Server, size: int, tag: str) -> list[str]:
    if not server.name.startswith("mlmock"):
        return [str(uuid.uuid4()) for _ in range(size)]
    return [m["id"] for m in bulk_create(server, [f"del{tag}-{i:06d}" for i in range(size)])]


# ---------------------------------------------------------------------------------------- wrk

LUA_COMMON = r'''
local counter = 0
local prefix = "x"
function init(args)
  prefix = args[1] or tostring(math.random(1, 1e9))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p99_us": %d}\n', summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
'''


def lua_for(op: str, models: list[dict], pool: list[str], BASE: str = BASE) -> str:
    auth = f'wrk.headers["Authorization"] = "{AUTH}"\n'
    if op.startswith("wml-"):
        return LUA_COMMON + auth + wml_lua(op, models)
    ids = "local ids = {" + ",".join(f'"{m["id"]}"' for m in models) + "}\n"
    fqns = "local fqns = {" + ",".join(f'"{m["fullyQualifiedName"]}"' for m in models) + "}\n"
    if op == "list":
        body = f'wrk.method = "GET"\nwrk.path = "{BASE}/mlmodels?limit=10"\n'
    elif op == "get":
        body = ids + f'''function request()
  counter = counter + 1
  return wrk.format("GET", "{BASE}/mlmodels/" .. ids[(counter % #ids) + 1])
end
'''
    elif op == "by-name":
        body = fqns + f'''function request()
  counter = counter + 1
  return wrk.format("GET", "{BASE}/mlmodels/name/" .. fqns[(counter % #fqns) + 1])
end
'''
    elif op == "create":
        body = f'''wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  return wrk.format("POST", "{BASE}/mlmodels", nil,
    '{{"name":"c' .. prefix .. '-' .. counter .. '","service":"svc","description":"bench"}}')
end
'''
    elif op == "patch":
        body = ids + f'''wrk.headers["Content-Type"] = "application/json-patch+json"
function request()
  counter = counter + 1
  return wrk.format("PATCH", "{BASE}/mlmodels/" .. ids[(counter % #ids) + 1], nil,
    '[{{"op":"add","path":"/description","value":"d' .. prefix .. '-' .. counter .. '"}}]')
end
'''
    elif op == "delete":
        pool_lua = "local pool = {" + ",".join(f'"{i}"' for i in pool) + "}\n"
        body = pool_lua + f'''function request()
  counter = counter + 1
  return wrk.format("DELETE", "{BASE}/mlmodels/" .. pool[((counter - 1) % #pool) + 1] .. "?hardDelete=true")
end
'''
    else:
        raise ValueError(op)
    return LUA_COMMON + auth + body


def run_wrk(wrk: str, port: int, script: Path, seconds: float, connections: int, tag: str) -> dict:
    argv = [*pinned(1), wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script),
            f"http://127.0.0.1:{port}", "--", tag]
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            result = json.loads(line[len("WRKJSON "):])
            secs = result["duration_us"] / 1e6
            result["ok_rps"] = (result["requests"] - result["status_errors"]) / secs
            result["non2xx"] = result["status_errors"]  # answers >= 400 (wrk counts them apart)
            result["sock_err"] = result["socket_errors"]  # connect/read/write errors and 2 s timeouts
            return result
    raise RuntimeError(f"wrk said nothing usable:\n{out.stdout}\n{out.stderr}")


# ---------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds measured per op (after a 1 s warm-up)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds (wrk takes whole seconds)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--api", choices=sorted(SPECS), default="openmetadata",
                        help="the API whose operations run (wml: the WML_OPS, Prism on spec/wml.yaml)")
    parser.add_argument("--ops", default=None, help=f"default: {','.join(OPS)} (--api wml: {','.join(WML_OPS)})")
    parser.add_argument("--base-tree", default=None,
                        help="a source tree of mlmock (e.g. `git archive BASE | tar -x -C DIR`) served as mlmock-base")
    parser.add_argument("--mlmock-args", default="", help="extra arguments of mlmock serve, e.g. '--workers 2'")
    parser.add_argument("--scale", type=int, default=0,
                        help="also store N models in mlmock and report peak RSS and list p50 at that size")
    parser.add_argument("--json", type=Path, default=None, help="write every measurement here")
    args = parser.parse_args()
    servers = [s for s in args.servers.split(",") if s]
    ops = [o for o in (args.ops or ",".join(WML_OPS if args.api == "wml" else OPS)).split(",") if o]
    wrk = find_wrk()
    if "prism" in servers:
        find_prism()
    workdir = Path(tempfile.mkdtemp(prefix="bench_vs_prism."))
    results: dict[tuple[str, str], list[dict]] = {}
    startups: dict[str, list[float]] = {}
    print(f"load average before: {os.getloadavg()}; logs in {workdir}", flush=True)
    for round_no in range(args.rounds):
        order = servers if round_no % 2 == 0 else list(reversed(servers))
        for name in order:
            server = make_server(name, workdir, args)
            try:
                server.start()
                startups.setdefault(name, []).append(server.startup_s)
                models = seed(server)
                create_rps = None
                for op in ops:
                    tag = f"r{round_no}{uuid.uuid4().hex[:6]}"
                    pool: list[str] = []
                    if op == "delete":
                        rate = create_rps or 2000
                        size = int(rate * (args.duration + args.warmup) * 1.5) + 500
                        pool = delete_pool(server, size, tag)
                    script = workdir / f"{name}-{op}.lua"
                    script.write_text(lua_for(op, models, pool, server.base))
                    if op != "delete":  # delete: one pass over the pool, no warm-up
                        run_wrk(wrk, server.port, script, args.warmup, args.connections, tag + "w")
                    cpu = server.cpu_s()
                    result = run_wrk(wrk, server.port, script, args.duration, args.connections, tag)
                    ok = result["requests"] - result["status_errors"]
                    # CPU per answered request: what a busy machine changes least (req/s depends on the
                    # share of the core the server gets); 1000 / cpu_ms is req/s on a whole core.
                    result["cpu_ms"] = (server.cpu_s() - cpu) * 1000 / max(ok, 1)
                    if op == "create":
                        create_rps = result["ok_rps"]
                    result["load"] = os.getloadavg()[0]
                    results.setdefault((name, op), []).append(result)
                    print(f"round {round_no + 1} {name:8} {op:14} {result['ok_rps']:9.0f} req/s  "
                          f"p50 {result['p50_us'] / 1000:7.2f} ms  p99 {result['p99_us'] / 1000:7.2f} ms  "
                          f"CPU {result['cpu_ms']:6.2f} ms/req  non-2xx {result['non2xx']:5d}  "
                          f"sock/timeouts {result['sock_err']:4d}  "
                          f"load {result['load']:.2f}", flush=True)
            finally:
                server.stop()
    print_table(results, startups, servers, ops)
    scale = scale_run(wrk, workdir, args) if args.scale else None
    if args.json:
        args.json.write_text(json.dumps({"results": {f"{k[0]}/{k[1]}": v for k, v in results.items()},
                                         "startup_s": startups, "scale": scale}, indent=1))
    print(f"load average after: {os.getloadavg()}")


def print_table(results, startups, servers, ops) -> None:
    def med(name, op, key):
        values = [r[key] for r in results.get((name, op), [])]
        return statistics.median(values) if values else float("nan")

    print("\nmedian over rounds (req/s counts 2xx only)")
    header = f"{'op':14} " + " ".join(f"{s + ' req/s':>18} {'p50/p99 ms':>15} {'non2xx':>7}" for s in servers)
    if "prism" in servers and "mlmock" in servers:
        header += f" {'mlmock/prism':>12}"
    if "ceiling" in servers and "mlmock" in servers:
        header += f" {'mlmock/ceil':>11}"
    if "mlmock-base" in servers and "mlmock" in servers:
        header += f" {'mlmock/base':>11}"
    print(header)
    for op in ops:
        line = f"{op:14} "
        for s in servers:
            line += (f"{med(s, op, 'ok_rps'):18.0f} {med(s, op, 'p50_us') / 1000:7.1f}/"
                     f"{med(s, op, 'p99_us') / 1000:<7.1f} {sum(r['non2xx'] for r in results.get((s, op), [])):7d}")  # noqa: E501
        if "prism" in servers and "mlmock" in servers:
            line += f" {med('mlmock', op, 'ok_rps') / med('prism', op, 'ok_rps'):12.2f}"
        if "ceiling" in servers and "mlmock" in servers:
            line += f" {med('mlmock', op, 'ok_rps') / med('ceiling', op, 'ok_rps'):11.3f}"
        if "mlmock-base" in servers and "mlmock" in servers:
            line += f" {med('mlmock', op, 'ok_rps') / med('mlmock-base', op, 'ok_rps'):11.2f}"
        print(line)
    print("\nserver CPU ms per 2xx answer, median over rounds (1000/x = req/s on one whole core)")
    print(f"{'op':14} " + " ".join(f"{s:>12}" for s in servers)
          + (f" {'prism/mlmock':>12}" if "prism" in servers and "mlmock" in servers else "")
          + (f" {'base/mlmock':>12}" if "mlmock-base" in servers and "mlmock" in servers else ""))
    for op in ops:
        line = f"{op:14} " + " ".join(f"{med(s, op, 'cpu_ms'):12.2f}" for s in servers)
        if "prism" in servers and "mlmock" in servers:
            line += f" {med('prism', op, 'cpu_ms') / med('mlmock', op, 'cpu_ms'):12.2f}"
        if "mlmock-base" in servers and "mlmock" in servers:
            line += f" {med('mlmock-base', op, 'cpu_ms') / med('mlmock', op, 'cpu_ms'):12.2f}"
        print(line)
    print("\nstart-up to first answer (s): " + ", ".join(
        f"{s} median {statistics.median(v):.2f} (min {min(v):.2f})" for s, v in startups.items()))


def scale_run(wrk: str, workdir: Path, args) -> dict:
    """mlmock with args.scale models stored: peak RSS and list p50, against 100 stored."""
    server = make_server("mlmock", workdir, args)
    out = {}
    try:
        server.start()
        models = seed(server)
        script = workdir / "scale-list.lua"
        script.write_text(lua_for("list", models, []))
        small = run_wrk(wrk, server.port, script, args.duration, args.connections, "s0")
        started = time.perf_counter()
        bulk_create(server, [f"s{i:07d}" for i in range(args.scale - SEEDED)]) if args.scale > SEEDED else None
        fill_s = time.perf_counter() - started
        large = run_wrk(wrk, server.port, script, args.duration, args.connections, "s1")
        out = {"stored": args.scale, "fill_s": fill_s, "rss_peak_mb": server.rss_peak_kb() / 1024,
               "list_p50_ms_100": small["p50_us"] / 1000, "list_p50_ms_scale": large["p50_us"] / 1000,
               "list_rps_100": small["ok_rps"], "list_rps_scale": large["ok_rps"]}
        print(f"\nscale: {json.dumps(out)}")
        print(f"list p50 growth {SEEDED} -> {args.scale}: {large['p50_us'] / max(small['p50_us'], 1):.2f}x")
    finally:
        server.stop()
    return out


if __name__ == "__main__":
    main()
