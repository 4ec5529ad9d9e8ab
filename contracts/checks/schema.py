"""Documented status codes, content types and response schemas, with generated data (schemathesis).

Positive data (valid requests) and negative data (requests the spec forbids) are generated per
operation; every answer must be a documented status with a body matching its schema, never 5xx,
and an invalid request must be refused with a 4xx.
"""

from __future__ import annotations

import copy
import warnings
from urllib.parse import urlencode

from hypothesis import HealthCheck, Phase, given, reject, seed, settings
from hypothesis.errors import HypothesisWarning, Unsatisfiable
from jsonschema import Draft4Validator
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.openapi import from_dict

from mlmock.spec import declaration, document
from mlmock.spec.declarations import ApiDeclaration, Operation

from ..context import Context
from ..registry import rule
from ..results import Skip, Violation
from ..target import describe
from . import bounds
from .grading import reading_behind

POSITIVE_CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
                   "response_schema_conformance")
NEGATIVE_CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
                   "negative_data_rejection")


def _binary_media_types(api: ApiDeclaration) -> None:
    """Send bytes as bytes for every binary body media type schemathesis has no serializer for
    (WML uploads take ``application/gzip`` and ``application/zip``): without one it drops every
    case that draws such a body, 175 of a default WML run's 3,200, and never sends the upload."""
    import schemathesis
    from schemathesis.transport.requests import REQUESTS_TRANSPORT

    for op in api.operations.values():
        for media, content in ((op.request_body or {}).get("content") or {}).items():
            schema = api.resolve((content or {}).get("schema") or {})
            if schema.get("format") == "binary" and REQUESTS_TRANSPORT.get_first_matching_media_type(media) is None:
                schemathesis.serializer.alias(media, "application/octet-stream")


def _schema(api_name: str, app, unserved: frozenset[str] = frozenset(), *, bounded: bool = False):
    """The document as schemathesis loads it; ``bounded``: request bodies drawn with small arrays
    (bounds.py; the schema family's cases, whose negative ones are filtered to match)."""
    _binary_media_types(declaration(api_name))
    # A fresh schema per target: schemathesis binds its operations to the app they were made for.
    raw = _without(_with_unlisted_statuses(copy.deepcopy(document(api_name)), declaration(api_name)), unserved)
    loaded = from_dict(bounds.bounded(raw) if bounded else raw)
    loaded.app = app
    # Unknown query parameters are ignored by both real services (and by HTTP custom); a request
    # is "invalid" here only when it breaks what the spec declares.
    loaded.config.generation.update(allow_extra_parameters=False)
    return loaded


# Loaded schemas of targets over HTTP, by API and unserved operations. Building one deep-copies and
# parses the whole document: 58 ms for WML, once per rule and operation before this cache, 15 s of a
# 150 s WML schema family (cProfile). The family's rules only read it. An in-process target's schema
# is bound to its app (and holds it), so it is built per rule as before: caching it would keep every
# app a test suite makes alive.
_LOADED_OVER_HTTP: dict = {}


def _shared_schema(api_name: str, app, unserved: frozenset[str]):
    """The schema family's bounded :func:`_schema`, built once per (API, unserved operations) for a
    target over HTTP."""
    if app is not None:
        return _schema(api_name, app, unserved, bounded=True)
    key = (api_name, unserved)
    if key not in _LOADED_OVER_HTTP:
        _LOADED_OVER_HTTP[key] = _schema(api_name, None, unserved, bounded=True)
    return _LOADED_OVER_HTTP[key]


def _with_unlisted_statuses(raw: dict, api: ApiDeclaration) -> dict:
    """Accept the statuses a spec marks as emitted though undocumented (``x-mlmock-unlisted-statuses``),
    with the body of the operation's documented 400 (the API's error envelope)."""
    for declared in api.operations.values():
        if not declared.extensions.unlisted_statuses:
            continue
        op = raw["paths"][declared.path][declared.method.lower()]
        envelope = op.get("responses", {}).get("400")
        for status in declared.extensions.unlisted_statuses:
            op["responses"].setdefault(str(status), copy.deepcopy(envelope) if envelope else
                                       {"description": "undocumented by the reference"})
    return raw


