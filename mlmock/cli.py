"""The ``mlmock`` command: thin wiring of the mock and the contract suite."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time

DESCRIPTION = """\
mlmock: a stateful mock of ML model-management REST APIs (IBM Watson Machine Learning v4 and
OpenMetadata ML models) and a contract suite that checks any server against the same specs.

  mlmock serve                                   run the mock on http://127.0.0.1:8585
  mlmock check --api wml --base-url URL          check a server against the WML contract
"""

TOP_EPILOG = """\
exit status:
  0  success (serve: stopped with Ctrl-C or SIGTERM; check: no violation)
  1  check: the server violates the contract
  2  bad arguments; serve: a bad option value or a port it cannot bind; check: the target
     cannot be reached or the suite cannot run
"""

SERVE_EPILOG = """\
exit status:
  0  stopped with Ctrl-C or SIGTERM (a --state-file is checkpointed: the file alone holds the state)
  2  a bad option value, or the address cannot be bound (e.g. the port is in use): one line on stderr
"""

CHECK_EPILOG = """\
exit status:
  0  every rule passed
  1  the server violates at least one rule (each printed with a reproducing curl command)
  2  bad arguments, or the target cannot be reached
"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions and epilogs as written; each option's default after its help, unless there is
    none to show or the help already names it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        nothing = action.default is None or action.default is False or action.default == [] \
            or action.default == argparse.SUPPRESS
        if nothing or "default" in text.lower() or action.required:
            return text
        return super()._get_help_string(action)

    def _split_lines(self, text: str, width: int) -> list[str]:
        # Never split a token such as mlmock-dev-token or --state-file at its hyphen.
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def _serve(args: argparse.Namespace) -> int:
    from mlmock._deferred import UNUSED_BY_SERVE, defer

    defer(*UNUSED_BY_SERVE)  # before connexion is imported: ~0.15 s of start-up (mlmock/_deferred.py)
    from mlmock.mockserver.server import ConfigError, serve

    try:
        serve(host=args.host, port=args.port, token=args.token, state_file=args.state_file,
              log_level=args.log_level, log_format=args.log_format, seed_file=args.seed_file, seed=args.seed,
              progressions=args.progression, tls=args.tls, tls_dir=args.tls_dir,
              journal_size=args.journal_size, journal_body_limit=args.journal_body_limit,
              auto_spaces=args.auto_spaces, limited_token=args.limited_token, workers=args.workers)
    except ConfigError as error:
        if args.log_format == "json":
            now = time.time()
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
            print(json.dumps({"time": stamp, "level": "error", "logger": "mlmock",
                              "message": f"mlmock serve: {error}"}), file=sys.stderr)
        else:
            print(f"mlmock serve: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
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
    from mlmock import __version__
    from mlmock.mockserver.server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOKEN

    top = argparse.ArgumentParser(prog="mlmock", description=DESCRIPTION, epilog=TOP_EPILOG,
                                  formatter_class=HelpFormatter)
    top.add_argument("--version", action="version", version=f"mlmock {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="{serve,check}")

    serve = sub.add_parser("serve", help="run the stateful mock (both APIs, one port)",
                           description="Run the stateful mock: both APIs, the Swagger UI, the dashboard "
                                       "and the control plane on one port. Stop it with Ctrl-C.",
                           epilog=SERVE_EPILOG, formatter_class=HelpFormatter)
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help="the address to listen on (0.0.0.0: every interface, e.g. inside a container)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="the TCP port to listen on (0: any free one)")
    serve.add_argument("--token", default=DEFAULT_TOKEN, help="the one bearer token accepted")
    serve.add_argument("--limited-token", default=None, metavar="TOKEN",
                       help="a second token, for a user who may do nothing the spec documents a 403 for (no "
                            "access to any space, no OpenMetadata write): for `mlmock check --limited-token` "
                            "(default: none)")
    serve.add_argument("--state-file", default=None, metavar="FILE",
                       help="keep state in this SQLite file across restarts (default: in memory, gone at exit)")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                       help="the least severe message printed (info prints one line per request)")
    serve.add_argument("--log-format", default="text", choices=["text", "json"],
                       help="what the process prints on stderr: readable lines, or one JSON object per line "
                            "(banner, request log and uvicorn's own messages)")
    serve.add_argument("--seed-file", default=None, metavar="FILE",
                       help="create the resources this YAML or JSON file lists at start (skipped when "
                            "--state-file already holds resources; default: none)")
    serve.add_argument("--seed", type=int, default=None, metavar="N",
                       help="repeatable ids and timestamps: ids from a seeded generator, a clock fixed at "
                            "2024-01-01T00:00:00Z that moves only when advanced (statuses then progress per "
                            "read unless --progression says otherwise) (default: random ids, the real clock)")
    serve.add_argument("--progression", action="append", default=[], metavar="[API.KIND=]PACE",
                       help="how statuses progress: immediate, manual, reads:N or time:SECONDS; for every kind, "
                            "or for one (wml.deployment=manual); repeatable (default: time:1, one step a second)")
    serve.add_argument("--auto-spaces", action="store_true",
                       help="WML: an unknown space id springs into existence on first use (default: 404)")
    serve.add_argument("--tls", action="store_true",
                       help="serve HTTPS with a self-signed certificate (created once, then reused; "
                            "default: plain HTTP)")
    serve.add_argument("--tls-dir", default=None, metavar="DIR",
                       help="where the certificate lives (default: ~/.cache/mlmock/tls)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="serve with N processes sharing one state: the --state-file, or a temporary file "
                            "removed at exit; the control plane and dashboard then answer 409 (they need 1)")
    serve.add_argument("--journal-size", type=int, default=1000, metavar="N",
                       help="requests the journal keeps (a ring buffer; 0 keeps none)")
    serve.add_argument("--journal-body-limit", type=int, default=16 * 1024, metavar="BYTES",
                       help="bytes of each request and response body the journal keeps")
    serve.set_defaults(func=_serve)

    from mlmock.contracts.cli import add_arguments

    check = sub.add_parser("check", help="run the contract suite against a server",
                           description="Run the contract suite against any server that implements the API.",
                           epilog=CHECK_EPILOG, formatter_class=HelpFormatter)
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
