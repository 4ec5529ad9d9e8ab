"""Judge one exchange against the OpenAPI description with openapi-core (outside any server).

openapi-core finds the operation, casts and validates the parameters and body of the request and
the status, content type and body of the answer. The statuses a spec marks as emitted though
undocumented (``x-mlmock-unlisted-statuses``) are added the way the active schema rules add them.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from urllib.parse import unquote

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    MissingRequiredParameter,
    ParameterValidationError,
    RequestBodyValidationError,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import DataValidationError
from werkzeug.datastructures import Headers, ImmutableMultiDict

import mlmock.spec as specs
from mlmock.spec.declarations import ApiDeclaration, Operation

from ..checks.schema import _with_unlisted_statuses
from .exchange import Exchange
from .registry import (
    CONTENT_TYPE,
    ENVELOPE,
    LIMIT_BOUNDS,
    MALFORMED,
    SCHEMA_REQUEST,
    SCHEMA_RESPONSE,
    STATUS,
    VERSION_PARAM,
    PassiveRule,
)


def _json(body: bytes | str) -> object:
    return json.loads(body)


@functools.cache
def openapi(api: str) -> OpenAPI:
    # openapi-core 0.23 deserializes application/json only; JSON Patch bodies would reach the
    # schema as raw bytes ("is not of type 'array'") without this.
    config = Config(extra_media_type_deserializers={"application/json-patch+json": _json})
    return OpenAPI.from_dict(_with_unlisted_statuses(copy.deepcopy(specs.document(api)), specs.declaration(api)),
                             config=config)


class _Request:
    """openapi-core's Request protocol over an observed exchange."""

    host_url = "http://mlmock.passive"

    def __init__(self, ex: Exchange, *, credentials: bool, as_bytes: bool = False):
        self.method = ex.method.lower()
        self.path = ex.raw_path  # percent-encoded: a %2F inside a parameter stays inside it
        self.body = ex.entry.request_body or None
        # Uploads are bytes whatever their declared type (spec/README.md reading 34: the IBM client
        # sends model tarballs and PMML as application/json).
        self.content_type = "application/octet-stream" if as_bytes else (
            ex.request_header("content-type") or "").lower()
        headers = Headers(ex.entry.request_headers)
        if credentials and "authorization" not in headers:
            headers["Authorization"] = "Bearer mlmock-passive"  # auth is judged by its own rule
        self.parameters = RequestParameters(query=ImmutableMultiDict(ex.query), header=headers,
                                            cookie=ImmutableMultiDict())


class _Response:
    def __init__(self, ex: Exchange):
        self.status_code = ex.status
        self.content_type = ex.content_type
        self.headers = Headers(ex.entry.response_headers)
        self.data = ex.entry.response_body or None


# --------------------------------------------------------------------------- operation matching


@functools.cache
def _routes(api: str) -> list[tuple[re.Pattern, Operation]]:
    decl = specs.declaration(api)
    routes = []
    for op in decl.operations.values():
        full = decl.base_path + op.path
        pattern = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(full))
        routes.append((re.compile(f"^{pattern}/?$"), op, full.count("{"), len(full)))
    routes.sort(key=lambda r: (r[2], -r[3]))  # literal segments win over templates
    return [(pattern, op) for pattern, op, _, _ in routes]


def match(api: str, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    decl = specs.declaration(api)
    for pattern, op in _routes(api):
        if op.method != method:
            continue
        found = pattern.match(path)
        if found:
            names = re.findall(r"\{([^}]+)\}", decl.base_path + op.path)
            return op, {name: unquote(value) for name, value in zip(names, found.groups(), strict=False)}
    return None


def api_of(path: str, apis: list[str]) -> str | None:
    """The API an exchange belongs to (``--api auto``): the first whose spec has the path."""
    for api in apis:
        decl = specs.declaration(api)
        if decl.base_path and not path.startswith(decl.base_path + "/"):
            continue
        if any(pattern.match(path) for pattern, _ in _routes(api)):
            return api
    return None


# --------------------------------------------------------------------------- judgement


def judge(decl: ApiDeclaration, op: Operation, ex: Exchange) -> Iterator[tuple[PassiveRule, str]]:
    """(rule, message) for each way the exchange breaks the description of ``op``."""
    spec = openapi(decl.name)
    try:
        spec.validate_request(_Request(ex, credentials=True, as_bytes=op.action == "content-put"))
    except SecurityValidationError:
        pass
    except MissingRequiredParameter as error:
        if ex.ok:
            rule = VERSION_PARAM if error.name == "version" else SCHEMA_REQUEST
            yield rule, f"a request without the required {error.name!r} parameter was answered {ex.status}"
    except ParameterValidationError as error:
        if ex.ok:
            kind = decl.kinds.get(op.kind) if op.kind else None
            limit = kind.pagination.limit_param if kind and kind.pagination else None
            rule = LIMIT_BOUNDS if op.action == "list" and getattr(error, "name", None) == limit else SCHEMA_REQUEST
            yield rule, f"a request the spec forbids was answered {ex.status}: {_why(error)}"
    except RequestBodyValidationError as error:
        if ex.ok:
            rule = MALFORMED if op.action == "patch" else SCHEMA_REQUEST
            yield rule, f"a request body the spec forbids was answered {ex.status}: {_why(error)}"
    except PathError:
        return
    except Exception:  # noqa: BLE001  (a media type openapi-core cannot read is not the server's fault)
        pass
    try:
        spec.validate_response(_Request(ex, credentials=True), _Response(ex))
    except ResponseNotFound:
        documented = sorted(op.responses)
        yield STATUS, f"status {ex.status} is not documented for {op.operation_id} (documented: {documented})"
        if ex.status >= 400:
            yield from _envelope(decl, op, ex)
    except MediaTypeNotFound:
        yield CONTENT_TYPE, (f"content type {ex.content_type or '(none)'!r} is not documented for "
                             f"{op.operation_id} {ex.status}")
    except DataValidationError as error:
        rule = ENVELOPE if ex.status >= 400 else SCHEMA_RESPONSE
        yield rule, f"the {ex.status} body does not match its schema: {_why(error)}"
    except PathError:
        return
    except Exception:  # noqa: BLE001
        pass


def _envelope(decl: ApiDeclaration, op: Operation, ex: Exchange) -> Iterator[tuple[PassiveRule, str]]:
    """An undocumented error status still carries the API's envelope (the schema of a documented 4xx)."""
    for status, response in sorted(op.responses.items()):
        if not status.startswith("4") or "content" not in response:
            continue
        schema = decl.resolve(next(iter(response["content"].values())).get("schema", {}))
        body = ex.response_json
        missing = [k for k in schema.get("required", ()) if not isinstance(body, dict) or k not in body]
        if missing:
            yield ENVELOPE, f"the {ex.status} body lacks {missing} of the API's error envelope"
        return


def _why(error: Exception) -> str:
    parts = [str(error)]
    cause = error.__cause__
    if cause is not None:
        details = getattr(cause, "schema_errors", None)
        parts.append("; ".join(e.message for e in details[:3]) if details else str(cause))
    return ": ".join(p for p in parts if p)[:500]
