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
    parser.add_argument("--space-id", default=None, help="WML: the space resources are created in")
    parser.add_argument("--other-space-id", default=None, help="WML: a second space, for the isolation rules")
    parser.add_argument("--api-version", default=None, help="WML: the version date sent (default 2024-05-01)")
    parser.add_argument("--username", default=None, help="WML: get the token from the target's authorize endpoint")
    parser.add_argument("--api-key", default=None, help="WML: with --username")


def run(args: argparse.Namespace) -> int:
    from mlmock.spec import available

    from .context import DEFAULT_API_VERSION
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
        if args.username:
            target.token = authorize(args.api, target, args.username, args.api_key or "")

        def progress(outcome) -> None:
            mark = {"passed": ".", "failed": "F", "skipped": "s", "error": "E"}[outcome.status]
            print(mark, end="", flush=True, file=sys.stderr)

        report = run_suite(args.api, target, families=families, include=args.include,
                           max_examples=args.max_examples, seed=args.seed, space=args.space_id,
                           other_space=args.other_space_id, api_version=args.api_version or DEFAULT_API_VERSION,
                           on_outcome=progress)
    except Unreachable as error:
        print(f"\nmlmock check: cannot reach the target: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except CannotRun as error:
        print(f"mlmock check: {error}", file=sys.stderr)
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


class CannotRun(Exception):
    """The suite cannot start (e.g. the target refuses the credentials)."""


def authorize(api: str, target, username: str, api_key: str) -> str:
    """A bearer token from the target's authorize operation (the one the spec marks ``authorize``)."""
    from mlmock.spec import declaration

    decl = declaration(api)
    op = next((o for o in decl.operations.values() if o.action == "authorize"), None)
    if op is None:
        raise CannotRun(f"the {api} spec has no authorize operation; give --token instead")
    response = target.request(op.method, decl.base_path + op.path, token=None,
                              json={"username": username, "api_key": api_key})
    token = response.json().get("token") if response.status_code == 200 else None
    if not token:
        raise CannotRun(f"{op.method} {op.path} refused the credentials ({response.status_code})")
    return token
