"""``mlmock check``: run the contract suite against a server root URL."""

from __future__ import annotations

import argparse
import sys

from . import DEFAULT_MAX_EXAMPLES
from .target import CannotRun  # noqa: F401  (re-exported: mlmock.contracts.cli.CannotRun)

EXIT_OK, EXIT_VIOLATIONS, EXIT_CANNOT_RUN = 0, 1, 2


def _bool(text: str) -> bool:
    if text.lower() in ("true", "yes", "1", "on"):
        return True
    if text.lower() in ("false", "no", "0", "off"):
        return False
    raise argparse.ArgumentTypeError("expected true or false")


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError("expected 'Name: value'")
    return name.strip(), value.strip()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", required=True, choices=["openmetadata", "wml"])
    parser.add_argument("--base-url", required=False, default=None,
                        help="server root, e.g. http://127.0.0.1:8585")
    parser.add_argument("--token", default=None, help="bearer token (default: mlmock's dev token)")
    parser.add_argument("--limited-token", default=None, metavar="TOKEN",
                        help="a second user's token, one with no access to the suite's space and no permission "
                             "to create: the operations documenting a 403 must refuse it (default: not checked; "
                             "`mlmock serve --limited-token` makes such a user)")
    parser.add_argument("--families", default=None, help="comma-separated rule families (default: all)")
    parser.add_argument("--include", default=None, help="only rules whose name matches this regex")
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES,
                        help="generated cases per operation and mode")
    parser.add_argument("--seed", type=int, default=0, help="makes generated data repeatable")
    parser.add_argument("--junit-xml", default=None, help="write a JUnit XML report here")
    parser.add_argument("--space-id", default=None,
                        help="WML: the space resources are created in (default: two spaces of the suite's own)")
    parser.add_argument("--other-space-id", default=None, help="WML: a second space, for the isolation rules")
    parser.add_argument("--api-version", default=None, help="WML: the version date sent (default 2024-05-01)")
    parser.add_argument("--username", default=None, help="WML: get the token from the target's authorize endpoint")
    parser.add_argument("--api-key", default=None, help="WML: with --username")
    parser.add_argument("--tls-verify", type=_bool, default=True, metavar="true|false",
                        help="verify the server's TLS certificate (default true)")
    parser.add_argument("--ca-bundle", default=None, metavar="PATH",
                        help="trust the certificates in this PEM file (e.g. a self-signed server's)")
    parser.add_argument("--header", type=_header, action="append", default=[], metavar="'Name: value'",
                        help="send this header with every request (repeatable; for gateways)")
    parser.add_argument("--strict", action="store_true",
                        help="violations of the project's readings fail the run too (default: warnings)")
    parser.add_argument("--profile", choices=["documented", "client", "reading"], default=None,
                        help="run only the rules of this provenance (e.g. documented)")
    parser.add_argument("--list", action="store_true", help="print the rules with their provenance and exit")
    parser.add_argument("--keep", action="store_true", help="do not delete what the suite created")
    parser.add_argument("--workers", type=int, default=2, help="families run side by side (default 2)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every rule and subject as it ends, "
                        "and every request sent with its status")


