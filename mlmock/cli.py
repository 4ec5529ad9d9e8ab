"""The ``mlmock`` command: thin wiring of the mock and the contract suite."""

from __future__ import annotations

import argparse
import sys


def _serve(args: argparse.Namespace) -> int:
    from mlmock.mockserver.server import serve

    serve(host=args.host, port=args.port, token=args.token, state_file=args.state_file,
          log_level=args.log_level)
    return 0


def _check(args: argparse.Namespace) -> int:
    from mlmock.contracts.cli import run

    return run(args)


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
    serve.set_defaults(func=_serve)

    from mlmock.contracts.cli import add_arguments

    check = sub.add_parser("check", help="run the contract suite against a server")
    add_arguments(check)
    check.set_defaults(func=_check)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