def _without(raw: dict, unserved: frozenset[str]) -> dict:
    """The document without the operations the target does not serve, and without links to them."""
    if not unserved:
        return raw
    for path in list(raw.get("paths", {})):
        item = raw["paths"][path]
        for method in list(item):
            if isinstance(item[method], dict) and item[method].get("operationId") in unserved:
                del item[method]
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for response in op.get("responses", {}).values():
                links = response.get("links") if isinstance(response, dict) else None
                for name in list(links or {}):
                    if links[name].get("operationId") in unserved:
                        del links[name]
        if not any(isinstance(v, dict) and "responses" in v for v in item.values()):
            del raw["paths"][path]
    return raw


def record(ctx: Context, case, response) -> None:
    """Tell the target of a generated case's exchange (``-v``), and put what a generated create made
    in the ledger, so that the run cleans it up."""
    query = urlencode(case.query, doseq=True) if isinstance(case.query, dict) and case.query else ""
    path = case.formatted_path
    base = ctx.api.base_path.rstrip("/")
    path = path if not base or path.startswith(base + "/") else base + path
    ctx.target.exchanged(case.method, ctx.target.base_url + path + (f"?{query}" if query else ""),
                         response.status_code)
    if ctx.ledger is None or not 200 <= response.status_code < 300:
        return
    op = next((o for o in ctx.api.operations.values() if o.method == case.method.upper()
               and ctx.api.base_path.rstrip("/") + o.path == case.operation.path
               or (o.method == case.method.upper() and o.path == case.operation.path)), None)
    if op is None or op.kind is None or op.action not in ("create", "upsert"):
        return
    try:
        body = response.json()
    except Exception:  # noqa: BLE001  (any body schemathesis hands back)
        return
    fake = type("Answer", (), {"json": lambda self: body})()
    space = (case.query or {}).get("space_id") or (body.get("metadata", {}).get("space_id")
                                                   if isinstance(body, dict) and isinstance(body.get("metadata"), dict)
                                                   else None)
    ctx.ledger.record(ctx.api, op.kind, fake, space)


def headers_for(ctx: Context, case, *, negative: bool = False) -> dict[str, str]:
    """The target's headers (token, gateway headers). A negative case that mutated a header keeps
    its mutation (sent as generated, so a verdict names the header the request carried); a
    positive case always carries the target's token."""
    headers = ctx.target.auth_headers()
    components = getattr(getattr(case, "meta", None), "components", None) or {}
    mutated = any(getattr(location, "value", location) == "header" and info.mode == GenerationMode.NEGATIVE
                  for location, info in components.items())
    if not negative or not mutated:
        return headers
    # The headers are the mutated part: send them as generated (with or without Authorization).
    return {k: v for k, v in headers.items() if k.lower() != "authorization"
            and k.lower() not in {name.lower() for name in (case.headers or {})}}


def pin_scope(ctx: Context, op: Operation, case) -> None:
    """A generated scope id names no space the target knows (a server that checks it answers 404
    before anything else): a schema-valid one is replaced by the suite's space, so generated cases
    reach the operation. An invalid one is the negative case's mutation and is sent as generated."""
    if not ctx.space or not isinstance(case.query, dict) or op.kind is None:
        return
    if "space_id" not in ctx.api.kinds[op.kind].scope:
        return
    declared = op.parameter("space_id")
    value = case.query.get("space_id")
    if declared is not None and isinstance(value, str) and value != ctx.space \
            and Draft4Validator(ctx.api.resolve(declared.get("schema", {}))).is_valid(value):
        case.query["space_id"] = ctx.space


def _checks(names):
    from schemathesis import checks as builtin
    from schemathesis.specs.openapi import checks as openapi

    return [getattr(builtin, n, None) or getattr(openapi, n) for n in names]


