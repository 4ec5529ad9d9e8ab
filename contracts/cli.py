"""``mlmock check``: run the contract suite against a server root URL."""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_VIOLATIONS, EXIT_CANNOT_RUN = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", required=True, choices=["openmetadata", "wml"])
    parser.add_argument("--base-url", required=True, help="server root, e.g. http://127.0.0.1:8585")
    parser.add_argument("--token", default=None, help="bearer token (default: mlmock's dev token)")
    parser.add_argument("--families", default=None, help="comma-separated rule families (default: all)")
    parser.add_argument("--include", default=None, help="only rules whose name matches this regex")
    parser.add_argument("--max-examples", type=int, default=25, help="generated cases per operation and mode")
    parser.add_argument("--seed", type=int, default=0, help="makes generated data repeatable")
    parser.add_argument("--junit-xml", default=None, help="write a JUnit XML report here")
    parser.add_argument("--insecure", action="store_true", default=True, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from mlmock.spec import available

    from .registry import FAMILIES
    from .runner import run_suite
    from .target import Target, Unreachable

    if args.api not in available():
        print(f"mlmock check: no spec for API {args.api!r} yet", file=sys.stderr)
        return EXIT_CANNOT_RUN
    families = [f.strip() for f in args.families.split(",")] if args.families else None
    unknown = sorted(set(families or ()) - set(FAMILIES))
    if unknown:
        print(f"mlmock check: unknown families {unknown}; known: {', '.join(FAMILIES)}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if not args.base_url.startswith(("http://", "https://")):
        print("mlmock check: --base-url must start with http:// or https://", file=sys.stderr)
        return EXIT_CANNOT_RUN
    from mlmock import DEFAULT_TOKEN

    target = Target.from_url(args.base_url, token=args.token or DEFAULT_TOKEN)
    try:
        target.probe()

        def progress(outcome) -> None:
            mark = {"passed": ".", "failed": "F", "skipped": "s", "error": "E"}[outcome.status]
            print(mark, end="", flush=True, file=sys.stderr)

        report = run_suite(args.api, target, families=families, include=args.include,
                           max_examples=args.max_examples, seed=args.seed, on_outcome=progress)
    except Unreachable as error:
        print(f"\nmlmock check: cannot reach the target: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    finally:
        target.close()
    print(file=sys.stderr)
    if report.failed:
        print(report.details())
        print()
    print(report.summary())
    if args.junit_xml:
        report.write_junit(args.junit_xml)
    return report.exit_code
