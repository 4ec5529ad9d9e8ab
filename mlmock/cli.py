"""The ``mlmock`` command: thin wiring of the mock and the contract suite."""

from __future__ import annotations

import argparse
import sys


def _serve(args: argparse.Namespace) -> int:
    from mlmock.mockserver.server import ConfigError, serve

    try:
        serve(host=args.host, port=args.port, token=args.token, state_file=args.state_file,
              log_level=args.log_level, log_format=args.log_format, seed_file=args.seed_file, seed=args.seed,
              progressions=args.progression, tls=args.tls, tls_dir=args.tls_dir,
              journal_size=args.journal_size, journal_body_limit=args.journal_body_limit)
    except ConfigError as error:
        print(f"mlmock serve: {error}", file=sys.stderr)
        return 2
    return 0


def _check(args: argparse.Namespace) -> int:
    from mlmock.contracts.cli import run

    return run(args)


def _validate(args: argparse.Namespace) -> int:
    from mlmock.contracts.passive.cli import run_validate

    return run_validate(args)


def _proxy(args: argparse.Namespace) -> int:
    from mlmock.contracts.passive.cli import run_proxy

    return run_proxy(args)


def parser() -> argparse.ArgumentParser:
    from mlmock.mockserver.server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOKEN

    top = argparse.ArgumentParser(prog="mlmock", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the stateful mock (both APIs, one port)")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--token", default=DEFAULT_TOKEN, help="the one bearer token accepted")
    serve.add_argument("--state-file", default=None, help="keep state in this SQLite file")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--log-format", default="text", choices=["text", "json"],
                       help="the request log on stderr: one readable line, or one JSON object, per request")
    serve.add_argument("--seed-file", default=None, metavar="FILE",
                       help="create the resources this YAML or JSON file lists at start (skipped when "
                            "--state-file already holds resources)")
    serve.add_argument("--seed", type=int, default=None, metavar="N",
                       help="repeatable ids and timestamps: ids from a seeded generator, a clock fixed at "
                            "2024-01-01T00:00:00Z that moves only when advanced (statuses then progress per "
                            "read unless --progression says otherwise)")
    serve.add_argument("--progression", action="append", default=[], metavar="[API.KIND=]PACE",
                       help="how statuses progress: immediate, manual, reads:N or time:SECONDS; for every kind, "
                            "or for one (wml.deployment=manual); repeatable")
    serve.add_argument("--tls", action="store_true",
                       help="serve HTTPS with a self-signed certificate (created once, then reused)")
    serve.add_argument("--tls-dir", default=None, metavar="DIR",
                       help="where the certificate lives (default: ~/.cache/mlmock/tls)")
    serve.add_argument("--journal-size", type=int, default=1000, metavar="N",
                       help="requests the journal keeps (a ring buffer; 0 keeps none)")
    serve.add_argument("--journal-body-limit", type=int, default=16 * 1024, metavar="BYTES",
                       help="bytes of each request and response body the journal keeps")
    serve.set_defaults(func=_serve)

    from mlmock.contracts.cli import add_arguments

    check = sub.add_parser("check", help="run the contract suite against a server")
    add_arguments(check)
    check.set_defaults(func=_check)

    from mlmock.contracts.passive.cli import add_proxy_arguments, add_validate_arguments

    proxy = sub.add_parser("proxy", help="forward to a server, judging (and recording) the live traffic")
    add_proxy_arguments(proxy)
    proxy.set_defaults(func=_proxy)
    validate = sub.add_parser("validate", help="judge the traffic of a HAR recording against the contract")
    add_validate_arguments(validate)
    validate.set_defaults(func=_validate)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
