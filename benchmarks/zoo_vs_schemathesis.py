"""Which defects of the zoo each tool finds, and how long each takes.

For every defective variant of the mock in ``tests/contracts/*_defects.py`` (and the correct mock,
as a control), a live server is started on loopback and checked twice:

- ``mlmock check``: the contract suite, every family, ``--max-examples`` generated cases per
  operation and mode;
- plain ``schemathesis run`` on the same spec with every check (``--checks all``) and the same
  ``--max-examples``, default phases.

A defect counts as caught by mlmock check when it reports a failure (the correct mock must be
clean). Plain schemathesis also fails on the correct mock (it flags schema-valid requests that
the mock rejects for reasons OpenAPI cannot state, such as `before` with `after`, and the
statuses the spec marks as undocumented by the reference), so a defect counts as caught by it
only when it reports a failure (operation and failure code) that the correct mock does not
produce. Run by hand:

    python benchmarks/zoo_vs_schemathesis.py [--api openmetadata,wml] [--max-examples 5] [--only NAME[,NAME...]]

Prints a Markdown table (and writes it to --out).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "contracts"))

import om_defects  # noqa: E402
import wml_defects  # noqa: E402

from mlmock.contracts.runner import run_suite  # noqa: E402
from mlmock.contracts.target import Target  # noqa: E402
from mlmock.mockserver import Settings, create_app  # noqa: E402
from mlmock.mockserver.core.catalogue import DEFAULT_SPACE_ID, OTHER_SPACE_ID  # noqa: E402
from mlmock.mockserver.devtools.live import LiveServer  # noqa: E402
from mlmock.spec import declaration, path  # noqa: E402

TOKEN = "bench-token"
LIMITED = "limited"  # the zoo defects' second user (LimitedTokenServed.limited): `--limited-token`
ZOO = {"openmetadata": om_defects.DEFECTS, "wml": wml_defects.DEFECTS}
OPTIONS = {"openmetadata": {}, "wml": {"space": DEFAULT_SPACE_ID, "other_space": OTHER_SPACE_ID}}


def app_for(defect):
    app = create_app(settings=Settings(token=TOKEN, progression="reads:1", limited_token=LIMITED))
    if defect is None:
        return app
    wrapped = defect(app)
    wrapped.token = TOKEN
    return wrapped


def ours(api: str, url: str, max_examples: int) -> tuple[bool, float, str]:
    started = time.perf_counter()
    target = Target.from_url(url, token=TOKEN)
    target.limited_token = LIMITED  # as `mlmock check --limited-token`
    try:
        report = run_suite(api, target, max_examples=max_examples, seed=1, **OPTIONS[api])
    finally:
        target.close()
    rules = sorted(report.failed_rules())
    return bool(rules), time.perf_counter() - started, ", ".join(rules)


def plain_schemathesis(api: str, url: str, max_examples: int) -> tuple[set[str], float]:
    started = time.perf_counter()
    base = url + declaration(api).base_path
    command = [str(Path(sys.executable).parent / "schemathesis"), "run", str(path(api)), "--url", base,
               "-H", f"Authorization: Bearer {TOKEN}", "--checks", "all", "--max-examples", str(max_examples),
               "--seed", "1", "--no-color"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    failures, operation = set(), None
    for line in done.stdout.splitlines():
        if line.startswith("___") and line.rstrip("_ ").strip("_ "):
            operation = line.strip("_ ")
        elif line.startswith("- ST") and operation:
            failures.add(f"{operation} {line[2:7]}")
    return failures, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", default="openmetadata,wml")
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--only", default=None,
                        help="run only defects whose name contains this (comma-separated: any of these);"
                             " the control always runs, as the baseline")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rows = ["| API | defect | rule it breaks | mlmock check | s | schemathesis run | s |",
            "|---|---|---|---|---:|---|---:|"]
    totals = {}
    for api in args.api.split(","):
        caught = {"ours": 0, "plain": 0, "n": 0}
        baseline: set[str] = set()
        for defect in [None, *ZOO[api]]:
            name = defect.__name__ if defect else "(correct mock)"
            if args.only and defect and not any(part in name for part in args.only.split(",")):
                continue
            with LiveServer(app_for(defect)) as server:
                hit_ours, t_ours, _ = ours(api, server.url, args.max_examples)
            with LiveServer(app_for(defect)) as server:
                failures, t_plain = plain_schemathesis(api, server.url, args.max_examples)
            if defect is None:
                baseline = failures
                hit_plain = bool(failures)
            else:
                hit_plain = bool(failures - baseline)
            if defect is not None:
                caught["n"] += 1
                caught["ours"] += hit_ours
                caught["plain"] += hit_plain
            mark = {True: "**caught**" if defect else "false alarm", False: "missed" if defect else "clean"}
            rule = defect.rule if defect else "-"
            plain = mark[hit_plain] if defect else (f"{len(baseline)} failures (baseline)" if baseline else "clean")
            rows.append(f"| {api} | {name} | {rule} | {mark[hit_ours]} | {t_ours:.0f} | {plain} | {t_plain:.0f} |")
            print(rows[-1], flush=True)
        totals[api] = caught
    summary = [f"{api}: mlmock check caught {c['ours']}/{c['n']}, schemathesis run caught {c['plain']}/{c['n']}"
               for api, c in totals.items()]
    text = "\n".join(rows + [""] + summary)
    print("\n" + text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