def _list(args) -> int:
    from .runner import selected_rules

    families = [f.strip() for f in args.families.split(",")] if args.families else None
    for rule in selected_rules(families, args.include, args.profile):
        print(f"{rule.name:40} {rule.family:11} {rule.provenance:10} {rule.source}")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    from mlmock.spec import available

    from .registry import FAMILIES

    if args.api not in available():
        print(f"mlmock check: no spec for API {args.api!r} yet", file=sys.stderr)
        return EXIT_CANNOT_RUN
    families = [f.strip() for f in args.families.split(",")] if args.families else None
    unknown = sorted(set(families or ()) - set(FAMILIES))
    if unknown:
        print(f"mlmock check: unknown families {unknown}; known: {', '.join(FAMILIES)}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if args.list:
        return _list(args)
    if not args.base_url:
        print("mlmock check: --base-url is required", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if not args.base_url.startswith(("http://", "https://")):
        print("mlmock check: --base-url must start with http:// or https://", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if bool(args.space_id) != bool(args.other_space_id) and args.api == "wml":
        print("mlmock check: give both --space-id and --other-space-id, or neither (the suite then makes "
              "its own two spaces)", file=sys.stderr)
        return EXIT_CANNOT_RUN
    return _check(args, families)


def _check(args, families) -> int:
    import os
    import time

    from mlmock import DEFAULT_TOKEN
    from mlmock.spec import declaration

    from . import preflight
    from .context import DEFAULT_API_VERSION
    from .runner import run_suite
    from .target import Target, Unreachable

    verify: bool | str = args.tls_verify
    if args.ca_bundle:
        if not os.path.isfile(args.ca_bundle):
            print(f"mlmock check: --ca-bundle {args.ca_bundle}: no such file", file=sys.stderr)
            return EXIT_CANNOT_RUN
        verify = args.ca_bundle if args.tls_verify else False
    api_version = args.api_version or DEFAULT_API_VERSION
    target = Target.from_url(args.base_url, token=args.token or DEFAULT_TOKEN, verify=verify,
                             headers=dict(args.header))
    target.limited_token = args.limited_token
    if args.verbose:  # every request any family sends, generated cases included
        target.on_exchange = lambda method, url, status: print(f"    {status} {method} {url}", file=sys.stderr)
    started = time.perf_counter()

    def progress(outcome) -> None:
        if args.verbose:
            print(f"  {outcome.status:8} {outcome.rule} [{outcome.subject}] {outcome.message[:160]}",
                  file=sys.stderr)

    def family_done(family, outcomes, seconds) -> None:
        if not outcomes:
            return
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        text = ", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing to run"
        print(f"{family:11} {text} ({seconds:.1f}s)", file=sys.stderr, flush=True)

    try:
        if args.username:
            target.token = authorize(args.api, target, args.username, args.api_key or "")
        preflight.check(declaration(args.api), target, space=args.space_id, api_version=api_version)
        report = run_suite(args.api, target, families=families, include=args.include,
                           max_examples=args.max_examples, seed=args.seed, space=args.space_id,
                           other_space=args.other_space_id, api_version=api_version, on_outcome=progress,
                           strict=args.strict, profile=args.profile, workers=args.workers, keep=args.keep,
                           on_family=family_done)
    except CannotRun as error:
        print(f"mlmock check: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except Unreachable as error:
        print(f"mlmock check: cannot reach the target: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    finally:
        target.close()
    if report.failed:
        print(report.details())
        print()
    reasons = report.reasons()
    if reasons:
        print(reasons)
        print()
    print(report.summary())
    print(f"{len(report.failing)} failing, {len(report.warnings)} warnings (readings"
          f"{' fail: --strict' if args.strict else ', --strict makes them fail'}); "
          f"{time.perf_counter() - started:.1f}s")
    if args.junit_xml:
        report.write_junit(args.junit_xml)
    return report.exit_code


def authorize(api: str, target, username: str, api_key: str) -> str:
    """A bearer token from the target's authorize operation (the one the spec marks ``authorize``)."""
    from mlmock.spec import declaration

    from .target import TlsFailure, Unreachable

    decl = declaration(api)
    op = next((o for o in decl.operations.values() if o.action == "authorize"), None)
    if op is None:
        raise CannotRun(f"the {api} spec has no authorize operation; give --token instead")
    try:
        response = target.request(op.method, decl.base_path.rstrip("/") + op.path, token=None,
                                  json={"username": username, "api_key": api_key})
    except TlsFailure as error:
        raise CannotRun(f"TLS failure at {target.base_url} ({error}): pass --ca-bundle PATH to trust its "
                        "certificate, or --tls-verify false to skip verification") from None
    except Unreachable as error:
        raise CannotRun(f"cannot reach {target.base_url}: {error}") from None
    token = response.json().get("token") if response.status_code == 200 else None
    if not token:
        raise CannotRun(f"{op.method} {op.path} refused the credentials ({response.status_code})")
    return token