def _run(ctx: Context, op: Operation, mode: GenerationMode, check_names) -> None:
    schema = _shared_schema(ctx.api.name, ctx.target.app, ctx.unserved)
    found = schema[op.path][op.method]
    strategy = found.as_strategy(generation_mode=mode)
    checks = _checks(check_names)
    base_url = ctx.target.base_url + ctx.api.base_path
    transport = ctx.target.transport_kwargs()
    failures: list[tuple[str, str]] = []
    readings: list[tuple[str, str, str]] = []  # findings that rest only on readings (grading.py)

    @seed(ctx.seed)
    @settings(max_examples=ctx.max_examples, deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def probe(case):
        if mode == GenerationMode.NEGATIVE and bounds.breaks_only_bounds(ctx.api, op, case):
            reject()  # a valid body of the document as written: no negative case (bounds.py)
        pin_scope(ctx, op, case)
        headers = headers_for(ctx, case, negative=mode == GenerationMode.NEGATIVE)
        response = None
        try:
            response = case.call(base_url=base_url, headers=headers, **transport)
            record(ctx, case, response)
            case.validate_response(response, checks=checks, headers=headers, transport_kwargs=transport)
        except (FailureGroup, Failure) as error:
            reading = reading_behind(ctx.api, op, case, response, error)
            if reading is not None:  # noted, and the search goes on for a documented finding
                readings.append((str(error).strip(), case.as_curl_command(headers=headers), reading))
                return
            failures.append((str(error).strip(), case.as_curl_command(headers=headers)))
            raise

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypothesisWarning)
        try:
            probe()
        except (FailureGroup, Failure):
            pass
        except Unsatisfiable:
            if not failures and not readings:
                raise Skip("every generated case broke only the suite's generation bounds (bounds.py)") from None
    if failures or readings:
        message, reproduction, reading = (*failures[-1], None) if failures else readings[-1]
        lines = message.splitlines()
        violation = Violation(lines[0] + "\n  " + "\n  ".join(lines[1:8]), reading=reading)
        violation.curl = reproduction
        raise violation


def _served(api: ApiDeclaration, op: Operation) -> bool:
    return True


@rule("schema.positive", family="schema", per="operation", when=_served,
      provenance="documented",
      source=('the statuses, content types and bodies of each operation in spec/*.yaml (constraints marked '
              'x-mlmock-provenance are judged at that level)'))
def positive(ctx: Context, op: Operation) -> None:
    """Valid generated requests get documented statuses, content types and conforming bodies, never 5xx."""
    _run(ctx, op, GenerationMode.POSITIVE, POSITIVE_CHECKS)


@rule("schema.negative", family="schema", per="operation", when=_served,
      provenance="documented",
      source='the request schemas of spec/*.yaml: a request they forbid gets a 4xx')
def negative(ctx: Context, op: Operation) -> None:
    """Generated requests that break the spec are refused with a documented 4xx, never 5xx."""
    if not op.parameters and not op.request_body:
        raise Skip("nothing to make invalid")
    _probe_numbers(ctx, op)
    _run(ctx, op, GenerationMode.NEGATIVE, NEGATIVE_CHECKS)


def _bad_numbers(schema: dict) -> list[str]:
    """Values an integer (or number) query parameter's schema forbids: no number, below, above."""
    if schema.get("type") not in ("integer", "number"):
        return []
    bad = ["not-a-number"]
    if isinstance(schema.get("minimum"), (int, float)) and not schema.get("exclusiveMinimum"):
        bad.append(str(schema["minimum"] - 1))
    if isinstance(schema.get("maximum"), (int, float)) and not schema.get("exclusiveMaximum"):
        bad.append(str(schema["maximum"] + 1))
    return bad


def _probe_numbers(ctx: Context, op: Operation) -> None:
    """Deterministic part of the negative rule: a valid read of a collection with one numeric query
    parameter (``limit``, ``start``...) set out of its schema must be refused. Generated cases alone
    reach such a request only by chance, because they usually break several things at once.

    Precondition: the read with only its default values (version, scope) succeeds, and the
    operation needs nothing else (no path parameter, no other required parameter)."""
    if op.method != "GET" or "{" in op.path or not ctx.serves(op):
        return
    defaults = ctx.defaults(op)
    numeric = []
    for param in op.parameters:
        if param.get("in") != "query":
            continue
        if param.get("required") and param["name"] not in defaults:
            return
        numeric += [(param["name"], value) for value in _bad_numbers(ctx.api.resolve(param.get("schema", {})))]
    if not numeric or not 200 <= ctx.call(op).status_code < 300:
        return
    for name, value in numeric:
        response = ctx.call(op, params={name: value})
        if 200 <= response.status_code < 300 or response.status_code >= 500:
            raise Violation(f"{op.method} {op.path} with {name}={value} (outside the parameter's schema, everything "
                            f"else valid) must be refused with a 4xx (got {describe(response)})", response)
