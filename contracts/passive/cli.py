"""``mlmock validate`` and ``mlmock proxy``: argument wiring and exit codes (0 clean, 1 violations, 2 cannot run)."""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_VIOLATIONS, EXIT_CANNOT_RUN = 0, 1, 2
API_CHOICES = ["auto", "openmetadata", "wml"]


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", default="auto", choices=API_CHOICES,
                        help="the API the traffic belongs to (auto: by path, /api/v1 is OpenMetadata)")
    parser.add_argument("--report", default=None, metavar="PATH.json", help="write the violations as JSON here")
    parser.add_argument("--junit-xml", default=None, metavar="PATH", help="write a JUnit XML report here")
    parser.add_argument("--strict", action="store_true",
                        help="violations of rules that are readings of a documentation silence fail too")


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("har", metavar="PATH.har", help="a HAR 1.2 recording (the proxy, a browser, mitmproxy)")
    _report_arguments(parser)


def add_proxy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--upstream", required=True, help="the server to forward to, e.g. https://om.example:8585")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8586)
    parser.add_argument("--token", default=None,
                        help="replace the Authorization of every request that carries one with this bearer token "
                             "(the secret stays in the proxy)")
    parser.add_argument("--token-passthrough", action="store_true",
                        help="forward the client's Authorization unchanged (the default without --token)")
    parser.add_argument("--tls-verify", default="true", choices=["true", "false"],
                        help="verify the upstream's certificate")
    parser.add_argument("--ca-bundle", default=None, metavar="PATH", help="CA bundle for the upstream's certificate")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS (self-signed, as mlmock serve --tls)")
    parser.add_argument("--tls-dir", default=None, metavar="DIR", help="where the certificate lives")
    parser.add_argument("--record", default=None, metavar="PATH.har",
                        help="write every exchange to this HAR file, secrets redacted")
    parser.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    _report_arguments(parser)


def _finish(report, args: argparse.Namespace) -> int:
    print(report.table())
    if args.report:
        report.write_json(args.report)
    if args.junit_xml:
        report.write_junit(args.junit_xml)
    return report.exit_code


def run_validate(args: argparse.Namespace) -> int:
    from mlmock.har import HarError, read

    from .judge import Judge

    try:
        entries = read(args.har)
    except HarError as error:
        print(f"mlmock validate: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    judge = Judge(args.api, strict=args.strict)
    report = judge.observe_all(entries)
    for violation in report.violations:
        print(violation.line(), file=sys.stderr)
    return _finish(report, args)


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGINT/SIGTERM after a graceful shutdown, which would kill the process
        before the report is written: the proxy stops the same way, then exits with its own code."""

        def handle_exit(self, sig, frame) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    return Server


def run_proxy(args: argparse.Namespace) -> int:
    import uvicorn

    from mlmock.har import Recorder

    from .judge import Judge
    from .proxy import Proxy

    if not args.upstream.startswith(("http://", "https://")):
        print("mlmock proxy: --upstream must start with http:// or https://", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if args.token and args.token_passthrough:
        print("mlmock proxy: --token and --token-passthrough exclude each other", file=sys.stderr)
        return EXIT_CANNOT_RUN
    verify: bool | str = args.ca_bundle or args.tls_verify == "true"
    ssl = {}
    if args.tls:
        from mlmock.tls import default_directory, ensure_certificate

        directory = args.tls_dir or default_directory()
        try:
            hosts = dict.fromkeys((args.host, "127.0.0.1", "localhost"))
            certfile, keyfile = ensure_certificate(directory, hosts=hosts)
        except (OSError, ValueError) as error:
            print(f"mlmock proxy: --tls: cannot write the certificate to {directory}: {error}", file=sys.stderr)
            return EXIT_CANNOT_RUN
        ssl = {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}
    try:
        recorder = Recorder(args.record) if args.record else None
    except OSError as error:
        print(f"mlmock proxy: --record {args.record}: {error.strerror or error}", file=sys.stderr)
        return EXIT_CANNOT_RUN

    def show(violation) -> None:
        print(violation.line(), file=sys.stderr, flush=True)

    judge = Judge(args.api, strict=args.strict, on_violation=show)
    proxy = Proxy(args.upstream, judge, recorder=recorder, verify=verify, token=args.token)
    scheme = "https" if ssl else "http"
    print(f"mlmock proxy: {scheme}://{args.host}:{args.port} -> {args.upstream}; violations at "
          f"{scheme}://{args.host}:{args.port}/_mlmock/api/violations", file=sys.stderr, flush=True)
    config = uvicorn.Config(proxy, host=args.host, port=args.port, log_level=args.log_level, lifespan="on",
                            access_log=False, **ssl)
    server = _server_class()(config)
    try:
        server.run()  # returns on SIGINT or SIGTERM, after the lifespan shutdown drained the judge
    finally:
        if recorder is not None:
            recorder.close()
            print(f"mlmock proxy: recorded {recorder.count} exchanges to {args.record}", file=sys.stderr)
    return _finish(judge.report, args)
